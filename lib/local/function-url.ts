export { type FunctionUrlEventOptions, isTextContentType, toFunctionUrlEvent } from './function-url-event';
export {
  type ReadStreamedResponse,
  readStreamedResponse,
  type StreamedResponseOptions,
  type StreamedResponseOutcome,
  writeBufferedResponse,
  writeFunctionError,
  writeStreamedResponse,
} from './function-url-response';
export {
  HTTP_INTEGRATION_CONTENT_TYPE,
  type IntegrationPrelude,
  MalformedIntegrationResponseError,
  PreludeSplitter,
  parsePrelude,
} from './integration-response';
