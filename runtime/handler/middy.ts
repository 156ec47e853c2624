import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { prepareCdnResponse, reportUnsentCacheTags } from '../cdn/response';
// A middy handler may use the real @vercel/functions, which finds the Runtime Cache, CDN purges
// and addCacheTag() only through the request context: register them all (context-services.ts).
import '../context-services';
import { MiddyExecutionModeMissingError } from '../errors';
import { bundledRouteHeaders } from './bundled-route-headers';
import { appendAsNodeReadsIt, SIGNATURE_HEADER, signedByIam } from './event';
import { drainSafetyMargin, drainWaitUntil, openRequestContext } from './invocation';
import { lambdaRuntime } from './lambda-runtime';
import { logWarning } from './log';
import { guardMiddyEvent } from './middy-guard';
import { currentRequestContext, type RequestContext, runWithRequestContext } from './request-context';
import { sendResponse } from './response-stream';
import type { mergeRouteHeaders } from './route-headers';
import type { HandlerOptions } from './types';
import {
  applyTrustedHeaders,
  isTrustedHeaderName,
  isViewerHeaderName,
  viaCloudFront,
} from './viewer-headers';

/*
 * middy support. Only types are imported from @middy/core (an optional peer, and ESM-only): the
 * user passes middy's own streaming execution mode in, so nothing here loads middy at run time.
 *
 * Why an execution mode and not just a middleware: a middy middleware cannot do this job.
 * - The context would have to be entered with AsyncLocalStorage#enterWith from `before`. Measured
 *   with @middy/core 7 on Node 24 (test/runtime/handler/middy.test.ts): a synchronous `before`
 *   reaches the handler but the store leaks into the caller after the invocation, and a `before`
 *   that awaits anything first leaks one request's store into every concurrent request.
 *   `AsyncLocalStorage#run` around the whole invocation has neither problem, and only code that
 *   wraps the invocation can call it.
 * - waitUntil() work must be awaited after the response stream has ended and before the handler's
 *   promise settles. middy ends the stream after the last `after` hook has run, so no middleware
 *   hook runs late enough.
 * So `vercelExecutionMode()` wraps middy's streaming execution mode and does both, and the
 * `vercelRequestContext()` middleware only fails loudly when that wrapper is missing — without
 * it, waitUntil() would silently do nothing.
 */

// @middy/core is ESM-only; this CommonJS file can reach its types only in import mode.
type MiddlewareObj = import('@middy/core', { with: { 'resolution-mode': 'import' }}).MiddlewareObj;

/** A middy execution mode: called once by `middy()`, returns the Lambda handler middy decorates. */
// biome-ignore lint/suspicious/noExplicitAny: middy passes its internals through untyped.
export type MiddyExecutionMode = (...args: any[]) => unknown;

/** The streaming handler middy's streaming execution mode returns, with its `.handler()` setter. */
type MiddyStreamingHandler = ((
  event: unknown,
  responseStream: Writable,
  context: Context,
) => Promise<unknown>) & {
  handler?: (replacement: unknown) => unknown;
};

/**
 * Wraps middy's streaming execution mode so each invocation runs inside the Vercel request
 * context, behind the same guard as the adapter: with `OriginProtection.secretHeader()` a request
 * without CloudFront's secret gets 403 (503 while the secret cannot be read) and never reaches
 * middy, and with a route (`VERCEL_FUNCTIONS_AWS_ROUTE`) other paths get Vercel's 404 while the
 * route's dynamic segments arrive in the query (`rawQueryString`, `queryStringParameters`), as
 * Vercel passes them. Then `@vercel/functions` works in middlewares and the handler (`waitUntil`,
 * `headers`, OIDC, ...), the event's headers are made trustworthy like the adapter's (spoofable
 * `x-real-ip` / `x-forwarded-for` / `x-vercel-*` dropped, `x-real-ip`, `x-vercel-ip-*` and
 * `x-vercel-id` derived from CloudFront's viewer headers), and `waitUntil()` work is awaited after
 * the response stream has ended, bounded by the remaining time minus the safety margin. The
 * response headers of the request's vercel.json `headers` rules are added to middy's response
 * (`{ statusCode, headers, cookies, body }`) for each name it does not set itself, as on Vercel,
 * and that response then goes through the adapter's CDN step (cdn/response.ts): `CDN-Cache-Control`
 * and `Vercel-CDN-Cache-Control` translated for CloudFront, a cacheable response that sets cookies
 * or varies on `Cookie` kept out of CloudFront's cache, and `addCacheTag()` tags merged with a
 * `Vercel-Cache-Tag` header into CloudFront's tags.
 *
 * If the middy handler rejects, the rejection is rethrown after the drain, unchanged, so the
 * Lambda runtime reports it exactly as it would without this wrapper.
 *
 * @example
 * ```ts
 * import middy from '@middy/core';
 * import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
 * import { vercelExecutionMode, vercelRequestContext } from 'vercel-functions-aws/runtime/handler/middy';
 * import { waitUntil } from '@vercel/functions';
 *
 * export const handler = middy(
 *   async (event) => {
 *     waitUntil(recordVisit(event.headers['x-real-ip']));
 *     return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hello' };
 *   },
 *   { executionMode: vercelExecutionMode(executionModeStreamifyResponse) },
 * ).use(vercelRequestContext());
 * ```
 */
