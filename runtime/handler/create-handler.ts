import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { prepareCdnResponse } from '../cdn/response';
import { ORIGIN_SECRET_ARN_ENV } from '../constructs-contract';
import { InvalidEventError, InvocationTimeoutError, ResponseBodyError } from '../errors';
import './bundle-switches';
import { bundledRouteHeaders } from './bundled-route-headers';
import { createDispatcher, type Dispatcher, describeValue } from './dispatch';
import { type FunctionUrlRequest, isHeadEvent, readFunctionUrlRequest, routeHeadersOf } from './event';
import { drainSafetyMargin, drainWaitUntil, openRequestContext, remainingTimeMs } from './invocation';
import { lambdaRuntime } from './lambda-runtime';
import { logError } from './log';
import { plainText, serverError } from './plain-text';
import { runWithRequestContext } from './request-context';
import { admitRequest, guardEnvironment } from './request-guard';
import { responsePrelude, sendResponse } from './response-stream';
import type { HandlerOptions, StreamingHandler, VercelModule } from './types';

/**
 * Wraps a Vercel-style module into a Lambda response-streaming handler
 * (`awslambda.streamifyResponse(...)`). Call it at module load: the Lambda runtime reads the
 * streaming mark from the exported handler when it loads the module. The environment it reads
 * (`AWS_REGION`, the origin secret and route variables) is read here, once, as Lambda fixes it
 * before the module loads.
 *
 * Validates the module shape and options eagerly, and throws a clear error naming what it found
 * (e.g. a Node `(req, res)` default export, or no handler at all), or when the `awslambda` global
 * is missing.
 *
 * @example
 * ```ts
 * import { createHandler } from 'vercel-functions-aws/runtime/handler';
 * import * as route from './api/hello';
 *
 * export const handler = createHandler(route);
 * ```
 */
export function createHandler(userModule: VercelModule, options: HandlerOptions = {}): StreamingHandler {
  const runtime = lambdaRuntime();
  const dispatch = createDispatcher(userModule);
  const safetyMarginMs = drainSafetyMargin(options);
  // Read once: Lambda fixes the environment before it loads the handler module.
  const awsRegion = process.env.AWS_REGION;
  // Lambda Managed Instances do not stop an invocation at its timeout: the function must (below).
  const managedInstances = 'AWS_LAMBDA_MAX_CONCURRENCY' in process.env;
  const guard = guardEnvironment();
  // Applies vercel.json `headers` rules; `undefined` in a bundle built without them (bundle-switches.ts).
  const routeHeaders = bundledRouteHeaders();

  /**
   * One invocation: event → Request, user code inside the request context, Response → stream,
   * then the `waitUntil()` drain. Resolves only after the drain, because the Lambda runtime starts
   * the next invocation (or freezes the environment) once this promise settles.
   */
  const invoke = async (event: unknown, responseStream: Writable, context: Context): Promise<void> => {
    const requestId = context.awsRequestId;
    let incoming: FunctionUrlRequest;
    try {
      incoming = readFunctionUrlRequest(event, { requestId, awsRegion });
    } catch (error) {
      const refusal = rejection(requestId, error);
      // The origin secret was not checked on an event that is not a request: behind one, the refusal
      // goes without the rules' headers (request-guard.ts). The switch is tested here, not only through
      // `routeHeaders`, so minifying drops this code from a bundle without the rules (bundle-switches.ts).
      const withRules =
        (typeof __VFA_ROUTE_HEADERS__ === 'boolean' && !__VFA_ROUTE_HEADERS__) || guard[ORIGIN_SECRET_ARN_ENV]
          ? refusal
          : (routeHeaders?.withRouteHeaders(refusal, routeHeadersOf(event), requestId) ?? refusal);
      await sendResponse(runtime, responseStream, withRules, { omitBody: isHeadEvent(event) });
      return;
    }
    // `received` keeps the URL CloudFront cached the response under: the route guard may add route
    // parameters to the query the handler sees, but tag → path rows must name what CloudFront will
    // invalidate. Origin secret and route checks (request-guard.ts), before anything of the user's runs.
    const received = incoming.request;
    let admitted = admitRequest(received, incoming, requestId, guard);
    if (admitted instanceof Promise) admitted = await admitted;
    if (admitted instanceof Response) {
      // With the rules' headers already when the origin secret check passed (request-guard.ts).
      await sendResponse(runtime, responseStream, admitted, { omitBody: received.method === 'HEAD' });
      return;
    }
    const request = admitted;

    const opened = openRequestContext(requestId, incoming.headers, context);
    const requestContext = opened instanceof Promise ? await opened : opened;
    let bodyFailure: { error: unknown } | undefined;
    // On Managed Instances the adapter stops a response still being sent `safetyMarginMs` before the
    // deadline, so a body that never ends cannot hold the invocation (and, with the runtime client's
    // one connection per worker, every response queued behind it) forever. Standard Lambda ends the
    // invocation itself: no timer there.
    let deadline: NodeJS.Timeout | undefined;
    let signal: AbortSignal | undefined;
    if (managedInstances) {
      const controller = new AbortController();
      signal = controller.signal;
      deadline = setTimeout(
        () => controller.abort(new InvocationTimeoutError()),
        Math.max(0, remainingTimeMs(context) - safetyMarginMs),
      );
    }
    try {
      await runWithRequestContext(requestContext, async () => {
        const { response, failed } = await callUser(dispatch, request, requestId);
        // vercel.json `headers` rules' headers, then cache tags and CDN cache headers rewritten for
        // CloudFront (so a rule's Cache-Control is what CloudFront caches by), on a copy of the
        // headers: a Response from fetch() has immutable ones. The adapter's own 500 keeps its
        // no-store against a rule's CDN-Cache-Control.
        const prelude = responsePrelude(response);
        if (!(typeof __VFA_ROUTE_HEADERS__ === 'boolean' && !__VFA_ROUTE_HEADERS__)) {
          routeHeaders?.applyRouteHeaders(prelude, incoming.routeHeaders, requestId, failed);
        }
        const afterResponse = prepareCdnResponse(prelude, requestContext, {
          method: received.method,
          url: incoming.url,
        });
        await sendResponse(runtime, responseStream, response, {
          omitBody: request.method === 'HEAD',
          prelude,
          signal,
        });
        afterResponse?.();
      });
    } catch (error) {
      // Only sending can fail here (in practice the body): callUser turned user errors into a 500.
      logError(
        requestId,
        'The response body failed after the status and headers were sent; failing the stream so the client sees an aborted response',
        error,
      );
      bodyFailure = { error };
    } finally {
      clearTimeout(deadline);
    }

    await drainWaitUntil(requestContext, context, safetyMarginMs);
    // Rethrown only now, after the drain: the Lambda runtime then fails the still-open stream with
    // error trailers (Lambda-Runtime-Function-Error-Type/-Body) and the Function URL aborts the
    // client's connection instead of ending a truncated body cleanly.
    if (bodyFailure) throw new ResponseBodyError(requestId, { cause: bodyFailure.error });
  };
  return runtime.streamifyResponse(invoke);
}

