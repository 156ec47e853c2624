import { metric } from '../metric';

// Where Vercel's runtime offers its IPC to the function's process. The real package's `metric()`
// calls `globalThis[Symbol.for('@vercel/rusty-runtime-ipc')]?.sendMetric?.(name, value, tags)` and
// otherwise does nothing (@vercel/functions 3.9.9, metric.js).
const RUNTIME_IPC = Symbol.for('@vercel/rusty-runtime-ipc');

/**
 * Gives the real `@vercel/functions` package's `metric()` the channel it calls, forwarding to this
 * runtime's `metric()`: the same CloudWatch EMF line, and the same validation (a warning, never a
 * throw). Left alone when something already provides one: another copy of this runtime, or a host's own.
 *
 * Only bundles of a project that installed the real package need it (the bundler imports this module
 * there, lib/bundling); an aliased `metric` is this runtime's already, and every other bundle stays
 * without the metric code.
 */
export function installMetricChannel(): void {
  if ((globalThis as Record<symbol, unknown>)[RUNTIME_IPC] !== undefined) return;
  Object.defineProperty(globalThis, RUNTIME_IPC, {
    configurable: true,
    enumerable: false,
    value: { sendMetric: metric },
  });
}
