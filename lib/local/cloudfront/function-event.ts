// The event CloudFront Functions receive and the objects they return
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html).
// Header names are lower-case; a repeated header, query parameter or cookie has its first value in
// `value` and all of them in `multiValue`.

/** A header, query string parameter or request cookie. */
export interface FunctionValue {
  value: string;
  multiValue?: { value: string }[];
}

/** A response cookie (from `Set-Cookie`). */
export interface FunctionCookie {
  value: string;
  attributes?: string;
  multiValue?: { value: string; attributes?: string }[];
}

/** The viewer request as a function sees it. */
export interface FunctionRequest {
  method: string;
  uri: string;
  querystring: Record<string, FunctionValue>;
  headers: Record<string, FunctionValue>;
  cookies: Record<string, FunctionValue>;
}

/** A response, as a viewer-request function generates it or a viewer-response function sees it. */
export interface FunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, FunctionValue>;
  cookies: Record<string, FunctionCookie>;
  body?: string | { data: string; encoding: 'text' | 'base64' };
}

/** The `event` argument of a CloudFront Function. */
export interface FunctionEvent {
  version: '1.0';
  context: {
    distributionDomainName: string;
    distributionId: string;
    eventType: 'viewer-request' | 'viewer-response';
    requestId: string;
  };
  viewer: { ip: string };
  request: FunctionRequest;
  response?: FunctionResponse;
}

/** `[name, value]` pairs (names as sent) → the function's header object. */
export function toFunctionHeaders(pairs: Iterable<readonly [string, string]>): Record<string, FunctionValue> {
  const headers: Record<string, FunctionValue> = {};
  for (const [name, value] of pairs) add(headers, name.toLowerCase(), value);
  return headers;
}

/** The function's header object → `[name, value]` pairs, repeated headers as separate pairs. */
export function fromFunctionValues(values: Record<string, FunctionValue>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, entry] of Object.entries(values)) {
    if (entry.multiValue && entry.multiValue.length > 0) {
      for (const item of entry.multiValue) pairs.push([name, item.value]);
    } else {
      pairs.push([name, entry.value]);
    }
  }
  return pairs;
}

/**
 * A raw query string (without `?`) → the function's `querystring` object. Names and values stay as
 * sent (percent-encoded), as CloudFront passes them.
 */
export function parseQueryString(raw: string): Record<string, FunctionValue> {
  const querystring: Record<string, FunctionValue> = {};
  if (raw === '') return querystring;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    add(querystring, at === -1 ? part : part.slice(0, at), at === -1 ? '' : part.slice(at + 1));
  }
  return querystring;
}

/** The function's `querystring` object → a raw query string, in the object's order. */
export function serializeQueryString(querystring: Record<string, FunctionValue>): string {
  return fromFunctionValues(querystring)
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
}

/** `Cookie` header values → the function's `cookies` object. */
export function parseCookies(headerValues: readonly string[]): Record<string, FunctionValue> {
  const cookies: Record<string, FunctionValue> = {};
  for (const header of headerValues) {
    for (const part of header.split(';')) {
      const cookie = part.trim();
      if (cookie === '') continue;
      const at = cookie.indexOf('=');
      add(cookies, at === -1 ? cookie : cookie.slice(0, at), at === -1 ? '' : cookie.slice(at + 1));
    }
  }
  return cookies;
}

/** The function's `cookies` object → a `Cookie` header value (`undefined` when there are none). */
export function serializeCookies(cookies: Record<string, FunctionValue>): string | undefined {
  const pairs = fromFunctionValues(cookies).map(([name, value]) => `${name}=${value}`);
  return pairs.length > 0 ? pairs.join('; ') : undefined;
}

/** `Set-Cookie` header values → the function's response `cookies` object. */
export function parseSetCookies(values: readonly string[]): Record<string, FunctionCookie> {
  const cookies: Record<string, FunctionCookie> = {};
  for (const header of values) {
    const semicolon = header.indexOf(';');
    const pair = semicolon === -1 ? header : header.slice(0, semicolon);
    const attributes = semicolon === -1 ? undefined : header.slice(semicolon + 1).trim();
    const at = pair.indexOf('=');
    const name = (at === -1 ? pair : pair.slice(0, at)).trim();
    const value = at === -1 ? '' : pair.slice(at + 1).trim();
    const entry = { value, ...(attributes ? { attributes } : {}) };
    const existing = cookies[name];
    if (!existing) {
      cookies[name] = { ...entry };
      continue;
    }
    existing.multiValue ??= [{ value: existing.value, attributes: existing.attributes }];
    existing.multiValue.push(entry);
  }
  return cookies;
}

/** The function's response `cookies` object → `Set-Cookie` header values. */
export function serializeSetCookies(cookies: Record<string, FunctionCookie>): string[] {
  const values: string[] = [];
  for (const [name, cookie] of Object.entries(cookies)) {
    const items = cookie.multiValue && cookie.multiValue.length > 0 ? cookie.multiValue : [cookie];
    for (const item of items)
      values.push(item.attributes ? `${name}=${item.value}; ${item.attributes}` : `${name}=${item.value}`);
  }
  return values;
}

function add(target: Record<string, FunctionValue>, name: string, value: string): void {
  const existing = target[name];
  if (!existing) {
    target[name] = { value };
    return;
  }
  existing.multiValue ??= [{ value: existing.value }];
  existing.multiValue.push({ value });
}
