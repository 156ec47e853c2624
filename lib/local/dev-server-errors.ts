/** The dev server cannot start, or a function cannot be built or loaded. */
export class DevServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevServerError';
  }
}

/**
 * A function left a rejected promise unhandled. On Lambda that ends the execution environment and
 * fails the invocation (`Runtime.UnhandledPromiseRejection`); the dev server fails the invocation only.
 */
export class UnhandledRejectionError extends Error {
  constructor(readonly reason: unknown) {
    super(`Unhandled promise rejection: ${describe(reason)}`, { cause: reason });
    this.name = 'Runtime.UnhandledPromiseRejection';
    this.stack = withCause(this, reason);
  }
}

/** A function threw outside any promise chain: in a timer, a callback or an event listener. */
export class UncaughtExceptionError extends Error {
  constructor(readonly thrown: unknown) {
    super(`Uncaught exception: ${describe(thrown)}`, { cause: thrown });
    this.name = 'Runtime.UncaughtException';
    this.stack = withCause(this, thrown);
  }
}

function describe(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

// The wrapper's own stack shows only the dev server's listener; where it went wrong is in the cause's.
function withCause(error: Error, cause: unknown): string {
  const own = `${error.name}: ${error.message}`;
  return cause instanceof Error && cause.stack ? `${own}\n  caused by ${cause.stack}` : own;
}
