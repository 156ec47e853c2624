import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import sharp from 'sharp';
import { Cdn } from '../../lib/cdn';
import { ImageOptimizer } from '../../lib/image-optimizer';
import { CloudFrontEndpoint } from '../../lib/local/cloudfront-endpoint';
import { SecretsManagerEndpoint } from '../../lib/local/secrets-manager-endpoint';
import { OriginProtection } from '../../lib/origin-protection';
import { toSrcImageCloudFrontTag } from '../../runtime/cdn/cloudfront-tag';
import { ORIGIN_SECRET_ARN_ENV } from '../../runtime/constructs-contract';
import { IMAGE_OPTIMIZER_CONFIG_ENV } from '../../runtime/image-optimizer/config';
import { SourceServer, samplePng, serve } from '../runtime/image-optimizer/sources';
import { type LocalFunction, startLocalFunction } from './local-function';

// The image optimizer end to end: the ImageOptimizer construct's own bundled asset (synthesized for
// x86_64 so this machine can run its sharp binaries) under the real aws-lambda-ric on Node 24,
// with the environment from the synthesized template, behind the Function URL front. A Vercel-style
// function then purges by source image through the loopback CloudFront endpoint. The Cdn uses
// OriginProtection.secretHeader(), so the optimizer checks the origin secret (read from a loopback
// Secrets Manager) like the functions' adapter does.

const DISTRIBUTION = 'E1IMAGESCDN001';
const SECRET_VALUE = 'Cl0udFrontSendsThisToTheImageOptimizer';
// What CloudFront adds to every request it forwards: its viewer-request function's headers and
// the origin's custom secret header.
const FROM_CLOUDFRONT = { 'x-vfa-distribution-id': DISTRIBUTION, 'x-vfa-origin-secret': SECRET_VALUE };
const SRC = '/images/hero.png';
const REPO_NODE_MODULES = path.resolve(__dirname, '..', '..', 'node_modules');

let cloudFront: CloudFrontEndpoint;
let secrets: SecretsManagerEndpoint;
let source: SourceServer;
let optimizer: LocalFunction;
let purger: LocalFunction;
let outdir: string;

