import type * as ServiceRegistryModule from '../../runtime/handler/service-registry';
import type * as RealPackageServicesModule from '../../runtime/real-package-services';

// The registrations the index generated for a project's own @vercel/functions wraps its exports in
// (lib/bundling/real-package-aliases.ts). Each test loads the runtime into a fresh module registry,
// as a bundle holding only these modules would, so no other test's registration shows.

function load(): { services: typeof RealPackageServicesModule; registry: typeof ServiceRegistryModule } {
  let loaded: ReturnType<typeof load> | undefined;
  jest.isolateModules(() => {
    loaded = {
      services: require('../../runtime/real-package-services'),
      registry: require('../../runtime/handler/service-registry'),
    };
  });
  return loaded!;
}

describe('real-package-services', () => {
  test('registers nothing when it is loaded', () => {
    const { registry } = load();
    expect(registry.contextServices()).toEqual({});
  });

  test('registers the Runtime Cache alone and returns the export unchanged when withRuntimeCache wraps it', () => {
    const { services, registry } = load();
    const getCache = () => 'the real getCache';
    expect(services.withRuntimeCache(getCache)).toBe(getCache);
    expect(Object.keys(registry.contextServices())).toEqual(['cache']);
  });

  test('registers purges, the sweep after responses and the overflow rows when withCdnPurge wraps an export', () => {
    const { services, registry } = load();
    const invalidateByTag = () => Promise.resolve();
    expect(services.withCdnPurge(invalidateByTag)).toBe(invalidateByTag);
    expect(Object.keys(registry.contextServices()).sort()).toEqual([
      'afterResponse',
      'purge',
      'recordTagOverflow',
    ]);
  });

  test('registers the tag collection and the overflow rows when withCacheTags wraps an export', () => {
    const { services, registry } = load();
    const addCacheTag = () => Promise.resolve();
    expect(services.withCacheTags(addCacheTag)).toBe(addCacheTag);
    expect(Object.keys(registry.contextServices()).sort()).toEqual(['addCacheTag', 'recordTagOverflow']);
  });

  test('keeps one purge service when a second export registers it', () => {
    const { services, registry } = load();
    services.withCdnPurge(1);
    const { purge } = registry.contextServices();
    services.withCdnPurge(2);
    expect(registry.contextServices().purge).toBe(purge);
  });
});
