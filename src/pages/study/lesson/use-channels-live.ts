import { useCallback, useEffect, useRef, useState } from 'react';
import { studyApi, type StartResult } from '../../../api/study';
import { toApiError } from '../../../api/errors';
import { clearLiveJoin, pendingLiveJoin, watchChannelsLive, type AppShowApi, type ChannelsApi } from '../../../platform/channels-live';

export interface ChannelsLiveState {
  status: 'idle' | 'starting' | 'ready' | 'away' | 'stopped' | 'error';
  /** credited for this lesson so far (server figure) */
  lessonSec: number;
  completed: boolean;
  /** what the last return credited, seconds (null before the first) */
  lastReturnSec: number | null;
  message: string;
}

/**
 * A 视频号 live lesson's study session on WeChat (core/study/live.ts): `start` once, then each
 * 进入直播 is a join the server records and the app's next show a return it credits. The page sends
 * no checkpoints, so time spent on it earns nothing. A join kept in storage from before the app was
 * destroyed in the background is confirmed first, and its session goes on.
 */
export function useChannelsLive(
  api: ChannelsApi & AppShowApi,
  lesson: { id: string; finderUserName: string | null; startOffer: string | null },
  enabled: boolean,
): ChannelsLiveState & { enter(): Promise<void> } {
  const [state, setState] = useState<ChannelsLiveState>({ status: 'idle', lessonSec: 0, completed: false, lastReturnSec: null, message: '' });
  const session = useRef<Pick<StartResult, 'sessionId'> | null>(null);
  const lease = useRef('');
  const away = useRef(false);
  const alive = useRef(true);

  const returned = useCallback(
    (r: { ok: true; lease: string; answer: unknown } | { ok: false; error: unknown; lease: string }) => {
      away.current = false;
      if (r.ok) {
        const a = r.answer as { lessonSec: number; completed: boolean; creditedSec: number };
        lease.current = r.lease;
        if (alive.current) setState((s) => ({ ...s, status: 'ready', lessonSec: a.lessonSec, completed: a.completed, lastReturnSec: a.creditedSec, message: '' }));
        return;
      }
      const err = toApiError(r.error);
      // the server said no for good (another lesson or device took over, the session closed): forget the join
      if (err.code === 'FAILED_PRECONDITION') {
        clearLiveJoin(api);
        session.current = null;
      }
      if (alive.current) setState((s) => ({ ...s, status: err.code === 'FAILED_PRECONDITION' ? 'stopped' : 'ready', message: err.message }));
    },
    [api],
  );

  useEffect(() => {
    alive.current = true;
    if (!enabled || !lesson.id) return undefined;
    let cancelled = false;
    const begin = async () => {
      const pending = pendingLiveJoin(api, lesson.id);
      if (pending) {
        // back after WeChat closed the app in the background: confirm that return, and go on with its session
        try {
          const r = await studyApi.liveReturn({ lease: pending.lease });
          clearLiveJoin(api);
          session.current = { sessionId: pending.sessionId };
          lease.current = r.lease;
          return { lessonSec: r.lessonSec, completed: r.completed, lastReturnSec: r.creditedSec as number | null };
        } catch (e) {
          if (toApiError(e).code !== 'FAILED_PRECONDITION') throw e;
          clearLiveJoin(api);
        }
      }
      const s = await studyApi.start({ lessonId: lesson.id, ...(lesson.startOffer ? { offer: lesson.startOffer } : {}) });
      session.current = s;
      lease.current = s.lease;
      return { lessonSec: s.creditedSec, completed: s.completed, lastReturnSec: null };
    };
    setState((s) => ({ ...s, status: 'starting', message: '' }));
    begin().then(
      (r) => {
        if (cancelled) return;
        setState((s) => ({ ...s, ...r, status: 'ready', message: '' }));
      },
      (e) => {
        if (!cancelled) setState((s) => ({ ...s, status: 'error', message: toApiError(e).message }));
      },
    );
    return () => {
      cancelled = true;
      alive.current = false;
      const s = session.current;
      session.current = null;
      // leaving the page while a join is open cannot happen on the phone (the app is in 视频号); a
      // stop here writes what the returns credited, and nothing for the page
      if (s && !away.current) studyApi.stop({ sessionId: s.sessionId, lease: lease.current, played: 0, position: 0 }).catch(() => undefined);
    };
    // the offer belongs to the lesson it came with
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lesson.id, enabled, api]);

  const enter = useCallback(async () => {
    const s = session.current;
    if (!s || !lesson.finderUserName || away.current) return;
    away.current = true;
    setState((st) => ({ ...st, status: 'away', message: '' }));
    try {
      const joined = await watchChannelsLive(api, {
        finderUserName: lesson.finderUserName,
        lessonId: lesson.id,
        sessionId: s.sessionId,
        lease: lease.current,
        join: (l) => studyApi.liveJoin({ lease: l }),
        confirm: (l) => studyApi.liveReturn({ lease: l }),
        onReturn: returned,
      });
      // a return confirmed already carries a newer lease
      if (away.current) lease.current = joined;
    } catch (e) {
      // the room was not live or did not open; a join that was made is confirmed by watchChannelsLive
      const err = toApiError(e);
      if (!pendingLiveJoin(api, lesson.id)) away.current = false;
      if (alive.current) setState((st) => ({ ...st, status: away.current ? 'away' : 'ready', message: err.message }));
      throw err;
    }
  }, [api, lesson.id, lesson.finderUserName, returned]);

  return { ...state, enter };
}
