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

export async function openChannelsLiveChecked(api: ChannelsApi, finderUserName: string): Promise<void> {
  let info: { feedId: string; nonceId: string; status: number };
  try {
    info = await api.getChannelsLiveInfo({ finderUserName });
  } catch {
    // no live record at all for this account: it has not started
    throw new ApiError('FAILED_PRECONDITION', CHANNELS_MESSAGES.notLive);
  }
  if (info.status === LIVE_STATUS.ended) throw new ApiError('FAILED_PRECONDITION', CHANNELS_MESSAGES.ended);
  if (info.status !== LIVE_STATUS.live) throw new ApiError('FAILED_PRECONDITION', CHANNELS_MESSAGES.notLive);
  try {
    await api.openChannelsLive({ finderUserName, feedId: info.feedId, nonceId: info.nonceId });
  } catch {
    throw new ApiError('UNAVAILABLE', CHANNELS_MESSAGES.failed);
  }
}