export function vercelExecutionMode(
  base: MiddyExecutionMode,
  options: HandlerOptions = {},
): MiddyExecutionMode {
  if (typeof base !== 'function') {
    throw new TypeError(
      "vercelExecutionMode() expects middy's streaming execution mode (executionModeStreamifyResponse from " +
        `'@middy/core/StreamifyResponse'), got ${typeof base}`,
    );
  }
  const safetyMarginMs = drainSafetyMargin(options);
  return (internals, ...rest) => {
    const runtime = lambdaRuntime();
    const inner = base(withResponseSteps(internals), ...rest) as MiddyStreamingHandler;
    if (typeof inner !== 'function') {
      throw new TypeError(
        'vercelExecutionMode(): the wrapped execution mode did not return a handler function',
      );
    }
    // A buffered mode (executionModeStandard, executionModeDurableContext) returns its response
    // instead of writing the stream this wrapper hands it, so every request would fail with
    // "Response stream is not finished.": refused here, when middy() is called at module load.
    if ((inner as unknown as Record<symbol, unknown>)[STREAMING_MARK] !== 'response') {
      throw new TypeError(
        "vercelExecutionMode() expects middy's streaming execution mode (executionModeStreamifyResponse from " +
          `'@middy/core/StreamifyResponse'), got ${base.name || 'an execution mode'}, whose handler does not stream its response`,
      );
    }
    const outer = runtime.streamifyResponse(
      async (event: unknown, responseStream: Writable, context: Context): Promise<void> => {
        const requestId = context.awsRequestId;
        // The adapter's guard (origin secret, route) before anything of the user's runs; without it
        // a middy handler behind OriginProtection.secretHeader() would answer direct callers.
        const guarded = await guardMiddyEvent(event, requestId);
        if (guarded.response) {
          await sendResponse(runtime, responseStream, guarded.response, { omitBody: guarded.omitBody });
          return;
        }
        const trusted = withTrustedHeaders(guarded.event, requestId, guarded.originSecretChecked);
        const opened = openRequestContext(requestId, trusted.contextHeaders, context);
        const requestContext = opened instanceof Promise ? await opened : opened;
        if (guarded.routeHeaders !== undefined) requestContext.routeHeaders = guarded.routeHeaders;
        if (guarded.request) requestContext.cdnStep = { request: guarded.request };
        let failure: { error: unknown } | undefined;
        try {
          await runWithRequestContext(requestContext, () => inner(trusted.event, responseStream, context));
          // middy has sent the response: start what the CDN step left for afterwards (as the adapter).
          requestContext.cdnStep?.afterResponse?.();
        } catch (error) {
          failure = { error };
        }
        if (!failure && requestContext.routeHeaders !== undefined) {
          logWarning(
            requestId,
            `The vercel.json headers rules' response headers are not applied: the middy handler's response is not a { statusCode, headers } object (not applied: ${requestContext.routeHeaders})`,
          );
        }
        // The CDN step closed the tags when it applied them; otherwise there was no step to apply them.
        if (!requestContext.cacheTagsClosed) reportUnsentCacheTags(requestContext);
        await drainWaitUntil(requestContext, context, safetyMarginMs);
        if (failure) throw failure.error;
      },
    ) as MiddyStreamingHandler;
    // middy's streaming mode lets `.handler(fn)` replace the base handler; keep that working.
    outer.handler = (replacement) => {
      inner.handler?.(replacement);
      return outer;
    };
    return outer;
  };
}

/** The mark `awslambda.streamifyResponse()` sets on a handler; the runtime reads it at load time. */
const STREAMING_MARK = Symbol.for('aws.lambda.runtime.handler.streaming');

