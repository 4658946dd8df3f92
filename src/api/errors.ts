import type { ErrorCode, ErrorBody } from '../../core/fn/errors';

/** Every failure a page can see: the server's vocabulary plus UNAVAILABLE for a network that failed. */
export type ApiErrorCode = ErrorCode | 'UNAVAILABLE';

export const NETWORK_MESSAGE = '网络不太好，请稍后重试';
export const TIMEOUT_MESSAGE = '服务响应超时，请重试';
export const INTERNAL_MESSAGE = '服务出了点问题，请重试';

/**
 * Failures where sending the same request again is the right move: the network, a function that
 * crashed or timed out. Every write the app sends is idempotent (deterministic record ids), so a
 * retry of a call that did land changes nothing.
 */
export const RETRYABLE_CODES: readonly ApiErrorCode[] = ['UNAVAILABLE', 'INTERNAL', 'DEADLINE_EXCEEDED'];

/**
 * The platform's own answers (a timeout, a crashed instance) carry English text; a person sees
 * Chinese. A function's own message (already Chinese) is kept. A timeout always reads the same,
 * whichever transport (WeChat or the local gateway) reported it.
 */
export function plainMessage(code: string, message: string | undefined): string {
  if (code === 'DEADLINE_EXCEEDED') return TIMEOUT_MESSAGE;
  if (message && /[\u4e00-\u9fff]/.test(message)) return message;
  if (code === 'UNAVAILABLE') return NETWORK_MESSAGE;
  if (code === 'INTERNAL' || code === 'FUNCTION_NOT_FOUND') return INTERNAL_MESSAGE;
  return message || '出了点问题，请稍后重试';
}

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

export function isRetryable(err: unknown): boolean {
  return isApiError(err) && RETRYABLE_CODES.includes(err.code);
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
    throw new ApiError(code, plainMessage(code, r.error?.message), r.error?.details);
  }
  throw new ApiError('INTERNAL', '服务返回的内容不对，请稍后重试');
}