beforeAll(async () => {
  cloudFront = await CloudFrontEndpoint.start({ distributionIds: [DISTRIBUTION], completionDelayMs: 0 });
  secrets = await SecretsManagerEndpoint.start();
  const secretArn = secrets.createSecret('image-origin-secret', SECRET_VALUE);
  source = await SourceServer.start({
    [SRC]: serve(await samplePng(800, 600), { 'content-type': 'image/png' }),
  });

  outdir = mkdtempSync(path.join(tmpdir(), 'vfa-images-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Images');
  const images = new ImageOptimizer(stack, 'Optimizer', {
    architecture: lambda.Architecture.X86_64,
    formats: ['image/avif', 'image/webp'],
    sizes: [256, 640, 1080],
  });
  images.addToCdn(new Cdn(stack, 'Cdn', { originProtection: OriginProtection.secretHeader() }));
  const assembly = app.synth();
  // The bundle leaves @aws-sdk/* out: the Lambda Node.js runtime provides it, to require() and
  // import() alike. Here a node_modules above the asset folder stands in for it (import() ignores
  // NODE_PATH); sharp still comes from the asset's own node_modules, the nearer one.
  symlinkSync(REPO_NODE_MODULES, path.join(outdir, 'node_modules'), 'dir');
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find(
    (resource) => resource.Properties.Environment?.Variables?.[IMAGE_OPTIMIZER_CONFIG_ENV] !== undefined,
  )!;
  const environment: Record<string, string> = fn.Properties.Environment.Variables;
  // Deployed, local sources come through the distribution; here from the loopback origin.
  const config = { ...JSON.parse(environment[IMAGE_OPTIMIZER_CONFIG_ENV]), localOrigin: source.origin };
  optimizer = await startLocalFunction({
    taskRoot: path.join(assembly.directory, `asset.${String(fn.Properties.Code.S3Key).replace('.zip', '')}`),
    handler: fn.Properties.Handler,
    env: {
      ...environment,
      [IMAGE_OPTIMIZER_CONFIG_ENV]: JSON.stringify(config),
      // The template names the secret CloudFormation creates; here the loopback one.
      [ORIGIN_SECRET_ARN_ENV]: secretArn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_ACCESS_KEY_ID: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SecretsManagerEndpoint.DEFAULT_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: 'local-session-token',
    },
  });
  purger = await startLocalFunction({
    entry: path.join(__dirname, 'fixtures', 'image-purge.ts'),
    env: {
      AWS_ENDPOINT_URL_CLOUDFRONT: cloudFront.url,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
  });
});
afterAll(async () => {
  await optimizer?.stop();
  await purger?.stop();
  await source?.close();
  await cloudFront?.close();
  await secrets?.close();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function image(query: string, headers: Record<string, string> = {}, method = 'GET') {
  return fetch(`${optimizer.url}/_vercel/image?${query}`, {
    method,
    headers: { ...FROM_CLOUDFRONT, ...headers },
  });
}

describe('image optimizer under the real Lambda runtime', () => {
  test('serves every width, quality and format of a source tagged with the source tag', async () => {
    const variants = [
      {
        query: 'url=%2Fimages%2Fhero.png&w=256&q=75',
        accept: '*/*',
        type: 'image/png',
        format: 'png',
        width: 256,
      },
      {
        query: 'url=%2Fimages%2Fhero.png&w=640&q=50',
        accept: 'image/avif,image/webp,*/*',
        type: 'image/avif',
        format: 'heif',
        width: 640,
      },
      {
        query: 'url=%2Fimages%2Fhero.png&w=1080&q=90',
        accept: 'image/webp,*/*',
        type: 'image/webp',
        format: 'webp',
        width: 800,
      },
    ];
    const tag = toSrcImageCloudFrontTag(SRC);
    for (const variant of variants) {
      const response = await image(variant.query, { accept: variant.accept });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(variant.type);
      expect(response.headers.get('vercel-cache-tag')).toBe(tag);
      expect(response.headers.get('cache-control')).toBe('public, max-age=14400, immutable');
      const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect(metadata).toMatchObject({ format: variant.format, width: variant.width });
    }
  });

  test('answers HEAD with the headers and no body', async () => {
    const response = await image('url=%2Fimages%2Fhero.png&w=256', {}, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('vercel-cache-tag')).toBe(toSrcImageCloudFrontTag(SRC));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  test('answers 403 to a direct call without the origin secret, as the adapter does', async () => {
    const response = await fetch(`${optimizer.url}/_vercel/image?url=%2Fimages%2Fhero.png&w=256`);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('Forbidden');
  });

  test('answers 400 with the reason for a width the configuration does not allow', async () => {
    const response = await image('url=%2Fimages%2Fhero.png&w=300');
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(
      '"w" parameter (width) of 300 is not allowed (allowed: 256, 640, 1080)\n',
    );
  });

  test('answers 400 for an event that is not a Function URL event', async () => {
    const result = await optimizer.invoke({ version: '1.0', path: '/_vercel/image' });
    expect(result.statusCode).toBe(400);
    expect(result.body.toString()).toContain('payload format version "2.0"');
  });

  test('invalidateBySrcImage from a function sends one #tag invalidation for all the variants', async () => {
    const response = await fetch(`${purger.url}/invalidate?src=${encodeURIComponent(SRC)}`, {
      headers: FROM_CLOUDFRONT,
    });
    expect(await response.text()).toBe('invalidated');
    await purger.runtimeApi.invocation(response.headers.get('x-amzn-requestid')!)?.ended;
    const sent = cloudFront.invalidations(DISTRIBUTION);
    expect(sent).toHaveLength(1);
    expect(sent[0].items).toEqual([`#${toSrcImageCloudFrontTag(SRC)}`]);
  });
});

describe('dangerouslyDeleteBySrcImage against the optimized variants', () => {
  test('sends the same single #tag invalidation when the deadline is 0 (the default)', async () => {
    const before = cloudFront.invalidations(DISTRIBUTION).length;
    const response = await fetch(`${purger.url}/delete?src=${encodeURIComponent(SRC)}`, {
      headers: FROM_CLOUDFRONT,
    });
    expect(await response.text()).toBe('deleted');
    await purger.runtimeApi.invocation(response.headers.get('x-amzn-requestid')!)?.ended;
    const sent = cloudFront.invalidations(DISTRIBUTION);
    expect(sent).toHaveLength(before + 1);
    expect(sent.at(-1)?.items).toEqual([`#${toSrcImageCloudFrontTag(SRC)}`]);
  });
});
