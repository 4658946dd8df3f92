import type { ErrorCode, ErrorBody } from '../../core/fn/errors';

/** Every failure a page can see: the server's vocabulary plus UNAVAILABLE for a network that failed. */
export type ApiErrorCode = ErrorCode | 'UNAVAILABLE';

export const NETWORK_MESSAGE = '网络不太好，请稍后重试';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details?: unknown;
  constructor(code: ApiErrorCode, message: string, details?: unknown) {
    super(message);
    // Transpiled ES5 classes lose the prototype of built-ins; keep instanceof working.
    Object.setPrototypeOf(this, ApiError.prototype);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError || (value as { name?: string } | null)?.name === 'ApiError';
}

/** Turns anything thrown into an ApiError, so pages have one shape to show. */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  const message = (err as { message?: string; errMsg?: string } | null)?.errMsg ?? (err as Error | null)?.message;
  return new ApiError('UNAVAILABLE', NETWORK_MESSAGE, message);
}

/**
 * The function's own answer is `{ ok: true, data } | { ok: false, error }`; anything else means a
 * deployment mismatch, reported as INTERNAL rather than passed on as data.
 */
export function unwrapResult<T>(result: unknown): T {
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    const r = result as { ok: boolean; data?: T; error?: Partial<ErrorBody> };
    if (r.ok) return r.data as T;
    const code = (r.error?.code ?? 'INTERNAL') as ApiErrorCode;
    throw new ApiError(code, r.error?.message || '出了点问题，请稍后重试', r.error?.details);
  }
  throw new ApiError('INTERNAL', '服务返回的内容不对，请稍后重试');
}
