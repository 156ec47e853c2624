import { InvalidHandlerModuleError } from '../errors';
import { getContext } from '../get-context';
import { plainText } from './plain-text';
import type { FetchHandler, FetchHandlerContext, VercelModule } from './types';

/** Calls the user's code for a request and returns whatever it returned (checked by the caller). */
export type Dispatcher = (request: Request) => unknown;

/**
 * The context Vercel passes every Web handler as its second argument (@vercel/node builds it with
 * `waitUntil` only, which takes any value as Vercel's does). One object for the process rather than
 * one per request: its `waitUntil` acts on the request context current where it is called, as the
 * imported `waitUntil` does, so passing it costs a request nothing.
 */
const HANDLER_CONTEXT: FetchHandlerContext = {
  waitUntil: (promise) => getContext().waitUntil?.(promise),
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const SHAPES =
  'export default { fetch(request) {…} }, export default function (request) {…}, ' +
  'or method exports such as export function GET(request) {…}';

/**
 * Works out, once at module load, how to call a Vercel-style module, and throws
 * `InvalidHandlerModuleError` naming what it found when there is nothing to call.
 *
 * As on Vercel, a default export wins: `default.fetch`, or a default function of at most one
 * parameter. A default function of two or more parameters is a Node.js `(req, res)` handler,
 * which this Web-only adapter refuses up front rather than calling with the wrong arguments.
 * Otherwise the named method exports are used: HEAD falls back to GET, OPTIONS without an export
 * answers 204 with `Allow`, any other missing method answers 405 with `Allow`.
 */
export function createDispatcher(userModule: VercelModule): Dispatcher {
  if (typeof userModule !== 'object' || userModule === null) {
    throw new InvalidHandlerModuleError(
      `Expected the handler module object (import * as mod from './api/route'), got ${describeValue(userModule)}`,
    );
  }
  const byMethod = namedMethods(userModule);
  const fromDefault = defaultHandler(userModule.default, byMethod.size > 0);
  if (fromDefault) return fromDefault;
  if (byMethod.size === 0) {
    const found = Object.keys(userModule);
    throw new InvalidHandlerModuleError(
      `The module exports no request handler (found ${found.length ? `exports ${found.join(', ')}` : 'no exports'}). Use ${SHAPES}.`,
    );
  }
  return methodDispatcher(byMethod);
}

function defaultHandler(
  value: VercelModule['default'] | unknown,
  hasNamedMethods: boolean,
): Dispatcher | undefined {
  if (typeof value === 'function') {
    if (value.length >= 2) {
      throw new InvalidHandlerModuleError(
        `The default export is a function of ${value.length} parameters — a Node.js (req, res) handler; ` +
          `only Web handlers (Request in, Response out) are supported: ${SHAPES}.`,
      );
    }
    const handler = value as FetchHandler;
    return (request) => handler(request, HANDLER_CONTEXT);
  }
  if (typeof value === 'object' && value !== null && 'fetch' in value) {
    const target = value as { fetch: unknown };
    if (typeof target.fetch !== 'function') {
      throw new InvalidHandlerModuleError(
        `The default export's fetch is ${describeValue(target.fetch)}, not a function`,
      );
    }
    // Called as a method: objects such as a Hono app may rely on `this`.
    return (request) => (target as { fetch: FetchHandler }).fetch(request, HANDLER_CONTEXT);
  }
  if (value !== undefined && !hasNamedMethods) {
    throw new InvalidHandlerModuleError(
      `The default export is ${describeValue(value)}, which is not a request handler. Use ${SHAPES}.`,
    );
  }
  return undefined;
}

function namedMethods(userModule: VercelModule): Map<string, FetchHandler> {
  const byMethod = new Map<string, FetchHandler>();
  for (const method of METHODS) {
    const handler: unknown = userModule[method];
    if (handler === undefined) continue;
    if (typeof handler !== 'function') {
      throw new InvalidHandlerModuleError(
        `The export ${method} is ${describeValue(handler)}, not a function`,
      );
    }
    byMethod.set(method, handler as FetchHandler);
  }
  return byMethod;
}

function methodDispatcher(byMethod: Map<string, FetchHandler>): Dispatcher {
  const allowed = METHODS.filter(
    (method) => byMethod.has(method) || method === 'OPTIONS' || (method === 'HEAD' && byMethod.has('GET')),
  );
  const allow = allowed.join(', ');
  return (request) => {
    const handler =
      byMethod.get(request.method) ?? (request.method === 'HEAD' ? byMethod.get('GET') : undefined);
    if (handler) return handler(request, HANDLER_CONTEXT);
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: { allow } });
    // The adapter's own refusal: no-store like its others (plain-text.ts).
    return plainText(405, 'Method Not Allowed', { allow });
  };
}

/** A short description of a value for error messages: its type, and its value if small. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return `a function of ${value.length} parameters`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
  }
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}
