// Vercel region codes and the AWS regions they run in (ARCHITECTURE.md §1): one table, the
// runtime's (lib/ may import runtime/; never the reverse), so VERCEL_REGION at synth and x-vercel-id
// at run time always agree.
import { VERCEL_REGION_BY_AWS_REGION } from '../../runtime/handler/regions';

export { VERCEL_REGION_BY_AWS_REGION };

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
