process.env.CDK_VALIDATION = 'false';

import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { Routing } from '../../lib/routing';
import { VercelProject, type VercelProjectProps } from '../../lib/vercel-project';
import { testStack, writeProject } from './helpers';

// Planning routes into cache behaviours weighs every pair of patterns (seconds on a thousand
// routes), so VercelProject plans only when the routes may fit the quota, and then once. The
// planner of route-path-pattern.ts is counted here.
const mockPlanning = { calls: 0 };
jest.mock('../../lib/private/route-path-pattern', () => {
  const actual = jest.requireActual('../../lib/private/route-path-pattern');
  return {
    ...actual,
    routeBehaviorPlan: (...args: Parameters<typeof actual.routeBehaviorPlan>) => {
      mockPlanning.calls++;
      return actual.routeBehaviorPlan(...args);
    },
  };
});

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

function synth(props: Partial<VercelProjectProps>): { project: VercelProject; planned: number } {
  mockPlanning.calls = 0;
  const project = new VercelProject(testStack('us-east-1'), 'Project', {
    projectDir: EXAMPLES,
    enableInvalidationSweeper: false,
    ...props,
  });
  return { project, planned: mockPlanning.calls };
}

describe('VercelProject route planning', () => {
  const folders: string[] = [];
  afterAll(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });
  // 200 routes, each ending in a literal segment: at least 400 cache behaviours, against 75.
  function largeProject(): string {
    const dir = writeProject(Array.from({ length: 200 }, (_, i) => `api/section-${i % 7}/route-${i}.ts`));
    folders.push(dir);
    return dir;
  }

  test('plans the routes once when they fit the cache behaviours', () => {
    const { project, planned } = synth({});
    expect(project.edgeRouted).toBe(false);
    expect(planned).toBe(1);
  });

  test('does not plan them with Routing.edgeRouter()', () => {
    const { project, planned } = synth({ routing: Routing.edgeRouter() });
    expect(project.edgeRouted).toBe(true);
    expect(planned).toBe(0);
  });

  test('does not plan routes that cannot fit the quota: Routing.auto() routes them at the edge', () => {
    const { project, planned } = synth({ projectDir: largeProject() });
    expect(project.edgeRouted).toBe(true);
    expect(planned).toBe(0);
  });

  test('does not plan them before refusing them with Routing.cacheBehaviors(), and names the least count', () => {
    mockPlanning.calls = 0;
    expect(() => synth({ projectDir: largeProject(), routing: Routing.cacheBehaviors() })).toThrow(
      /the project has 200 routes, which take at least 400 cache behaviours .* but the distribution may have only 75 \(maxCacheBehaviors; one is the default behaviour, so 74 for routes\)/,
    );
    expect(mockPlanning.calls).toBe(0);
  });

  test('still plans routes whose least count fits a raised quota', () => {
    const { project, planned } = synth({ projectDir: largeProject(), maxCacheBehaviors: 500 });
    expect(project.edgeRouted).toBe(false);
    expect(planned).toBe(1);
  });
});
