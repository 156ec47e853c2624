import { adapterDefines, BundlingError } from '../../../lib/bundling';
import { BUNDLE_SWITCHES } from '../../../runtime/handler/bundle-switches';

describe('adapterDefines', () => {
  test('turns every part on when given no options', () => {
    expect(adapterDefines()).toEqual({
      __VFA_ORIGIN_SECRET_CHECK__: 'true',
      __VFA_ROUTE_CHECK__: 'true',
      __VFA_ROUTE_HEADERS__: 'true',
    });
  });

  test('sets a switch to false when its check is left out', () => {
    expect(adapterDefines({ originSecretCheck: false })).toEqual({
      __VFA_ORIGIN_SECRET_CHECK__: 'false',
      __VFA_ROUTE_CHECK__: 'true',
      __VFA_ROUTE_HEADERS__: 'true',
    });
    expect(adapterDefines({ originSecretCheck: true, routeCheck: false })).toEqual({
      __VFA_ORIGIN_SECRET_CHECK__: 'true',
      __VFA_ROUTE_CHECK__: 'false',
      __VFA_ROUTE_HEADERS__: 'true',
    });
    expect(adapterDefines({ routeHeaders: false })).toEqual({
      __VFA_ORIGIN_SECRET_CHECK__: 'true',
      __VFA_ROUTE_CHECK__: 'true',
      __VFA_ROUTE_HEADERS__: 'false',
    });
  });

  test('names the global the runtime reads for each switch', () => {
    expect(Object.keys(adapterDefines()).sort()).toEqual(Object.values(BUNDLE_SWITCHES).sort());
  });

  test('throws a BundlingError naming the option when a value is not a boolean', () => {
    expect(() => adapterDefines({ originSecretCheck: 0 as unknown as boolean })).toThrow(
      new BundlingError('adapterDefines: originSecretCheck must be a boolean, got 0'),
    );
    expect(() => adapterDefines({ routeHeaders: 'false' as unknown as boolean })).toThrow(
      new BundlingError('adapterDefines: routeHeaders must be a boolean, got "false"'),
    );
  });
});
