import { Names, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// Room kept for the region, whether it is known at synth or a token: the longest region names
// (`ap-southeast-2`, `us-isof-south-1`) have 14–15 characters. A fixed allowance keeps the name's
// construct part the same in every region.
const REGION_ALLOWANCE = 16;

/**
 * A physical name for `resource` that ends in its stack's region, within `maxLength` characters
 * (the resource's own limit) and the `[A-Za-z0-9-]` characters every CloudFront name allows.
 *
 * CloudFront names (origin access controls, policies, KeyValueStores, functions) are unique per
 * account, not per region, so the same stack deployed to two regions of one account — what "deploy
 * one stack per region" means — would create the same name twice and fail with `AlreadyExists`. CDK
 * adds the region for the names it generates for cache policies and CloudFront Functions, not for
 * these. The construct part is CDK's `Names.uniqueResourceName`, so the name stays the same across
 * synths of one stack in one region.
 *
 * @param suffix appended after the region (e.g. a content hash), counted in `maxLength`
 */
export function regionalName(resource: IConstruct, maxLength: number, suffix = ''): string {
  const region = Stack.of(resource).region;
  const regionLength = Token.isUnresolved(region)
    ? REGION_ALLOWANCE
    : Math.max(region.length, REGION_ALLOWANCE);
  const base = Names.uniqueResourceName(resource, {
    maxLength: maxLength - regionLength - 1 - suffix.length,
  });
  return `${base}-${region}${suffix}`;
}
