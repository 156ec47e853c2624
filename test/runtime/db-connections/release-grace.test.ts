import {
  DEFAULT_POOL_RELEASE_GRACE_MS,
  POOL_RELEASE_GRACE_ENV,
  poolReleaseGraceMs,
} from '../../../runtime/db-connections/release-grace';
import { InvalidPoolReleaseGraceError } from '../../../runtime/errors';

describe('poolReleaseGraceMs', () => {
  test('is 100 ms when the variable is unset or empty', () => {
    expect(DEFAULT_POOL_RELEASE_GRACE_MS).toBe(100);
    expect(poolReleaseGraceMs({})).toBe(100);
    expect(poolReleaseGraceMs({ [POOL_RELEASE_GRACE_ENV]: '  ' })).toBe(100);
  });

  test.each([
    ['0', 0],
    ['250', 250],
    [' 1000 ', 1000],
  ])('reads %j as %d ms', (raw, expected) => {
    expect(poolReleaseGraceMs({ [POOL_RELEASE_GRACE_ENV]: raw })).toBe(expected);
  });

  test.each(['-1', '1.5', '1e3', 'abc', '100ms', '99999999999999999999'])(
    'throws InvalidPoolReleaseGraceError naming the variable when it is %j',
    (raw) => {
      const call = () => poolReleaseGraceMs({ [POOL_RELEASE_GRACE_ENV]: raw });
      expect(call).toThrow(InvalidPoolReleaseGraceError);
      expect(call).toThrow(
        `${POOL_RELEASE_GRACE_ENV} must be a whole number of milliseconds ≥ 0, got ${JSON.stringify(raw)}`,
      );
    },
  );
});
