import { Annotations, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ConfigurationError } from '../errors';

/**
 * Regions whose S3 buckets CloudFront standard logging (legacy) — the `Logging` of a distribution,
 * what `Cdn` configures — does not deliver to: the opt-in Regions. The CloudFront Developer Guide
 * ("Configure standard logging (legacy)", choosing a bucket) lists them; delivery to opt-in Regions is
 * a feature of standard logging v2 only. Regions launched as opt-in after that list are included on
 * the same grounds.
 */
export const REGIONS_WITHOUT_STANDARD_LOGGING: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
]);

/**
 * Refuses to create a log bucket CloudFront would never write to: in a stack whose region is one
 * of {@link REGIONS_WITHOUT_STANDARD_LOGGING} the distribution would deploy, and its logs would
 * silently go nowhere. A region-agnostic stack may end up in one of them, so it gets a warning.
 *
 * @param scope the construct creating the bucket, named in the error
 */
export function checkStandardLoggingRegion(scope: Construct): void {
  const region = Stack.of(scope).region;
  if (Token.isUnresolved(region)) {
    Annotations.of(scope).addWarningV2(
      'vercel-functions-aws:logBucketRegion',
      `enableLogging is on without a logBucket, so the access log bucket is created in the stack's region, which is not known at synth. CloudFront standard logging does not deliver to buckets in opt-in Regions (${[...REGIONS_WITHOUT_STANDARD_LOGGING].join(', ')}): to deploy there, pass a logBucket in another Region or set enableLogging: false.`,
    );
    return;
  }
  if (REGIONS_WITHOUT_STANDARD_LOGGING.has(region)) {
    throw new ConfigurationError(
      scope,
      `enableLogging is on without a logBucket, so the access log bucket would be created in ${region}, an opt-in Region, and CloudFront standard logging does not deliver to buckets there: pass a logBucket in another Region (with ACLs enabled), or set enableLogging: false`,
    );
  }
}
