// Lambda's own limits on a function's settings (Lambda quotas: memory 128 MB to 10,240 MB in 1 MB
// steps, timeout up to 900 seconds, 4 KB of environment variables), checked at synth so a bad value fails there rather than at
// deploy. One copy for every construct and for vercel.json.

/** Memory in MB a Lambda function may have. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;

/** Timeout in whole seconds a Lambda function may have. */
export const LAMBDA_TIMEOUT_SECONDS = { min: 1, max: 900 } as const;

/**
 * Bytes of environment variables a Lambda function may have, measured as Lambda does: all of them
 * as one compact JSON object, `{"KEY":"value",...}`, in UTF-8 (see environment-size.ts).
 */
export const LAMBDA_ENVIRONMENT_BYTES = 4096;
