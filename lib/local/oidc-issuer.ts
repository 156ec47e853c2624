import { generateKeyPairSync, type JsonWebKey, type KeyObject, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EndpointServer, startEndpointServer } from './endpoint-server';
import { type JwsAlgorithm, keyTypeFor, newJwtId, signJwt } from './jwt';

/** Options of {@link LocalOidcIssuer.start}. */
export interface LocalOidcIssuerOptions {
  /**
   * Path of the issuer under its origin: `'/acme'` gives `http://127.0.0.1:<port>/acme`, like
   * Vercel's team issuer `https://oidc.vercel.com/<team>`.
   *
   * @default '' - the origin itself
   */
  readonly path?: string;
  /**
   * Algorithms the issuer holds a key for; the first is `sign`'s default.
   *
   * @default ['RS256']
   */
  readonly algorithms?: readonly JwsAlgorithm[];
  /**
   * Path of the JWKS below the issuer URL (discovery's `jwks_uri` points to it). Vercel serves
   * `/.well-known/jwks`, AWS's outbound-federation issuer `/.well-known/jwks.json`.
   *
   * @default '/.well-known/jwks.json'
   */
  readonly jwksPath?: string;
}

/** Options of {@link LocalOidcIssuer.sign}. */
export interface IssuerSignOptions {
  /** @default - the issuer's first algorithm */
  readonly algorithm?: JwsAlgorithm;
  /**
   * Lifetime in seconds from now; ignored when the claims carry `exp`.
   *
   * @default 300
   */
  readonly expiresInSeconds?: number;
  /** Sign with a key the JWKS does not publish (an impostor, or a key rotated out). */
  readonly unpublishedKey?: boolean;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: JsonWebKey;
}

/**
 * An OpenID Connect issuer on loopback for tests and local development: its discovery document
 * (`<url>/.well-known/openid-configuration`) and JWKS, served over HTTP, and `sign()` for tokens it
 * issues. Stands in for Vercel's, GitHub's or an AWS account's issuer in front of
 * {@link LocalStsEndpoint}. Real issuers are HTTPS; this one is plain HTTP on 127.0.0.1.
 *
 * @example
 * const issuer = await LocalOidcIssuer.start({ path: '/acme' });
 * const token = issuer.sign({ sub: 'owner:acme:project:shop:environment:production', aud: 'https://vercel.com/acme' });
 * await issuer.stop();
 */
export class LocalOidcIssuer {
  /** Starts the issuer on a free loopback port. */
  static async start(options: LocalOidcIssuerOptions = {}): Promise<LocalOidcIssuer> {
    const issuer = new LocalOidcIssuer(options);
    issuer.server = await startEndpointServer((req, _body, res) => issuer.serve(req, res));
    return issuer;
  }

  /** Paths requested so far, in order (e.g. to see that STS read discovery, then the JWKS). */
  readonly requests: string[] = [];

  private readonly path: string;
  private readonly jwksPath: string;
  private readonly algorithms: readonly JwsAlgorithm[];
  private readonly published = new Map<JwsAlgorithm, SigningKey>();
  private readonly unpublished = new Map<JwsAlgorithm, SigningKey>();
  // Set by start(), before anyone can reach the issuer.
  private server!: EndpointServer;

  private constructor(options: LocalOidcIssuerOptions) {
    this.path = (options.path ?? '').replace(/\/+$/, '');
    if (this.path !== '' && !this.path.startsWith('/')) {
      throw new Error(`LocalOidcIssuer: path must start with '/', got ${JSON.stringify(options.path)}`);
    }
    this.jwksPath = options.jwksPath ?? '/.well-known/jwks.json';
    this.algorithms = options.algorithms ?? ['RS256'];
    if (this.algorithms.length === 0) throw new Error('LocalOidcIssuer: algorithms must not be empty');
    for (const algorithm of this.algorithms) this.published.set(algorithm, newKey(algorithm));
  }

  /** The issuer URL: the tokens' `iss`, and what an IAM OIDC provider is registered with. */
  get url(): string {
    return `${this.server.url}${this.path}`;
  }

  /** The published keys (`{ keys: [...] }`). */
  jwks(): { keys: JsonWebKey[] } {
    return { keys: [...this.published.values()].map((key) => key.jwk) };
  }

  /**
   * Issues a token: `iss`, `iat`, `exp` and `jti` are filled in unless `claims` sets them.
   *
   * @example issuer.sign({ sub: 'repo:acme/shop:ref:refs/heads/main', aud: 'sts.amazonaws.com' })
   */
  sign(claims: Record<string, unknown>, options: IssuerSignOptions = {}): string {
    const algorithm = options.algorithm ?? this.algorithms[0];
    const keys = options.unpublishedKey ? this.unpublished : this.published;
    if (options.unpublishedKey && !keys.has(algorithm)) keys.set(algorithm, newKey(algorithm));
    const key = keys.get(algorithm);
    if (!key) {
      throw new Error(`LocalOidcIssuer: no ${algorithm} key; start the issuer with algorithms including it`);
    }
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: this.url,
      iat: now,
      exp: now + (options.expiresInSeconds ?? 300),
      jti: newJwtId(),
      ...claims,
    };
    return signJwt(payload, key.privateKey, algorithm, key.kid);
  }

  /** Stops serving; afterwards discovery and JWKS are unreachable (connection refused). */
  async stop(): Promise<void> {
    await this.server.close();
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    this.requests.push(path);
    const body =
      path === `${this.path}/.well-known/openid-configuration`
        ? this.discovery()
        : path === `${this.path}${this.jwksPath}`
          ? this.jwks()
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  }

  private discovery(): Record<string, unknown> {
    return {
      issuer: this.url,
      jwks_uri: `${this.url}${this.jwksPath}`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [...this.algorithms],
      claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti'],
    };
  }
}

function newKey(algorithm: JwsAlgorithm): SigningKey {
  const spec = keyTypeFor(algorithm);
  const { privateKey, publicKey } =
    spec.kty === 'RSA'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: spec.curve as string });
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: algorithm, use: 'sig' },
  };
}
