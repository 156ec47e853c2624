export { createHandler } from './create-handler';
export {
  InvalidEventError,
  InvalidHandlerModuleError,
  InvalidHandlerOptionError,
  InvalidRouteError,
  LambdaRuntimeMissingError,
  MiddyExecutionModeMissingError,
  OriginSecretUnavailableError,
  ResponseBodyError,
} from './errors';
export type { FetchHandler, HandlerOptions, StreamingHandler, VercelModule } from './types';
