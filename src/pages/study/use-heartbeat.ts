import { useEffect, useRef, useState } from 'react';
import { useDidHide, useDidShow } from '@tarojs/taro';
import { studyApi, type StartResult } from '../../api/study';
import { toApiError } from '../../api';
import { SESSION_CLOSED } from '../../../core/study/heartbeat';

export interface HeartbeatState {
  status: 'idle' | 'starting' | 'running' | 'stopped' | 'error';
  mode: StartResult['mode'] | null;
  /** credited for this lesson so far (server figure) */
  lessonSec: number;
  completed: boolean;
  resumeAt: number;
  message: string;
}

/** How often the local play counter advances; a longer gap (the app was asleep) counts this much at most. */
const TICK_MS = 1000;
const MAX_TICK_SEC = 2;

/**
 * Runs a lesson's study session: `start` once (with the lesson view's offer, so it reads nothing),
 * then the app counts the seconds its player actually plays while the page is shown, and sends them
 * in a checkpoint every few minutes (the server says how often) and whenever playing stops: pause,
 * hide, the end of the lesson (which also stops the session) and leaving the page (`stop`). The
 * server credits at most its own time since the previous checkpoint, so a count that runs fast earns
 * nothing extra, and a checkpoint that never arrives only credits less.
 */
export function useHeartbeat(
  lessonId: string,
  enabled: boolean,
  probe: { position(): number; playing(): boolean; ended?(): boolean },
  offer?: string | null,
): HeartbeatState {
  const [state, setState] = useState<HeartbeatState>({ status: 'idle', mode: null, lessonSec: 0, completed: false, resumeAt: 0, message: '' });
  const visible = useRef(true);
  const probeRef = useRef(probe);
  probeRef.current = probe;
  const hidden = useRef<() => void>(() => undefined);
  useDidShow(() => {
    visible.current = true;
  });
  useDidHide(() => {
    visible.current = false;
    hidden.current();
  });

  useEffect(() => {
    if (!enabled || !lessonId) return undefined;
    let cancelled = false;
    let timer: ReturnType<typeof setInterval> | null = null;
    let session: StartResult | null = null;
    let lease = '';
    let played = 0;
    let lastTick = Date.now();
    let lastSent = Date.now();
    let wasPlaying = false;
    let inFlight = false;
    let restarted = false;
    const pageVisible = () =>
      visible.current && (typeof document === 'undefined' || typeof document.visibilityState !== 'string' || document.visibilityState === 'visible');
    const position = () => Math.max(0, Math.floor(probeRef.current.position()));
    const halt = (message: string, completed?: boolean) => {
      if (timer) clearInterval(timer);
      timer = null;
      session = null;
      setState((s) => ({ ...s, status: 'stopped', message, ...(completed === undefined ? {} : { completed }) }));
    };

    const begin = (withOffer: string | null | undefined) =>
      studyApi.start({ lessonId, ...(withOffer ? { offer: withOffer } : {}) }).then((s) => {
        if (cancelled) {
          studyApi.stop({ sessionId: s.sessionId, lease: s.lease, played: 0, position: position() }).catch(() => undefined);
          return;
        }
        session = s;
        lease = s.lease;
        played = 0;
        lastSent = Date.now();
        setState({ status: 'running', mode: s.mode, lessonSec: s.creditedSec, completed: s.completed, resumeAt: s.resumeAt, message: '' });
      });

    const checkpoint = async () => {
      if (!session || cancelled || inFlight || played <= 0) return;
      inFlight = true;
      const sent = played;
      lastSent = Date.now();
      try {
        const r = await studyApi.checkpoint({ lease, played: Math.round(sent * 1000) / 1000, position: position() });
        lease = r.lease;
        played = Math.max(0, played - sent);
        if (!cancelled) setState((s) => ({ ...s, status: 'running', lessonSec: r.lessonSec, completed: r.completed, message: '' }));
      } catch (e) {
        const err = toApiError(e);
        if (cancelled || err.code === 'RESOURCE_EXHAUSTED') return;
        if (err.code === 'FAILED_PRECONDITION' && err.message === SESSION_CLOSED && !restarted) {
          // closed after a long pause: go on in a new session (its time counts from now)
          restarted = true;
          await begin(null).catch((e2) => setState((s) => ({ ...s, status: 'error', message: toApiError(e2).message })));
        } else if (err.code === 'FAILED_PRECONDITION' || err.code === 'INVALID_ARGUMENT') halt(err.message);
        else setState((s) => ({ ...s, message: err.message }));
      } finally {
        inFlight = false;
      }
    };

    const finish = async () => {
      // the lesson played to its end: write its time into the ledger now, so it shows as completed
      const s = session;
      if (!s) return;
      session = null;
      const sent = played;
      played = 0;
      try {
        const r = await studyApi.stop({ sessionId: s.sessionId, lease, played: sent, position: position() });
        if (!cancelled) {
          setState((st) => ({ ...st, lessonSec: r.creditedSec, completed: r.completed }));
          halt('', r.completed);
        }
      } catch (e) {
        if (!cancelled) halt(toApiError(e).message);
      }
    };

    const tick = () => {
      const now = Date.now();
      const dt = Math.min(MAX_TICK_SEC, Math.max(0, (now - lastTick) / 1000));
      lastTick = now;
      if (!session) return;
      const playing = probeRef.current.playing() && pageVisible();
      if (playing) played += dt;
      if (probeRef.current.ended?.()) void finish();
      else if ((wasPlaying && !playing) || now - lastSent >= session.checkpointEverySec * 1000) void checkpoint();
      wasPlaying = playing;
    };
    hidden.current = () => void checkpoint();

    setState((s) => ({ ...s, status: 'starting', message: '' }));
    begin(offer).then(
      () => {
        if (!cancelled) timer = setInterval(tick, TICK_MS);
      },
      (e) => {
        if (!cancelled) setState((st) => ({ ...st, status: 'error', message: toApiError(e).message }));
      },
    );
    return () => {
      cancelled = true;
      hidden.current = () => undefined;
      if (timer) clearInterval(timer);
      if (session) studyApi.stop({ sessionId: session.sessionId, lease, played, position: position() }).catch(() => undefined);
    };
    // the offer belongs to the lesson it came with: a new offer alone starts nothing new
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lessonId, enabled]);

  return state;
}
