import { useRef, useState } from 'react';
import { isRetryable, toApiError, type ApiError } from '../api';

export interface SubmitState<T> {
  busy: boolean;
  error: ApiError | null;
  /** the failed request can be sent again as it was (network, crash, timeout) */
  canRetry: boolean;
  /** sends a request; resolves with its data, or undefined when it failed (the error is in state) */
  send(request: () => Promise<T>): Promise<T | undefined>;
  /** sends the failed request again: the same call with the same payload */
  retry(): Promise<T | undefined>;
  clear(): void;
}

/**
 * One write a person starts with a tap. While it runs further taps are ignored; when it fails for a
 * reason that is not the person's (network, INTERNAL, DEADLINE_EXCEEDED) the very same request is
 * kept for 重试. The functions make every such write idempotent (a record id derived from who and
 * what), so a retry of a write that did land answers the stored result instead of writing twice.
 */
export function useSubmit<T>(): SubmitState<T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [canRetry, setCanRetry] = useState(false);
  const last = useRef<(() => Promise<T>) | null>(null);
  const running = useRef(false);

  const send = async (request: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    last.current = request;
    setBusy(true);
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
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  };

  return {
    busy,
    error,
    canRetry,
    send,
    retry: () => (last.current ? send(last.current) : Promise.resolve(undefined)),
    clear: () => {
      setError(null);
      setCanRetry(false);
      last.current = null;
    },
  };
}
