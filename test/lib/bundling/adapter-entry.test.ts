import * as path from 'node:path';
import { adapterEntrySource, runtimeModulePath } from '../../../lib/bundling';

const servicesImport = `import ${JSON.stringify(runtimeModulePath('context-services'))};`;

describe('adapterEntrySource', () => {
  test('imports the user module and the adapter and exports handler when given an absolute entry', () => {
    const source = adapterEntrySource('/app/api/hello.ts', { realVercelPackage: false });
    expect(source).toContain('import * as userModule from "/app/api/hello.ts";');
    expect(source).toContain(
      `import { createHandler } from ${JSON.stringify(runtimeModulePath('handler/create-handler'))};`,
    );
    expect(source).toContain('export const handler = createHandler(userModule);');
  });

  test('registers every request-context service when the function bundles the real package', () => {
    expect(adapterEntrySource('/app/api/hello.ts', { realVercelPackage: true })).toContain(servicesImport);
  });

  test('leaves the metric channel to the generated index when the function bundles the real package', () => {
    // The index projectAliases() generates installs it as metric() is first called, so a function
    // that never imports metric carries none of its code.
    const source = adapterEntrySource('/app/api/hello.ts', { realVercelPackage: true });
    expect(source).not.toContain('metric-channel');
    expect(source).not.toContain('installMetricChannel');
  });

  test('registers no service up front when @vercel/functions is aliased to the runtime', () => {
    const source = adapterEntrySource('/app/api/hello.ts', { realVercelPackage: false });
    expect(source).not.toContain('context-services');
    expect(source).not.toContain('metric-channel');
  });

  test('registers every service when the caller does not say which package is bundled', () => {
    expect(adapterEntrySource('/app/api/hello.ts')).toContain(servicesImport);
  });

  test('resolves a relative entry against the working directory', () => {
    expect(adapterEntrySource('api/hello.ts')).toContain(JSON.stringify(path.resolve('api/hello.ts')));
  });

  test('quotes paths holding quotes and backslashes when given an unusual file name', () => {
    const source = adapterEntrySource('/app/api/we"ird\\name.ts');
    expect(source).toContain(`from ${JSON.stringify('/app/api/we"ird\\name.ts')};`);
  });

  test('throws when the entry is empty', () => {
    expect(() => adapterEntrySource('  ')).toThrow(/userEntry must be a path.*empty string/);
  });
});
