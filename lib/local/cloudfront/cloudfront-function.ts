import { createHash, createHmac } from 'node:crypto';
import * as querystring from 'node:querystring';
import * as vm from 'node:vm';
import type { CloudFrontFunctionModel, KeyValueStoreModel } from './distribution-model';
import type { FunctionEvent, FunctionRequest, FunctionResponse } from './function-event';

// Runs a CloudFront Function's deployed code the way CloudFront does: a sandbox (node:vm) with only
// the language built-ins, strict mode, a fresh global scope per invocation (CloudFront keeps no state
// between invocations), the modules the JavaScript runtime offers (`cloudfront`, `crypto`,
// `querystring`, `buffer`) and its `cloudfront` helpers — key value stores and origin selection
// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html,
// functions-custom-methods.html, helper-functions-origin-modification.html). What the handler
// returns is checked as CloudFront checks it.

/** A function that threw (CloudFront: 503 FunctionExecutionError) or returned something invalid (502 FunctionValidationError). */
export class CloudFrontFunctionError extends Error {
  constructor(
    readonly kind: 'execution' | 'validation',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = kind === 'execution' ? 'FunctionExecutionError' : 'FunctionValidationError';
  }
}

/** What one invocation produced. */
export type FunctionOutcome =
  | { readonly kind: 'request'; readonly request: FunctionRequest; readonly originId?: string }
  | { readonly kind: 'response'; readonly response: FunctionResponse };

/** Options of {@link CloudFrontFunctionRunner}. */
export interface CloudFrontFunctionRunnerOptions {
  /** Origin ids of the distribution, for `cf.selectRequestOriginById`. */
  readonly originIds: ReadonlySet<string>;
  /** Receives the function's `console.log` lines. @default - dropped */
  readonly log?: (line: string) => void;
  /** Limit on the synchronous part of one invocation, in ms. @default 1_000 */
  readonly timeoutMs?: number;
}

