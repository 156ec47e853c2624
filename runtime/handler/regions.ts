/**
 * Vercel region codes by the AWS region each one runs in (ARCHITECTURE.md §1), so
 * `x-vercel-id` — and through it `geolocation().region` — names the region the way Vercel does.
 */
export const VERCEL_REGION_BY_AWS_REGION: Readonly<Record<string, string>> = {
  'us-east-1': 'iad1',
  'us-east-2': 'cle1',
  'us-west-1': 'sfo1',
  'us-west-2': 'pdx1',
  'ca-central-1': 'yul1',
  'sa-east-1': 'gru1',
  'eu-west-1': 'dub1',
  'eu-west-2': 'lhr1',
  'eu-west-3': 'cdg1',
  'eu-central-1': 'fra1',
  'eu-north-1': 'arn1',
  'af-south-1': 'cpt1',
  'me-central-1': 'dxb1',
  'ap-south-1': 'bom1',
  'ap-southeast-1': 'sin1',
  'ap-southeast-2': 'syd1',
  'ap-east-1': 'hkg1',
  'ap-northeast-1': 'hnd1',
  'ap-northeast-2': 'icn1',
  'ap-northeast-3': 'kix1',
};

/** What upstream `geolocation()` reports when it cannot tell the region. */
const UNKNOWN_REGION = 'dev1';

/**
 * The Vercel region code for an AWS region. Regions Vercel has no code for keep their AWS name
 * (e.g. `eu-south-1`); without a region at all (local runs) the result is upstream's `dev1`.
 */
export function vercelRegionCode(awsRegion: string | undefined): string {
  if (!awsRegion) return UNKNOWN_REGION;
  return Object.hasOwn(VERCEL_REGION_BY_AWS_REGION, awsRegion)
    ? VERCEL_REGION_BY_AWS_REGION[awsRegion]
    : awsRegion;
}
