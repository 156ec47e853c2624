/** The dev server cannot start, or a function cannot be built or loaded. */
export class DevServerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DevServerError';
  }
}
