// A hand-written handler may bundle the real `@vercel/functions`, which reaches the Runtime Cache,
// CDN purges and addCacheTag() only through the request context: this public entry registers them
// all. Generated function entries import create-handler.ts directly and register only what the
// function uses (lib/bundling/adapter-entry.ts).
import '../context-services';

export {
  InvalidEventError,
  InvalidHandlerModuleError,
  InvalidHandlerOptionError,
  InvalidRouteError,
  InvocationTimeoutError,
  LambdaRuntimeMissingError,
  MiddyExecutionModeMissingError,
  OriginSecretUnavailableError,
  ResponseBodyError,
} from '../errors';
export { createHandler } from './create-handler';
export type {
  FetchHandler,
  FetchHandlerContext,
  HandlerOptions,
  StreamingHandler,
  VercelModule,
} from './types';
