export { createHandler } from './create-handler';
export {
  InvalidEventError,
  InvalidHandlerModuleError,
  InvalidHandlerOptionError,
  LambdaRuntimeMissingError,
  MiddyExecutionModeMissingError,
  ResponseBodyError,
} from './errors';
export type { FetchHandler, HandlerOptions, StreamingHandler, VercelModule } from './types';
