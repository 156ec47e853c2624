import * as lib from '../../lib/private/constructs-contract';
import {
  vercelRegionCode as libRegionCode,
  VERCEL_REGION_BY_AWS_REGION,
} from '../../lib/private/vercel-regions';
import { vercelRegionCode as runtimeRegionCode } from '../../runtime/handler/regions';

describe('constructs contract', () => {
  test('uses Vercel-Cache-Tag as the cache tag header', () => {
    expect(lib.CACHE_TAG_HEADER).toBe('Vercel-Cache-Tag');
  });

  test('gives every internal header the internal prefix, which the CDN strips from viewers', () => {
    const internal = [
      lib.DISTRIBUTION_ID_HEADER,
      lib.DISTRIBUTION_DOMAIN_HEADER,
      lib.ORIGIN_SECRET_HEADER,
      lib.BROWSER_CACHE_CONTROL_HEADER,
    ];
    for (const header of internal) expect(header.startsWith(lib.INTERNAL_HEADER_PREFIX)).toBe(true);
  });

  test('maps AWS regions to the same Vercel codes as the runtime does', () => {
    for (const region of [...Object.keys(VERCEL_REGION_BY_AWS_REGION), 'eu-south-1', 'us-gov-west-1']) {
      expect(libRegionCode(region)).toBe(runtimeRegionCode(region));
    }
  });
});
