// The one error type the application throws; `app.onError` turns it into the error envelope.
import type { ErrorCode } from './error-codes'

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 502 | 503

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: ErrorStatus,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const errors = {
  unauthenticated: (message = 'Missing or invalid credentials.') =>
    new AppError('unauthenticated', 401, message),
  /** One answer for an unknown, expired or revoked credential, wherever it is found out. */
  invalidCredential: () =>
    new AppError('unauthenticated', 401, 'The credential is invalid, expired or revoked.'),
  forbidden: (message: string) => new AppError('forbidden', 403, message),
  notFound: (what: string) => new AppError('not_found', 404, `${what} not found.`),
  validation: (message: string, details?: unknown) =>
    new AppError('validation_failed', 400, message, details),
  conflict: (message: string) => new AppError('conflict', 409, message),
  tooLarge: (limitBytes: number) =>
    new AppError('payload_too_large', 413, `Request body exceeds the limit of ${limitBytes} bytes.`, {
      limit_bytes: limitBytes,
    }),
}