/**
 * Calls the user's handler; a throw or a non-Response becomes a logged 500 (`failed`: the response
 * is the adapter's own).
 */
async function callUser(
  dispatch: Dispatcher,
  request: Request,
  requestId: string,
): Promise<{ response: Response; failed: boolean }> {
  let result: unknown;
  try {
    result = await dispatch(request);
  } catch (error) {
    return failure(requestId, 'The handler threw before returning a response', error);
  }
  if (!isResponse(result)) {
    return failure(requestId, `The handler returned ${describeValue(result)} instead of a Response`);
  }
  // Checked before anything is sent: once the prelude is out, the client could only get an abort.
  if (result.bodyUsed || result.body?.locked) {
    return failure(requestId, 'The handler returned a Response whose body was already read');
  }
  return { response: result, failed: false };
}

/** The adapter's own logged 500 in place of what the handler did. */
function failure(requestId: string, why: string, error?: unknown): { response: Response; failed: boolean } {
  return { response: serverError(requestId, why, error), failed: true };
}

/** The logged response to an invocation event that could not become a Request. */
function rejection(requestId: string, error: unknown): Response {
  if (error instanceof InvalidEventError) {
    logError(requestId, `Rejected the invocation event with ${error.statusCode}: ${error.message}`);
    return plainText(error.statusCode, error.message);
  }
  return serverError(requestId, 'Could not convert the invocation event into a Request', error);
}

/**
 * A Web `Response`. Checked by shape, not `instanceof`: a Response built by another copy of
 * undici (a bundled `undici` package, a polyfill) is just as usable.
 */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Response>;
  return (
    typeof candidate.status === 'number' &&
    typeof candidate.headers?.forEach === 'function' &&
    typeof candidate.headers.getSetCookie === 'function' &&
    (candidate.body === null || typeof candidate.body?.getReader === 'function')
  );
}