/**
 * middy's internals (`{ middyRequest, runRequest }`, the first argument of an execution mode) with a
 * `runRequest` that finishes the response it resolves to as the adapter finishes its own — the
 * current request's route headers added, then the CDN step — after every middleware (including
 * `onError` ones) and before the execution mode writes the prelude. Other shapes are passed on as
 * they are (route headers and `addCacheTag()` tags are then reported as not applied).
 */
function withResponseSteps(internals: unknown): unknown {
  if (!isRecord(internals) || typeof internals.runRequest !== 'function') return internals;
  const runRequest = internals.runRequest as (...args: unknown[]) => Promise<unknown>;
  return {
    ...internals,
    runRequest: async (...args: unknown[]) => {
      const response = await runRequest(...args);
      const context = currentRequestContext();
      // middy writes a prelude only for a response with a status code.
      if (!context || !isRecord(response) || !response.statusCode) return response;
      const raw = context.routeHeaders;
      // Without the functions (a bundle built without the rules) the guard refused every request
      // carrying route headers, so `raw` is undefined here.
      const functions = bundledRouteHeaders();
      if (raw !== undefined && functions) {
        context.routeHeaders = undefined;
        const headers = functions.parseRouteHeaders(raw, context.requestId);
        if (headers) addRouteHeaders(response, headers, functions.mergeRouteHeaders);
      }
      if (context.cdnStep) applyCdnStep(response, context, context.cdnStep);
      return response;
    },
  };
}

/**
 * Runs the adapter's CDN step (`prepareCdnResponse`) on a middy HTTP response, in place, and keeps
 * what it leaves for after the response in `step`. The step reads lower-case names and string
 * values, as in the adapter's prelude; middy's headers may have any casing (and number values),
 * so it works on a lower-case view and only the headers it changed or added are written back, in
 * lower case: the others keep their names. `Set-Cookie` in `headers` or `multiValueHeaders`
 * counts as setting cookies, like `cookies`.
 */
function applyCdnStep(
  response: Record<string, unknown>,
  context: RequestContext,
  step: NonNullable<RequestContext['cdnStep']>,
): void {
  const own = isRecord(response.headers) ? response.headers : {};
  const view: Record<string, string> = {};
  for (const [name, value] of Object.entries(own)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const lower = name.toLowerCase();
    view[lower] = view[lower] === undefined ? String(value) : `${view[lower]}, ${value}`;
  }
  const cookies = Array.isArray(response.cookies) ? [...response.cookies] : [];
  if (view['set-cookie'] !== undefined) cookies.push(view['set-cookie']);
  if (isRecord(response.multiValueHeaders)) {
    for (const [name, values] of Object.entries(response.multiValueHeaders)) {
      if (name.toLowerCase() === 'set-cookie' && Array.isArray(values)) cookies.push(...values);
    }
  }
  delete view['set-cookie'];
  const prelude = { statusCode: Number(response.statusCode), headers: { ...view }, cookies };
  step.afterResponse = prepareCdnResponse(prelude, context, step.request);

  const changed = (name: string) => prelude.headers[name] !== view[name];
  if (!Object.keys({ ...view, ...prelude.headers }).some(changed)) return;
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(own)) {
    if (!changed(name.toLowerCase())) headers[name] = value;
  }
  for (const [name, value] of Object.entries(prelude.headers)) {
    if (changed(name)) headers[name] = value;
  }
  response.headers = headers;
}

/**
 * Adds route headers to a middy HTTP response, in place (as middy middlewares change
 * `request.response`), with the adapter's precedence (`merge`): a name the response sets in
 * `headers` or `multiValueHeaders`, in any casing, is its own; so are its `cookies`.
 */
function addRouteHeaders(
  response: Record<string, unknown>,
  routeHeaders: Record<string, string>,
  merge: typeof mergeRouteHeaders,
): void {
  const headers: Record<string, unknown> = isRecord(response.headers) ? { ...response.headers } : {};
  const present = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  if (isRecord(response.multiValueHeaders)) {
    for (const name of Object.keys(response.multiValueHeaders)) present.add(name.toLowerCase());
  }
  merge(routeHeaders, {
    has: (name) => present.has(name),
    set: (name, value) => {
      headers[name] = value;
    },
    hasCookies: (Array.isArray(response.cookies) && response.cookies.length > 0) || present.has('set-cookie'),
    addCookie: (value) => {
      response.cookies = [value];
    },
  });
  response.headers = headers;
}

/**
 * middy middleware that checks the Vercel request context is open — i.e. that the handler was
 * created with `vercelExecutionMode()` — and throws `MiddyExecutionModeMissingError` otherwise.
 * See the note at the top of this file for why the context cannot come from a middleware.
 */
