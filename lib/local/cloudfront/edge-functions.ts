import * as path from 'node:path';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import type { AssemblyStack } from './cloud-assembly';
import { CloudFrontEmulationError } from './errors';
import type { EdgeFunctionInvoker } from './lambda-edge';
import { readLambdaFunction } from './stack-resources';

/**
 * Runs a stack's Lambda@Edge functions in this process, from the bundles staged in its cloud
 * assembly — for the dev server and tests, where starting a runtime process per edge function is
 * not worth it. Suits small handlers that only use Node built-ins (as Lambda@Edge functions usually
 * do); the end-to-end tests run them under the real Lambda runtime instead.
 */
export function inProcessEdgeFunctions(stack: AssemblyStack): EdgeFunctionInvoker {
  const handlers = new Map<string, (event: CloudFrontRequestEvent) => unknown>();
  return async (logicalId, event) => {
    let handler = handlers.get(logicalId);
    if (!handler) {
      const fn = readLambdaFunction(stack, logicalId);
      const at = fn.handler.lastIndexOf('.');
      const file = path.join(fn.codeDirectory, fn.handler.slice(0, at));
      const exported = (require(file) as Record<string, unknown>)[fn.handler.slice(at + 1)];
      if (typeof exported !== 'function') {
        throw new CloudFrontEmulationError(
          `${logicalId}'s bundle ${file} exports no function ${fn.handler.slice(at + 1)}`,
        );
      }
      handler = exported as (event: CloudFrontRequestEvent) => unknown;
      handlers.set(logicalId, handler);
    }
    return handler(event);
  };
}
