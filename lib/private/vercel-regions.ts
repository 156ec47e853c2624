// Vercel region codes and the AWS regions they run in (ARCHITECTURE.md §1). The runtime keeps the
// same table (runtime/handler/regions.ts); lib/ and runtime/ never import each other, so a test
// checks that both agree.
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

const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The Vercel code of an AWS region; regions Vercel has no code for keep their AWS name. */
export function vercelRegionCode(awsRegion: string): string {
  return VERCEL_REGION_BY_AWS_REGION[awsRegion] ?? awsRegion;
}

/**
 * The AWS region a Vercel region code (`fra1`) or AWS region name (`eu-central-1`) stands for, or
 * `undefined` when it is neither.
 */
export function awsRegionOf(region: string): string | undefined {
  if (AWS_REGION_PATTERN.test(region)) return region;
  return Object.keys(VERCEL_REGION_BY_AWS_REGION).find((aws) => VERCEL_REGION_BY_AWS_REGION[aws] === region);
}
