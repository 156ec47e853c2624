import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LOCAL_CLIENT_CONFIG } from '../../lib/local/dynamodb-local';
import { decodeJwt, verifyJwtSignature } from '../../lib/local/jwt';
import { LocalOidcIssuer } from '../../lib/local/oidc-issuer';
import { parseSigV4Authorization, verifySigV4 } from '../../lib/local/sigv4';
import {
  API_AUDIENCE,
  DATA_ROLE,
  type Federation,
  FUNCTION_ROLE,
  REGION,
  regionEnv,
  startFederation,
} from '../runtime/vercel-oidc/federation';
import { dynamoDBLocalEndpoint } from '../setup/dynamodb-tables';
import { type LocalFunction, startLocalFunction } from './local-function';

// OIDC end to end: the example `examples/oidc/api/aws.ts` (written as Vercel's guide shows, importing
// @vercel/oidc-aws-credentials-provider) bundled like the construct bundles it, run by the real
// aws-lambda-ric on Node 24, getting credentials from the loopback STS and reading DynamoDB Local.
// A recording proxy in front of DynamoDB Local checks which credentials signed each request
// (DynamoDB Local itself accepts any).

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'oidc', 'api', 'aws.ts');
const TABLE = `oidc-example-${Date.now()}`;

interface SignedBy {
  readonly accessKeyId: string;
  readonly signatureValid: boolean;
}

let federation: Federation;
let proxy: { url: string; seen: SignedBy[]; server: Server };

beforeAll(async () => {
  federation = await startFederation();
  proxy = await startSigningProxy(dynamoDBLocalEndpoint());
  await dynamodb().send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  await dynamodb()
    .send(new DeleteTableCommand({ TableName: TABLE }))
    .catch(() => undefined);
  if (proxy) await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
  await federation?.stop();
});

function dynamodb(): DynamoDBClient {
  return new DynamoDBClient({ ...DYNAMODB_LOCAL_CLIENT_CONFIG, endpoint: dynamoDBLocalEndpoint() });
}

