#!/usr/bin/env node
// The CDK app deploying examples/ as a VercelProject: `npx cdk deploy` (or `npm run synth`).
// Account-agnostic, so `cdk synth` needs no credentials. The region is explicit because the default
// origin protection puts a Lambda@Edge function in us-east-1, which needs the stack's region at synth:
// the CLI's default region (CDK_DEFAULT_REGION, from the AWS profile) or us-east-1.
import * as path from 'node:path';
import { App, CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { VercelProject } from '../lib';

const app = new App();
// cdk-nag's AwsSolutions pack runs at every synth, so `npm run synth` in CI fails on an
// unacknowledged error-level finding (warnings are printed); the report lands in
// cdk.out/validation-report.json.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new Stack(app, 'VercelFunctionsExample', {
  env: { region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
  description: 'vercel-functions-aws example: the examples/ folder as a Vercel-style project',
});
const project = new VercelProject(stack, 'Project', { projectDir: path.join(__dirname, '..', 'examples') });
new CfnOutput(stack, 'Url', { value: project.url, description: 'The project URL' });
