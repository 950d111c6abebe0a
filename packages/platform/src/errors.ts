/**
 * Expected failures of the domain, with a message written for the person or model that caused
 * them. The HTTP and MCP layers map `code` to a status or a tool error; anything that is not a
 * PlatformError is unexpected and must be reported generically.
 */
export type PlatformErrorCode =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'limit_exceeded'
  | 'unprocessable';

export class PlatformError extends Error {
  readonly code: PlatformErrorCode;
  /** Which input was wrong, when one was. */
  readonly field: string | undefined;

  constructor(code: PlatformErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'PlatformError';
    this.code = code;
    this.field = options.field;
  }
}

export function isPlatformError(error: unknown): error is PlatformError {
  return error instanceof PlatformError;
}

/** True for a PostgreSQL unique violation (SQLSTATE 23505), from either driver, wrapped or not. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
