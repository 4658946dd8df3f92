import { useCallback, useEffect, useRef, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { toApiError, type ApiError } from '../api';

export interface RequestState<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
  setData(next: T): void;
}

/**
 * Loading / error / data for one call. Only the latest call may set state, so a slow answer cannot
 * overwrite a newer one. `refreshOnShow` reloads when the page is shown again (e.g. back from join).
 */
export function useRequest<T>(
  fn: () => Promise<T>,
  deps: unknown[] = [],
  options: { skip?: boolean; refreshOnShow?: boolean } = {},
): RequestState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(!options.skip);
  const seq = useRef(0);
  const shownOnce = useRef(false);

  const run = useCallback(() => {
    const id = ++seq.current;
    setLoading(true);
    setError(null);
    fn().then(
      (value) => {
        if (id !== seq.current) return;
        setData(value);
        setLoading(false);
      },
      (err: unknown) => {
        if (id !== seq.current) return;
        setError(toApiError(err));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    if (options.skip) {
      setLoading(false);
      return;
    }
    run();
  }, [run, options.skip]);

  useDidShow(() => {
    // the first show coincides with mount; only later shows need a refresh
    if (!shownOnce.current) {
      shownOnce.current = true;
      return;
    }
    if (options.refreshOnShow && !options.skip) run();
  });

  return { data, error, loading, reload: run, setData };
}
