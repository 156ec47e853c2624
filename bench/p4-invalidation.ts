import * as path from 'node:path';
import { CloudFrontEndpoint } from '../lib/local/cloudfront-endpoint';
import { toCloudFrontTag } from '../runtime/cdn/cloudfront-tag';
import { DISTRIBUTION_ID_HEADER } from '../runtime/constructs-contract';
import type { LocalFunction } from '../test/harness/local-function';
import { buildWithAdapter, createWorkspace, FIXTURES } from './bundles';
import { startBundled, stopAll } from './functions';
import { withDynamoDBLocal } from './local-aws';
import { median } from './stats';
import type { BenchContext, Benchmark, Measurement, Target } from './types';

/**
 * P4 — invalidation coalescing: a function (our adapter and runtime, under the real aws-lambda-ric,
 * tag table on DynamoDB Local) makes 1,000 concurrent `invalidateByTag` calls with distinct tags in
 * one invocation; the loopback CloudFront endpoint counts the `CreateInvalidation` requests it
 * receives and the tag items in the ones it accepted. Target: at most one request per 3,000 items
 * (CloudFront's batch limit), no tag lost.
 */

const ROUNDS = 3;
const CALLS = 1_000;
const ITEMS_PER_REQUEST = 3_000;
const DISTRIBUTION_ID = 'E2BENCHDIST001';
const REQUESTS_TARGET: Target = { on: 'ratio', op: '<=', value: 1, unit: 'x' };
const NONE_TARGET: Target = { on: 'ratio', op: '==', value: 0, unit: 'x' };

export const p4: Benchmark = {
  name: 'p4',
  description:
    '1,000 concurrent invalidateByTag → CreateInvalidation requests at the loopback CloudFront, tags lost',
  expected: { 'p4.requests': REQUESTS_TARGET, 'p4.lost': NONE_TARGET, 'p4.rejected': NONE_TARGET },
  run: (context) =>
    withDynamoDBLocal(async (tables) => {
      const workspace = createWorkspace();
      const cloudFront = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION_ID] });
      let fn: LocalFunction | undefined;
      try {
        const built = await buildWithAdapter(
          path.join(FIXTURES, 'invalidate.ts'),
          path.join(workspace.dir, 'p4'),
        );
        fn = await startBundled(
          { taskRoot: path.dirname(built.outfile), handler: built.handler },
          { ...tables.env, AWS_ENDPOINT_URL_CLOUDFRONT: cloudFront.url },
        );
        return await measure(context, fn, cloudFront);
      } finally {
        await stopAll([fn]);
        await cloudFront.close();
        workspace.remove();
      }
    }),
};

async function measure(
  context: BenchContext,
  fn: LocalFunction,
  cloudFront: CloudFrontEndpoint,
): Promise<Measurement[]> {
  const rounds = context.rounds ?? ROUNDS;
  const requestsPerRound: number[] = [];
  const lostPerRound: number[] = [];
  const rejectedPerRound: number[] = [];
  context.log(`P4: ${rounds} rounds of ${CALLS} concurrent invalidateByTag calls in one invocation`);
  for (let round = 0; round < rounds; round++) {
    const prefix = `Bench-R${round}`;
    const before = cloudFront.createRequests().length;
    const response = await fetch(`${fn.url}/?count=${CALLS}&prefix=${prefix}`, {
      headers: { [DISTRIBUTION_ID_HEADER]: DISTRIBUTION_ID },
    });
    const body = (await response.json()) as { calls?: number; rejected?: number };
    if (response.status !== 200 || body.calls !== CALLS || typeof body.rejected !== 'number') {
      throw new Error(`P4: the function answered ${response.status} ${JSON.stringify(body)}`);
    }
    // Whatever the calls left to the waitUntil drain is done once the invocation has ended.
    await fn.runtimeApi.invocation(response.headers.get('x-amzn-requestid') ?? '')?.ended;
    const received = cloudFront.createRequests().slice(before);
    const accepted = new Set(
      received.filter((request) => request.statusCode === 201).flatMap((r) => r.items ?? []),
    );
    const missing = Array.from({ length: CALLS }, (_, i) => `#${toCloudFrontTag(`${prefix}:${i}`)}`).filter(
      (item) => !accepted.has(item),
    );
    requestsPerRound.push(received.length);
    lostPerRound.push(missing.length);
    rejectedPerRound.push(body.rejected);
    context.log(
      `  round ${round + 1}/${rounds}: ${received.length} CreateInvalidation request(s), ${missing.length} tag(s) lost, ${body.rejected} call(s) rejected`,
    );
    // Frees CloudFront's in-progress capacity, as completed invalidations do.
    cloudFront.completeAll();
  }
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  const lost = sum(lostPerRound);
  const rejected = sum(rejectedPerRound);
  const calls = CALLS * rounds;
  // When calls failed, the function's first error line says why.
  const firstError = fn.logs.find((line) => /\tERROR\t/.test(line.text))?.text.slice(0, 400);
  const why = (rejected > 0 || lost > 0) && firstError ? `; first function error: ${firstError}` : '';
  const allowed = Math.ceil(CALLS / ITEMS_PER_REQUEST);
  const ratios = requestsPerRound.map((requests) => requests / allowed);
  return [
    {
      id: 'p4.requests',
      title: `P4 CreateInvalidation requests for ${CALLS.toLocaleString('en-US')} concurrent invalidateByTag ÷ ⌈items ÷ ${ITEMS_PER_REQUEST.toLocaleString('en-US')}⌉`,
      status: 'measured',
      ratio: median(ratios),
      estimator: 'median of per-round ratios',
      spread: [Math.min(...ratios), Math.max(...ratios)],
      samples: rounds,
      medians: { 'CreateInvalidation requests': median(requestsPerRound), allowed },
      unit: 'requests',
      target: REQUESTS_TARGET,
      pass: ratios.every((ratio) => ratio <= 1),
      note: `one invocation per round, real aws-lambda-ric, tag table on DynamoDB Local; spread is min–max; ${rejected} call(s) rejected${why}`,
      ...(context.samples ? { raw: { 'CreateInvalidation requests': requestsPerRound } } : {}),
    },
    {
      id: 'p4.lost',
      title: 'P4 tags lost ÷ tags invalidated',
      status: 'measured',
      ratio: lost / calls,
      spread: null,
      samples: rounds,
      medians: { 'tags lost': lost, 'tags invalidated': calls },
      unit: 'tags',
      target: NONE_TARGET,
      pass: lost === 0,
      note: `a tag counts as delivered when its #tag item is in a CreateInvalidation the endpoint accepted (201)${lost > 0 ? why : ''}`,
      ...(context.samples ? { raw: { 'tags lost': lostPerRound } } : {}),
    },
    {
      id: 'p4.rejected',
      title: 'P4 invalidateByTag calls rejected ÷ calls made',
      status: 'measured',
      ratio: rejected / calls,
      spread: null,
      samples: rounds,
      medians: { 'calls rejected': rejected, 'calls made': calls },
      unit: 'calls',
      target: NONE_TARGET,
      pass: rejected === 0,
      note: `a rejected call tells its caller the purge failed, whether or not its tag reached CloudFront${rejected > 0 ? why : ''}`,
      ...(context.samples ? { raw: { 'calls rejected': rejectedPerRound } } : {}),
    },
  ];
}