// CloudFront's limit on a generated response's body (40 KB).
const MAX_GENERATED_BODY_BYTES = 40 * 1024;
const IMPORT = /^[ \t]*import[ \t]+([A-Za-z_$][\w$]*)[ \t]+from[ \t]+['"]([\w-]+)['"][ \t]*;?/gm;

/** Compiles one CloudFront Function once and runs it per request. */
export class CloudFrontFunctionRunner {
  private readonly script: vm.Script;

  constructor(
    readonly model: CloudFrontFunctionModel,
    private readonly options: CloudFrontFunctionRunnerOptions,
  ) {
    // `import x from 'module'` (JavaScript runtime 2.0) becomes a binding of the sandbox's module.
    const source = model.code.replace(
      IMPORT,
      (_line, name: string, module: string) => `const ${name} = __import(${JSON.stringify(module)});`,
    );
    try {
      this.script = new vm.Script(`'use strict';\n${source}\n;__result = handler(__event);`, {
        filename: `${model.name}.js`,
      });
    } catch (error) {
      throw new CloudFrontFunctionError(
        'validation',
        `CloudFront Function ${model.name} does not compile: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  /** Runs the function with `event` (which it may change); rejects with a {@link CloudFrontFunctionError}. */
  async run(event: FunctionEvent): Promise<FunctionOutcome> {
    const eventType = event.context.eventType;
    // The function may change the event; what CloudFront checks against is the request as it came.
    const method = event.request.method;
    const selection: { originId?: string } = {};
    const modules = this.modules(selection);
    const sandbox: Record<string, unknown> = {
      __event: event,
      __result: undefined,
      __import: (name: string) => {
        const module = modules[name];
        if (module === undefined) throw new Error(`Cannot find module '${name}'`);
        return module;
      },
      console: {
        log: (...parts: unknown[]) =>
          this.options.log?.(`${this.model.name}: ${parts.map(String).join(' ')}`),
      },
      TextEncoder,
      TextDecoder,
      atob,
      btoa,
    };
    sandbox.require = sandbox.__import;
    let result: unknown;
    try {
      this.script.runInContext(vm.createContext(sandbox), { timeout: this.options.timeoutMs ?? 1_000 });
      result = await (sandbox.__result as unknown);
    } catch (error) {
      throw new CloudFrontFunctionError(
        'execution',
        `CloudFront Function ${this.model.name} failed: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
    // Detach the result from the sandbox's realm and drop what JSON cannot carry, as CloudFront does.
    const plain = result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as unknown);
    if (eventType === 'viewer-request' && isObject(plain) && !('statusCode' in plain)) {
      const request = validRequest(plain, method, this.model.name);
      return { kind: 'request', request, originId: selection.originId };
    }
    return { kind: 'response', response: validResponse(plain, this.model.name, eventType) };
  }

  private modules(selection: { originId?: string }): Record<string, unknown> {
    const stores = this.model.keyValueStores;
    const cf = {
      kvs: (id?: string) => {
        if (stores.length === 0) throw new Error('No key value store is associated with this function');
        if (id === undefined) {
          if (stores.length > 1) throw new Error('Several key value stores are associated: pass the id');
          return keyValueStoreHandle(stores[0]);
        }
        const store = stores.find((candidate) => candidate.id === id || candidate.arn === id);
        if (!store) throw new Error(`The key value store ${id} is not associated with this function`);
        return keyValueStoreHandle(store);
      },
      selectRequestOriginById: (originId: string) => {
        if (!this.options.originIds.has(originId)) {
          throw new Error(`selectRequestOriginById: the distribution has no origin with id ${originId}`);
        }
        selection.originId = originId;
      },
      updateRequestOrigin: () => {
        throw new Error('updateRequestOrigin is not supported by the local CloudFront emulation');
      },
      createRequestOriginGroup: () => {
        throw new Error('createRequestOriginGroup is not supported by the local CloudFront emulation');
      },
    };
    return {
      cloudfront: cf,
      crypto: { createHash, createHmac },
      querystring,
      buffer: { Buffer },
    };
  }
}

function keyValueStoreHandle(store: KeyValueStoreModel) {
  const read = (key: string): string => {
    const value = store.entries.get(String(key));
    if (value === undefined) throw new Error(`Key ${key} not found in key value store ${store.id}`);
    return value;
  };
  return {
    get: async (key: string, options?: { format?: 'string' | 'json' | 'bytes' }) => {
      const value = read(key);
      switch (options?.format ?? 'string') {
        case 'json':
          return JSON.parse(value) as unknown;
        case 'bytes':
          return new Uint8Array(Buffer.from(value));
        default:
          return value;
      }
    },
    exists: async (key: string) => store.entries.has(String(key)),
    meta: async () => ({
      keyCount: store.entries.size,
      creationDateTime: '1970-01-01T00:00:00Z',
      lastUpdatedDateTime: '1970-01-01T00:00:00Z',
    }),
  };
}

function validRequest(value: Record<string, unknown>, method: string, name: string): FunctionRequest {
  const invalid = (what: string) =>
    new CloudFrontFunctionError('validation', `CloudFront Function ${name} returned a request whose ${what}`);
  if (typeof value.uri !== 'string' || !value.uri.startsWith('/'))
    throw invalid('uri is not a path starting with /');
  if (value.method !== undefined && value.method !== method)
    throw invalid('method was changed (it is read-only)');
  return {
    method,
    uri: value.uri,
    querystring: validValues(value.querystring ?? {}, () => invalid('querystring is malformed')),
    headers: validValues(value.headers ?? {}, () => invalid('headers are malformed')),
    cookies: validValues(value.cookies ?? {}, () => invalid('cookies are malformed')),
  };
}

function validResponse(value: unknown, name: string, eventType: string): FunctionResponse {
  const invalid = (what: string) =>
    new CloudFrontFunctionError('validation', `CloudFront Function ${name} (${eventType}) returned ${what}`);
  if (!isObject(value)) throw invalid(`no request or response object (got ${JSON.stringify(value)})`);
  const status = value.statusCode;
  if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599) {
    throw invalid(`a response with statusCode ${JSON.stringify(status)}`);
  }
  const body = value.body;
  if (body !== undefined) {
    const data = typeof body === 'string' ? body : isObject(body) ? body.data : undefined;
    const encoding = typeof body === 'string' ? 'text' : isObject(body) ? body.encoding : undefined;
    if (typeof data !== 'string' || (encoding !== 'text' && encoding !== 'base64'))
      throw invalid('a malformed body');
    const size = encoding === 'base64' ? Buffer.from(data, 'base64').length : Buffer.byteLength(data);
    if (size > MAX_GENERATED_BODY_BYTES)
      throw invalid(`a body of ${size} bytes (at most ${MAX_GENERATED_BODY_BYTES})`);
  }
  return {
    statusCode: status as number,
    statusDescription: typeof value.statusDescription === 'string' ? value.statusDescription : undefined,
    headers: validValues(value.headers ?? {}, () => invalid('malformed headers')),
    cookies: (isObject(value.cookies) ? value.cookies : {}) as FunctionResponse['cookies'],
    body: body as FunctionResponse['body'],
  };
}

function validValues(
  value: unknown,
  fail: () => Error,
): Record<string, { value: string; multiValue?: { value: string }[] }> {
  if (!isObject(value)) throw fail();
  for (const entry of Object.values(value)) {
    if (!isObject(entry) || typeof entry.value !== 'string') throw fail();
    if (
      entry.multiValue !== undefined &&
      (!Array.isArray(entry.multiValue) ||
        entry.multiValue.some((item) => !isObject(item) || typeof item.value !== 'string'))
    ) {
      throw fail();
    }
  }
  return value as Record<string, { value: string; multiValue?: { value: string }[] }>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
    ? String((error as { message: unknown }).message)
    : String(error);
}
