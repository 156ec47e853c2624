import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { projectHasOwnVercelPackage } from '../../../lib/bundling';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

describe('projectHasOwnVercelPackage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vfa-project-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('is true when the project installed its own copy', () => {
    mkdirSync(path.join(dir, 'node_modules', '@vercel', 'functions'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', '@vercel', 'functions', 'package.json'), '{}');
    expect(projectHasOwnVercelPackage(dir)).toBe(true);
  });

  test('is true when the copy is a symlink, as pnpm installs it', () => {
    mkdirSync(path.join(dir, 'node_modules', '@vercel'), { recursive: true });
    symlinkSync(
      path.join(REPO_ROOT, 'node_modules', '@vercel', 'functions'),
      path.join(dir, 'node_modules', '@vercel', 'functions'),
    );
    expect(projectHasOwnVercelPackage(dir)).toBe(true);
  });

  test('is false when the project has no copy', () => {
    expect(projectHasOwnVercelPackage(dir)).toBe(false);
  });

  test('is false for a folder of this repository, whose devDependency copy sits above it', () => {
    expect(projectHasOwnVercelPackage(path.join(REPO_ROOT, 'examples'))).toBe(false);
  });
});
