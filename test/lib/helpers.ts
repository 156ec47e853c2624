// Shared fixtures for the construct tests: apps that skip asset bundling (the asset contents do not
// matter to these assertions) and a minimal Lambda function.
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** A stack in `region` (or region-agnostic) of an app that skips asset bundling. */
export function testStack(region?: string): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Stack', region ? { env: { region } } : {});
}

/** A plain Node.js function with inline code. */
export function plainFunction(scope: Construct, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
}
