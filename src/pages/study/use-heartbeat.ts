import { useEffect, useRef, useState } from 'react';
import { useDidHide, useDidShow } from '@tarojs/taro';
import { studyApi, type StartResult } from '../../api/study';
import { toApiError } from '../../api';

export interface HeartbeatState {
  status: 'idle' | 'starting' | 'running' | 'stopped' | 'error';
  mode: StartResult['mode'] | null;
  /** credited for this lesson so far (server figure) */
  lessonSec: number;
  completed: boolean;
  resumeAt: number;
  message: string;
}

/**
 * Runs a lesson's study session: `start` once, a heartbeat every `beatEverySec` (the server says
 * how often), `stop` when the page goes away. The client sends only where the player is and whether
 * it plays; the server measures the time. A page that is hidden reports `playing: false`.
 */
export function useHeartbeat(
  lessonId: string,
  enabled: boolean,
  probe: { position(): number; playing(): boolean },
): HeartbeatState {
  const [state, setState] = useState<HeartbeatState>({ status: 'idle', mode: null, lessonSec: 0, completed: false, resumeAt: 0, message: '' });
  const visible = useRef(true);
  const probeRef = useRef(probe);
  probeRef.current = probe;
  useDidShow(() => {
    visible.current = true;
  });
  useDidHide(() => {
    visible.current = false;
  });

  useEffect(() => {
    if (!enabled || !lessonId) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setInterval> | null = null;
    let session: StartResult | null = null;
    const pageVisible = () =>
      visible.current && (typeof document === 'undefined' || typeof document.visibilityState !== 'string' || document.visibilityState === 'visible');
    const tick = async () => {
      if (!session || cancelled) return;
      try {
        const r = await studyApi.beat({
          sessionId: session.sessionId,
          lessonId,
          position: Math.max(0, Math.floor(probeRef.current.position())),
          playing: probeRef.current.playing() && pageVisible(),
        });
        if (!cancelled) setState((s) => ({ ...s, status: 'running', lessonSec: r.lessonSec, completed: r.completed, message: '' }));
      } catch (e) {
        const err = toApiError(e);
        if (cancelled || err.code === 'RESOURCE_EXHAUSTED') return;
        if (err.code === 'FAILED_PRECONDITION' || err.code === 'INVALID_ARGUMENT') {
          if (timer) clearInterval(timer);
          timer = null;
          setState((s) => ({ ...s, status: 'stopped', message: err.message }));
        } else setState((s) => ({ ...s, message: err.message }));
      }
    };
    setState((s) => ({ ...s, status: 'starting', message: '' }));
    studyApi.start({ lessonId }).then(
      (s) => {
        if (cancelled) {
          studyApi.stop({ sessionId: s.sessionId }).catch(() => undefined);
          return;
        }
        session = s;
        setState({ status: 'running', mode: s.mode, lessonSec: s.creditedSec, completed: s.completed, resumeAt: s.resumeAt, message: '' });
        timer = setInterval(tick, s.beatEverySec * 1000);
      },
      (e) => {
        if (!cancelled) setState((st) => ({ ...st, status: 'error', message: toApiError(e).message }));
      },
    );
    return () => {
      cancelled = true;
      if (timer) clearInterval(timer);
      if (session) studyApi.stop({ sessionId: session.sessionId }).catch(() => undefined);
    };
  }, [lessonId, enabled]);

  return state;
}
