// The error every part of vercel.json's reading throws, and the small helpers they share.

/**
 * A `vercel.json` that cannot be used: not JSON, not an object, a `proxy` (Routing Middleware, not
 * supported), an `images` an ImageOptimizer refuses, a `functions` entry Lambda cannot apply (or
 * Vercel refuses), or a `crons` entry Vercel refuses or EventBridge Scheduler cannot express. The
 * message starts with the file's path and names the field and the value received.
 */
export class VercelJsonError extends Error {
  /** Absolute path of the file. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'VercelJsonError';
    this.file = file;
  }
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as an error message shows it. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return JSON.stringify(value);
}
