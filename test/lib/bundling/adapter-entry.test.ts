import * as path from 'node:path';
import { adapterEntrySource, runtimeModulePath } from '../../../lib/bundling';

describe('adapterEntrySource', () => {
  test('imports the user module and the adapter and exports handler when given an absolute entry', () => {
    const source = adapterEntrySource('/app/api/hello.ts');
    expect(source).toContain('import * as userModule from "/app/api/hello.ts";');
    expect(source).toContain(
      `import { createHandler } from ${JSON.stringify(runtimeModulePath('handler/create-handler'))};`,
    );
    expect(source).toContain('export const handler = createHandler(userModule);');
  });

  test('registers no service up front, for the runtime and for a project with its own copy alike', () => {
    // The aliased runtime's exports and the index projectAliases() generates for a project's own copy
    // register each service with the exports that use it, so a function that uses none carries none.
    const source = adapterEntrySource('/app/api/hello.ts');
    expect(source).not.toContain('context-services');
    expect(source).not.toContain('real-package-services');
    expect(source).not.toContain('metric-channel');
  });

  test('resolves a relative entry against the working directory', () => {
    expect(adapterEntrySource('api/hello.ts')).toContain(JSON.stringify(path.resolve('api/hello.ts')));
  });

  test('quotes paths holding quotes and backslashes when given an unusual file name', () => {
    const source = adapterEntrySource('/app/api/we"ird\\name.ts');
    expect(source).toContain(`from ${JSON.stringify('/app/api/we"ird\\name.ts')};`);
  });

  test('hides AWS_REGION from createHandler alone when devRegion is set, and only then', () => {
    expect(adapterEntrySource('/app/api/hello.ts', { devRegion: false })).toBe(
      adapterEntrySource('/app/api/hello.ts'),
    );
    const source = adapterEntrySource('/app/api/hello.ts', { devRegion: true });
    // After the imports: the user's module loads with the shell's AWS_REGION.
    expect(source.indexOf('delete process.env.AWS_REGION;')).toBeGreaterThan(
      source.indexOf('import { createHandler }'),
    );
    expect(source).toContain('  devHandler = createHandler(userModule);');
    expect(source).toContain('  if (awsRegion !== undefined) process.env.AWS_REGION = awsRegion;');
    expect(source).toContain('export const handler = devHandler;');
  });

  test('throws when devRegion is not a boolean', () => {
    expect(() => adapterEntrySource('/app/api/hello.ts', { devRegion: 'yes' as never })).toThrow(
      'adapterEntrySource: devRegion must be a boolean, got "yes"',
    );
  });

  test('throws when the entry is empty', () => {
    expect(() => adapterEntrySource('  ')).toThrow(/userEntry must be a path.*empty string/);
  });
});
