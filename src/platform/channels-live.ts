/**
 * Opening a 视频号 live from a lesson: wx.getChannelsLiveInfo first (status 2 直播中, 3 直播结束),
 * then wx.openChannelsLive with the feedId/nonceId it returned, so a member is never sent to a room
 * that is not live. https://developers.weixin.qq.com/miniprogram/dev/api/open-api/channels/wx.getChannelsLiveInfo.html
 * The wx slice is handed in (Taro on the phone); no global is read.
 */
import { ApiError } from '../api/errors';

export interface ChannelsApi {
  getChannelsLiveInfo(o: { finderUserName: string }): Promise<{ feedId: string; nonceId: string; status: number }>;
  openChannelsLive(o: { finderUserName: string; feedId: string; nonceId: string }): Promise<unknown>;
}

export const LIVE_STATUS = { live: 2, ended: 3 } as const;

export const CHANNELS_MESSAGES = {
  notLive: '视频号直播还没有开始，请到开播时间再来。',
  ended: '视频号直播已经结束，请观看本页的回放。',
  failed: '暂时无法打开视频号直播，请稍后重试。',
} as const;

/** The room to open, once its status says it is live (it throws the member's message otherwise). */
async function liveRoom(api: ChannelsApi, finderUserName: string): Promise<{ feedId: string; nonceId: string }> {
  let info: { feedId: string; nonceId: string; status: number };
  try {
    info = await api.getChannelsLiveInfo({ finderUserName });
  } catch {
    // no live record at all for this account: it has not started
    throw new ApiError('FAILED_PRECONDITION', CHANNELS_MESSAGES.notLive);
  }
  if (info.status === LIVE_STATUS.ended) throw new ApiError('FAILED_PRECONDITION', CHANNELS_MESSAGES.ended);
  if (info.status !== LIVE_STATUS.live) throw new ApiError('FAILED_PRECONDITION', CHANNELS_MESSAGES.notLive);
  return { feedId: info.feedId, nonceId: info.nonceId };
}

export async function openChannelsLiveChecked(api: ChannelsApi, finderUserName: string): Promise<void> {
  const room = await liveRoom(api, finderUserName);
  try {
    await api.openChannelsLive({ finderUserName, ...room });
  } catch {
    throw new ApiError('UNAVAILABLE', CHANNELS_MESSAGES.failed);
  }
}

/*
 * Crediting a 视频号 live (core/study/live.ts): WeChat plays the room outside the mini-program, so
 * the server records when the member taps 进入直播 (join) and the app confirms when it is shown again
 * (return). The join is kept in storage until its return is confirmed: WeChat destroys a
 * mini-program left in the background for 30 minutes, and the lesson page, opened again, confirms
 * the return it finds there.
 */

/** wx.onAppShow / offAppShow and the storage calls, handed in (Taro on the phone). */
export interface AppShowApi {
  onAppShow(cb: () => void): void;
  offAppShow(cb: () => void): void;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
}

/** A join waiting for its return: what the page needs to confirm it, even after a cold start. */
export interface PendingLiveJoin {
  lessonId: string;
  sessionId: string;
  /** the lease the join answered with */
  lease: string;
}

export const PENDING_LIVE_JOIN_KEY = 'study.liveJoin';

export function pendingLiveJoin(api: Pick<AppShowApi, 'getStorageSync'>, lessonId: string): PendingLiveJoin | null {
  let v: unknown;
  try {
    v = api.getStorageSync(PENDING_LIVE_JOIN_KEY);
  } catch {
    return null;
  }
  const p = v as Partial<PendingLiveJoin> | null;
  return p && typeof p === 'object' && p.lessonId === lessonId && typeof p.lease === 'string' && typeof p.sessionId === 'string' ? (p as PendingLiveJoin) : null;
}

export function clearLiveJoin(api: Pick<AppShowApi, 'removeStorageSync'>): void {
  try {
    api.removeStorageSync(PENDING_LIVE_JOIN_KEY);
  } catch {
    // storage unavailable: a stale join is refused by the server when confirmed
  }
}

export interface WatchLive {
  finderUserName: string;
  lessonId: string;
  sessionId: string;
  /** the session's lease now */
  lease: string;
  /** the study function's liveJoin: the server records the tap */
  join(lease: string): Promise<{ lease: string }>;
  /** the study function's liveReturn */
  confirm(lease: string): Promise<{ lease: string }>;
  /** the return was confirmed (its answer) or failed */
  onReturn(result: { ok: true; lease: string; answer: unknown } | { ok: false; error: unknown; lease: string }): void;
}

/**
 * 进入直播: checks the room is live, records the join on the server, remembers it, opens the room,
 * and confirms the return the next time the app is shown. Resolves once the room is open, with the
 * joined lease. A room that does not open is returned from at once (the few seconds count, as the
 * time between the two requests). Nothing here credits time on the page: only the return does.
 */
export async function watchChannelsLive(api: ChannelsApi & AppShowApi, w: WatchLive): Promise<string> {
  const room = await liveRoom(api, w.finderUserName);
  const joined = await w.join(w.lease);
  try {
    api.setStorageSync(PENDING_LIVE_JOIN_KEY, { lessonId: w.lessonId, sessionId: w.sessionId, lease: joined.lease } satisfies PendingLiveJoin);
  } catch {
    // no storage: the return is still confirmed while the app lives
  }
  let done = false;
  const back = () => {
    if (done) return;
    done = true;
    api.offAppShow(back);
    w.confirm(joined.lease).then(
      (answer) => {
        clearLiveJoin(api);
        w.onReturn({ ok: true, lease: answer.lease, answer });
      },
      (error) => w.onReturn({ ok: false, error, lease: joined.lease }),
    );
  };
  api.onAppShow(back);
  try {
    await api.openChannelsLive({ finderUserName: w.finderUserName, ...room });
  } catch {
    back();
    throw new ApiError('UNAVAILABLE', CHANNELS_MESSAGES.failed);
  }
  return joined.lease;
}