/** Forwards to DynamoDB Local and records the access key id and whether the SigV4 signature holds. */
async function startSigningProxy(target: string) {
  const seen: SignedBy[] = [];
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const authorization = parseSigV4Authorization(req.headers.authorization);
    const issued = federation.sts.issued.find((c) => c.accessKeyId === authorization?.accessKeyId);
    seen.push({
      accessKeyId: authorization?.accessKeyId ?? '',
      signatureValid:
        !!authorization &&
        !!issued &&
        req.headers['x-amz-security-token'] === issued.sessionToken &&
        verifySigV4(
          { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
          authorization,
          issued.secretAccessKey,
        ),
    });
    const forward = httpRequest(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Runs the example once with `env` (plus the role and DynamoDB endpoint) and stops it again. */
async function runExample(env: Record<string, string>) {
  const fn = await startLocalFunction({
    entry: EXAMPLE,
    region: REGION,
    env: { ...env, AWS_ROLE_ARN: DATA_ROLE, AWS_ENDPOINT_URL_DYNAMODB: proxy.url },
  });
  try {
    const response = await fetch(`${fn.url}/api/aws`);
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      bundle: readFileSync(path.join(fn.taskRoot, 'index.js'), 'utf8'),
    };
  } finally {
    await fn.stop();
  }
}

describe('examples/api/aws.ts under the real runtime client', () => {
  test('reads DynamoDB with credentials the function role obtained by assuming AWS_ROLE_ARN', async () => {
    const before = proxy.seen.length;
    const { status, body, bundle } = await runExample(federation.functionEnv());
    // The example lists the first 20 tables; DynamoDB Local is shared by the whole test run, so which
    // tables come first depends on the other suites — only that the call succeeded is checked here.
    expect({ status, tables: (body.tables as string[]).length > 0 }).toEqual({ status: 200, tables: true });

    const assumed = federation.sts.issued.filter((c) => c.roleArn === DATA_ROLE && c.via === 'AssumeRole');
    const signedBy = proxy.seen.slice(before);
    expect(signedBy.length).toBeGreaterThan(0);
    for (const request of signedBy) {
      expect(request.signatureValid).toBe(true);
      expect(assumed.map((c) => c.accessKeyId)).toContain(request.accessKeyId);
    }
    // The bundle carries the STS client this package ships, not the Lambda runtime's copy.
    expect(bundle).toContain('GetWebIdentityToken');
    for (const pkg of [
      'client-sts',
      'credential-provider-web-identity',
      'nested-clients/sts',
      'client-dynamodb',
    ]) {
      expect(bundle).not.toContain(`require("@aws-sdk/${pkg}")`);
    }
  });

  test('reads DynamoDB with credentials from AssumeRoleWithWebIdentity when VERCEL_OIDC_TOKEN is set', async () => {
    const before = proxy.seen.length;
    const token = federation.vercelToken();
    const { status, body } = await runExample({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: token });
    // The example lists the first 20 tables; DynamoDB Local is shared by the whole test run, so which
    // tables come first depends on the other suites — only that the call succeeded is checked here.
    expect({ status, tables: (body.tables as string[]).length > 0 }).toEqual({ status: 200, tables: true });

    const assumed = federation.sts.issued.filter(
      (c) => c.via === 'AssumeRoleWithWebIdentity' && c.roleArn === DATA_ROLE,
    );
    for (const request of proxy.seen.slice(before)) {
      expect(request.signatureValid).toBe(true);
      expect(assumed.map((c) => c.accessKeyId)).toContain(request.accessKeyId);
    }
  });

  test('answers 500 with the reason when the trust policy rejects the token subject', async () => {
    const token = federation.vercelToken({ sub: 'owner:acme:project:blog:environment:production' });
    const { status, body } = await runExample({ ...regionEnv(federation.sts), VERCEL_OIDC_TOKEN: token });
    expect(status).toBe(500);
    expect(body.error).toMatch(
      /^STS AssumeRoleWithWebIdentity of role .* failed with AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity/,
    );
  });
});

describe('@vercel/oidc under the real runtime client', () => {
  let fn: LocalFunction;
  let vercel: LocalOidcIssuer;

  beforeAll(async () => {
    vercel = await LocalOidcIssuer.start({ jwksPath: '/.well-known/jwks' });
    fn = await startLocalFunction({
      entry: path.join(__dirname, 'fixtures', 'oidc-token.ts'),
      region: REGION,
      env: {
        ...federation.functionEnv(),
        VERCEL_FUNCTIONS_AWS_OIDC_AUDIENCE: API_AUDIENCE,
        TEST_JWKS_URL: `${vercel.url}/.well-known/jwks`,
      },
    });
  });
  afterAll(async () => {
    await fn?.stop();
    await vercel?.stop();
  });

  test('getVercelOidcToken returns a GetWebIdentityToken token for the function role and configured audience', async () => {
    const response = await fetch(`${fn.url}/token`);
    const { token } = (await response.json()) as { token: string };
    const jwt = decodeJwt(token)!;
    expect(jwt.payload).toMatchObject({
      iss: federation.sts.outboundIssuer.url,
      aud: API_AUDIENCE,
      sub: FUNCTION_ROLE,
    });
    const key = federation.sts.outboundIssuer.jwks().keys.find((k) => k.kid === jwt.header.kid)!;
    expect(verifyJwtSignature(jwt, key)).toBe(true);
  });

  // Vercel's issuer URL is fixed in upstream's check, so these tokens claim it; the fixture serves the
  // local issuer's keys where Vercel's JWKS would be.
  const vercelClaims = (claims: Record<string, unknown>) => ({
    iss: 'https://oidc.vercel.com/acme',
    sub: 'owner:acme:project:shop:environment:production',
    aud: 'https://vercel.com/acme',
    owner_id: 'team_acme',
    project_id: 'prj_shop',
    environment: 'production',
    ...claims,
  });

  test('verifyVercelOidcToken accepts a token of the expected project and environment', async () => {
    const token = vercel.sign(vercelClaims({}));
    const response = await fetch(`${fn.url}/verify?token=${token}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { payload: { project_id: string } }).payload.project_id).toBe(
      'prj_shop',
    );
  });

  test("verifyVercelOidcToken rejects with upstream's message when the project differs", async () => {
    const token = vercel.sign(vercelClaims({ project_id: 'prj_blog' }));
    const response = await fetch(`${fn.url}/verify?token=${token}`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      name: 'TypeError',
      message: 'Expected Vercel OIDC token project_id claim to be "prj_shop".',
    });
  });

  test('verifyVercelOidcToken rejects a token signed by a key Vercel does not publish', async () => {
    const token = vercel.sign(vercelClaims({}), { unpublishedKey: true });
    const response = await fetch(`${fn.url}/verify?token=${token}`);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { name: string }).name).toBe('JWKSNoMatchingKey');
  });
});
