import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Cdn } from '../../../../lib/cdn';
import {
  assetForS3Key,
  CloudFrontEmulationError,
  readAssemblyStack,
  readLambdaFunction,
} from '../../../../lib/local/cloudfront';
import { plainFunction } from '../../helpers';
import { cleanUp, synthesize } from './helpers';

afterAll(cleanUp);

describe('readAssemblyStack', () => {
  test("reads the stack's template, region and staged assets", () => {
    const stack = synthesize((scope) => {
      new Cdn(scope, 'Cdn', { enableLogging: false }).addFunction('/api/a', plainFunction(scope, 'A'));
    });
    expect(stack).toMatchObject({ stackName: 'Test', region: 'us-east-1' });
    const signer = Object.keys(stack.template.Resources).find(
      (id) => id.includes('BodySigner') && stack.template.Resources[id].Type === 'AWS::Lambda::Function',
    )!;
    const fn = readLambdaFunction(stack, signer);
    expect(fn.codeDirectory.startsWith(stack.outdir)).toBe(true);
    expect(existsSync(path.join(fn.codeDirectory, 'index.js'))).toBe(true);
    expect(fn).toMatchObject({
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      timeoutSeconds: 5,
      memorySize: 128,
    });
    expect(assetForS3Key(stack, 'not-an-asset.zip')).toBeUndefined();
  });

  test('throws naming the problem when the folder is not a cloud assembly or the stack is ambiguous', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'vfa-not-assembly-'));
    try {
      expect(() => readAssemblyStack(empty)).toThrow(
        new CloudFrontEmulationError(
          `${empty} is not a cloud assembly (no manifest.json): pass the output folder of cdk synth`,
        ),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const outdir = mkdtempSync(path.join(tmpdir(), 'vfa-two-stacks-'));
    try {
      const app = new App({ outdir });
      new Stack(app, 'One');
      new Stack(app, 'Two');
      app.synth();
      expect(() => readAssemblyStack(outdir)).toThrow(/holds 2 stacks \(One, Two\): name the one to emulate/);
      expect(() => readAssemblyStack(outdir, 'Three')).toThrow(/has no stack Three; it has One, Two/);
      expect(readAssemblyStack(outdir, 'Two').region).toBeUndefined();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('throws when a function has no staged code', () => {
    const stack = synthesize((scope) => {
      plainFunction(scope, 'Inline');
    });
    const id = Object.keys(stack.template.Resources).find(
      (key) => stack.template.Resources[key].Type === 'AWS::Lambda::Function',
    )!;
    expect(() => readLambdaFunction(stack, id)).toThrow(
      /has no code in the cloud assembly .*synthesize with asset bundling on/,
    );
  });
});
