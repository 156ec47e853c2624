import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ConfigurationError } from '../errors';
import type { RuntimeCacheTable } from '../runtime-cache-table';
import type { TagTable } from '../tag-table';
import { CACHE_TABLE_ENV, TAG_TABLE_ENV } from './constructs-contract';
import { validateEnvironmentSize } from './environment-size';
import { type VercelEnvironmentSettings, vercelSystemEnvironment } from './vercel-environment';

/** What a function brought by the user gets from the project it joins. */
export interface RuntimeBindingOptions extends VercelEnvironmentSettings {
  readonly cacheTable?: RuntimeCacheTable;
  readonly tagTable?: TagTable;
}

/**
 * Gives an existing Lambda function what the runtime needs, as `VercelFunction` has it from the
 * start: the Vercel and runtime environment variables (overwriting ones of the same name) and
 * read/write access to the tables, whose names go into the environment.
 *
 * @param where the construct reporting configuration errors
 */
export function bindVercelRuntime(
  where: IConstruct,
  fn: lambda.Function,
  options: RuntimeBindingOptions,
): void {
  if (fn.runtime.family !== lambda.RuntimeFamily.NODEJS) {
    throw new ConfigurationError(
      where,
      `${fn.node.path} runs ${fn.runtime.name}; the Vercel runtime needs a Node.js runtime (Node.js 24 recommended)`,
    );
  }
  for (const [name, value] of Object.entries(vercelSystemEnvironment(fn, options))) {
    fn.addEnvironment(name, value);
  }
  if (options.cacheTable) {
    fn.addEnvironment(CACHE_TABLE_ENV, options.cacheTable.tableName);
    options.cacheTable.grantReadWriteData(fn);
  }
  if (options.tagTable) {
    fn.addEnvironment(TAG_TABLE_ENV, options.tagTable.tableName);
    options.tagTable.grantReadWriteData(fn);
  }
  // Lambda's 4 KB limit, checked at synth as for a VercelFunction (once per function), so the
  // variables added after the binding count too.
  validateEnvironmentSize(fn);
}