export function vercelRequestContext(): MiddlewareObj {
  return {
    name: 'vercelRequestContext',
    before: () => {
      if (!currentRequestContext()) throw new MiddyExecutionModeMissingError();
    },
  };
}

interface TrustedEvent {
  /** The event handed to middy: a shallow copy with trustworthy headers, or the event itself. */
  event: unknown;
  /** The request headers as `@vercel/functions` reads them (lower-case names, cookie included). */
  contextHeaders: Record<string, string>;
}

/**
 * Applies the adapter's trusted-header rules to an HTTP-shaped event (Function URL, API Gateway
 * v1 or v2) without otherwise changing it: other header names keep their casing, only the
 * spoofable names are replaced. `CloudFront-Viewer-*` headers are CloudFront's only on a Function
 * URL event or one admitted for carrying the origin secret (`viaCloudFront`); on any other event
 * they are dropped, and the IP headers come from the source IP the event reports. Events without
 * headers (direct invocations) pass through.
 */
function withTrustedHeaders(event: unknown, requestId: string, originSecretChecked: boolean): TrustedEvent {
  const awsRegion = process.env.AWS_REGION;
  if (typeof event !== 'object' || event === null || !isRecord((event as { headers?: unknown }).headers)) {
    const headers = new Headers();
    applyTrustedHeaders(headers, { requestId, awsRegion, viaCloudFront: false });
    return { event, contextHeaders: Object.fromEntries(headers) };
  }
  const http = event as {
    headers: Record<string, unknown>;
    multiValueHeaders?: unknown;
    cookies?: unknown;
    requestContext?: { http?: { sourceIp?: unknown }; identity?: { sourceIp?: unknown } };
  };
  const fromCloudFront = viaCloudFront(http.requestContext, () => originSecretChecked);
  const signed = signedByIam(http.requestContext);
  // The names the handler must not get from the event: trusted ones, the viewer's own claims, and
  // the signature Lambda verified (as the adapter's event processor leaves them out).
  const replaced = (name: string) =>
    isTrustedHeaderName(name) ||
    (!fromCloudFront && isViewerHeaderName(name)) ||
    (signed && SIGNATURE_HEADER.test(name));

  const headers = new Headers();
  for (const [name, value] of Object.entries(http.headers)) {
    if (typeof value !== 'string' || replaced(name.toLowerCase())) continue;
    try {
      headers.append(name, value);
    } catch (cause) {
      try {
        // A UTF-8 value (`user-agent: Phone 红`) in the latin1 form the adapter gives it, as on Vercel.
        appendAsNodeReadsIt(headers, { [name]: value }, name, cause);
      } catch {
        // Any other header the Web Headers class refuses is left out of the context, not fatal.
      }
    }
  }
  // The host the viewer asked for, as the adapter reads it (event.ts): behind CloudFront `host` names
  // the Function URL, and CloudFront's viewer-request function copies the viewer's Host into
  // `x-forwarded-host`. Only the context's: the event keeps the headers Lambda reported.
  const forwardedHost = headers.get('x-forwarded-host')?.split(',')[0].trim();
  if (forwardedHost && !/[\s/\\?#@]/.test(forwardedHost)) headers.set('host', forwardedHost);
  const sourceIp = http.requestContext?.http?.sourceIp ?? http.requestContext?.identity?.sourceIp;
  applyTrustedHeaders(headers, {
    sourceIp: typeof sourceIp === 'string' ? sourceIp : undefined,
    requestId,
    awsRegion,
    viaCloudFront: fromCloudFront,
  });
  const derived = [...headers].filter(([name]) => isTrustedHeaderName(name));

  const copy: Record<string, unknown> = {
    ...http,
    headers: { ...without(http.headers, replaced), ...Object.fromEntries(derived) },
  };
  if (isRecord(http.multiValueHeaders)) {
    copy.multiValueHeaders = {
      ...without(http.multiValueHeaders, replaced),
      ...Object.fromEntries(derived.map(([name, value]) => [name, [value]])),
    };
  }

  const contextHeaders = Object.fromEntries(headers);
  if (Array.isArray(http.cookies) && http.cookies.length > 0 && contextHeaders.cookie === undefined) {
    contextHeaders.cookie = http.cookies.join('; ');
  }
  return { event: copy, contextHeaders };
}

function without<T>(record: Record<string, T>, replaced: (name: string) => boolean): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => !replaced(name.toLowerCase())));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
