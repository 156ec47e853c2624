import { createPublicKey, type JsonWebKey, type KeyObject, randomUUID, sign, verify } from 'node:crypto';

// Compact JWS (RFC 7515) signing and verification with node:crypto, which reads and writes JWKs
// natively. The local issuer and STS endpoint use it instead of jose: jose 6 is ESM-only and the
// test suite loads these files as CommonJS.

/** The JWS algorithms STS accepts on web identity tokens (AssumeRoleWithWebIdentity). */
export const STS_ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;
export type JwsAlgorithm = (typeof STS_ACCEPTED_ALGORITHMS)[number];

interface AlgorithmSpec {
  readonly hash: string;
  readonly kty: 'RSA' | 'EC';
  readonly curve?: string;
}

const ALGORITHMS: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', curve: 'P-256' },
  ES384: { hash: 'sha384', kty: 'EC', curve: 'P-384' },
  ES512: { hash: 'sha512', kty: 'EC', curve: 'P-521' },
};

export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && value in ALGORITHMS;
}

/** Key type and parameters to generate a key for `algorithm` with `generateKeyPairSync`. */
export function keyTypeFor(algorithm: JwsAlgorithm): AlgorithmSpec {
  return ALGORITHMS[algorithm];
}

/** A decoded, not yet verified, compact JWS. */
export interface DecodedJwt {
  readonly header: { alg?: unknown; kid?: unknown; typ?: unknown };
  readonly payload: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

/** Signs `payload` as a compact JWS with `privateKey`; `kid` goes into the header. */
export function signJwt(
  payload: Record<string, unknown>,
  privateKey: KeyObject,
  algorithm: JwsAlgorithm,
  kid: string,
): string {
  const header = { alg: algorithm, kid, typ: 'JWT' };
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = sign(ALGORITHMS[algorithm].hash, Buffer.from(signingInput), {
    key: privateKey,
    // JWS carries ECDSA signatures as r || s, not DER (RFC 7518 §3.4).
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Splits and decodes a compact JWS, or `undefined` when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(payload)) return undefined;
    return {
      header,
      payload,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether `jwt`'s signature verifies with `jwk` under the header's algorithm. False when the JWK's
 * key type or curve does not fit the algorithm (a key must not be used with another algorithm).
 */
export function verifyJwtSignature(jwt: DecodedJwt, jwk: JsonWebKey): boolean {
  const algorithm = jwt.header.alg;
  if (!isJwsAlgorithm(algorithm)) return false;
  const spec = ALGORITHMS[algorithm];
  if (jwk.kty !== spec.kty || (spec.curve !== undefined && jwk.crv !== spec.curve)) return false;
  if (typeof jwk.alg === 'string' && jwk.alg !== algorithm) return false;
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    return verify(
      spec.hash,
      Buffer.from(jwt.signingInput),
      { key, dsaEncoding: 'ieee-p1363' },
      jwt.signature,
    );
  } catch {
    return false;
  }
}

/** A new random `jti`. */
export function newJwtId(): string {
  return randomUUID();
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
