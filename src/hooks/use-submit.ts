import { useRef, useState } from 'react';
import { ApiError, isRetryable, toApiError } from '../api/errors';

export interface SubmitState<T, K extends string> {
  /** a request is in flight; further taps are ignored until it ends */
  busy: boolean;
  /** which request is in flight (the key it was sent with), so only its button says 请稍候… */
  busyKey: K | null;
  error: ApiError | null;
  /** the failed request can be sent again as it was (network, crash, timeout) */
  canRetry: boolean;
  /**
   * Sends a request; resolves with its data, or undefined when it failed (the error is in state) or
   * when another request was still in flight. Put what should follow a success inside `request`, so
   * that 重试 repeats it too.
   */
  send(request: () => Promise<T>, key?: K): Promise<T | undefined>;
  /** sends the failed request again: the same call with the same payload and key */
  retry(): Promise<T | undefined>;
  /** shows the page's own message (a check before sending, a file that could not be read), without 重试 */
  fail(message: string): void;
  clear(): void;
}

/**
 * One write a person starts with a tap — or one of a few alternative writes (approve / reject), told
 * apart by `key`. While one runs further taps are ignored; when it fails for a reason that is not the
 * person's (network, INTERNAL, DEADLINE_EXCEEDED) the very same request is kept for 重试. The
 * functions make every such write idempotent (a record id derived from who and what), so a retry of
 * a write that did land answers the stored result instead of writing twice.
 *
 * A page that reports failures as a notice rather than inline passes `onError`.
 */
export function useSubmit<T = unknown, K extends string = string>(options: { onError?(error: ApiError): void } = {}): SubmitState<T, K> {
  const [busyKey, setBusyKey] = useState<K | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [canRetry, setCanRetry] = useState(false);
  const last = useRef<{ request: () => Promise<T>; key: K | null } | null>(null);
  // state updates are async: two taps in the same frame would both still see busy === false
  const running = useRef(false);

  const send = async (request: () => Promise<T>, key?: K): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    last.current = { request, key: key ?? null };
    setBusy(true);
    setBusyKey(key ?? null);
    setError(null);
    setCanRetry(false);
    try {
      const data = await request();
      last.current = null;
      return data;
    } catch (err) {
      const e = toApiError(err);
      setError(e);
      setCanRetry(isRetryable(e));
      options.onError?.(e);
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
      setBusyKey(null);
    }
  };

  const clear = () => {
    setError(null);
    setCanRetry(false);
    last.current = null;
  };

  return {
    busy,
    busyKey,
    error,
    canRetry,
    send,
    retry: () => (last.current ? send(last.current.request, last.current.key ?? undefined) : Promise.resolve(undefined)),
    fail: (message: string) => {
      clear();
      setError(new ApiError('INVALID_ARGUMENT', message));
    },
    clear,
  };
}
