/** Thrown when a function cannot be bundled: bad options, or esbuild reported errors (kept as `cause`). */
export class BundlingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BundlingError';
  }
}
