import { Names, Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// Room kept for the region, whether it is known at synth or a token: the longest region names
// (`ap-southeast-2`, `us-isof-south-1`) have 14–15 characters. A fixed allowance keeps the name's
// construct part the same in every region.
const REGION_ALLOWANCE = 16;

/** CloudFront's limit on cache policy names (`CachePolicyConfig.Name`). */
export const CACHE_POLICY_NAME_MAX_LENGTH = 128;
/** CloudFront's limit on CloudFront Function names (`AWS::CloudFront::Function` `Name`). */
export const FUNCTION_NAME_MAX_LENGTH = 64;

/**
 * A physical name for `resource` that holds its stack's name and ends in its region, within
 * `maxLength` characters (the resource's own limit) and the `[A-Za-z0-9-]` characters every
 * CloudFront name allows.
 *
 * CloudFront names (origin access controls, policies, KeyValueStores, functions) are unique per
 * account, not per region, so the same stack deployed to two regions of one account — what "deploy
 * one stack per region" means — would create the same name twice and fail with `AlreadyExists`.
 * Likewise two stages of one app in one account (`new Stack(app, 'Shop', { stackName: `shop-${stage}` })`):
 * same construct path, different stack names. CDK's own default names miss one or the other (cache
 * policies and CloudFront Functions: region and construct path, no stack name; the others: stack
 * name, no region). The construct part is CDK's `Names.uniqueResourceName`, which starts with the
 * stack's name, so the name stays the same across synths of one stack in one region.
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
