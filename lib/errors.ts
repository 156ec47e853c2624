import type { IConstruct } from 'constructs';

/**
 * Thrown at synth time when a construct's props are invalid. The message starts with the construct
 * path and names the prop and the value received, so the fix is obvious from the error alone.
 */
export class ConfigurationError extends Error {
  /** Path of the construct that rejected its props, e.g. `App/Stack/Project/Cdn`. */
  readonly constructPath: string;

  /**
   * @param scope the construct rejecting its props, or its future path when the check runs before
   *   the construct exists (e.g. before `super()`)
   */
  constructor(scope: IConstruct | string, message: string, options?: { cause?: unknown }) {
    const constructPath = typeof scope === 'string' ? scope : scope.node.path;
    super(`${constructPath}: ${message}`, options);
    this.name = 'ConfigurationError';
    this.constructPath = constructPath;
  }
}
