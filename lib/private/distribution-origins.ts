import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';

type WithAddOrigin = { addOrigin?: (origin: cloudfront.IOrigin) => string };

/**
 * Adds an origin that no cache behaviour targets — the edge router selects it per request with
 * `cf.selectRequestOriginById` — and returns its id.
 *
 * Why a non-public method: CloudFormation accepts origins without behaviours, but the L2
 * `Distribution` only adds origins through behaviours; its internal `addOrigin` binds and renders an
 * origin exactly like a behaviour's (permissions, OAC, custom headers), and a public `addOrigin()` is
 * proposed upstream under that name (aws/aws-cdk#37652, PR #37657). Checked at run time so an
 * aws-cdk-lib without it fails here, loudly, instead of synthesizing a router with missing origins;
 * test/lib/cdn-router.test.ts checks the rendered origins.
 */
export function addOriginWithoutBehavior(
  distribution: cloudfront.Distribution,
  origin: cloudfront.IOrigin,
): string {
  const addOrigin = (distribution as unknown as WithAddOrigin).addOrigin;
  if (typeof addOrigin !== 'function') {
    throw new Error(
      'This aws-cdk-lib has no Distribution.addOrigin, which the edge router needs to add origins without cache behaviours; use the aws-cdk-lib version this package declares',
    );
  }
  return addOrigin.call(distribution, origin);
}
