/**
 * The CloudFront emulation cannot be built from a template: a resource it needs is missing, a value
 * cannot be resolved locally, or the distribution uses a feature the emulation does not implement.
 * Raised when the emulation is created, never per request, so a template it would serve wrongly is
 * refused up front instead of diverging from CloudFront silently.
 */
export class CloudFrontEmulationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudFrontEmulationError';
  }
}
