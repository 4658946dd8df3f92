import Taro from '@tarojs/taro';
import { callFunction } from '../../api';
import type { AttendanceView, NoticeItem } from '../../api/activity';
import type { ActivityInput, ActivityOutputs } from '../../../core/activity/contracts';
import { formatDateTime, JOINT_STATUS_LABEL, STATUS_LABEL } from '../../../core/activity/rules';
import { askSubscribe } from '../../utils/subscribe';
import { getCurrentLocation } from '../../platform/location';

export { formatDateTime, JOINT_STATUS_LABEL };

/** 联建: the invitations a branch has received (and the branches it may invite), and its answer. */
export const jointApi = {
  invites: (p: ActivityInput<'jointInvites'> = {}) => callFunction<ActivityOutputs['jointInvites']>('activity', 'jointInvites', p),
  respond: (p: ActivityInput<'respondJoint'>) => callFunction<ActivityOutputs['respondJoint']>('activity', 'respondJoint', p),
};

export function timeRange(a: { startAt: string; endAt: string }): string {
  const s = formatDateTime(a.startAt);
  const e = formatDateTime(a.endAt);
  return s.slice(0, 10) === e.slice(0, 10) ? `${s} – ${e.slice(11)}` : `${s} – ${e}`;
}

/** The member's own status, in words, and the badge colour class. */
export function myStatus(item: Pick<NoticeItem, 'phase' | 'status' | 'required'> & { mine: AttendanceView | null }): { text: string; cls: string } {
  if (item.status === 'cancelled') return { text: '已取消', cls: 'grey' };
  const m = item.mine;
  if (m && m.status !== 'none') {
    if ((m.status === 'leave' || m.status === 'absent') && m.madeUpAt) return { text: '已补学', cls: '' };
    if (m.status === 'present') return { text: '已签到', cls: '' };
    if (m.status === 'absent' || m.status === 'leave_declined') return { text: STATUS_LABEL[m.status], cls: 'red' };
    return { text: STATUS_LABEL[m.status], cls: 'gold' };
  }
  if (!item.required) return { text: '可参加', cls: 'grey' };
  if (item.phase === 'signin') return { text: '待签到', cls: 'red' };
  if (item.phase === 'upcoming') return { text: '未开始', cls: 'gold' };
  if (item.phase === 'closed') return { text: '已结束', cls: 'grey' };
  return { text: '', cls: 'grey' };
}

export const PHASE_LABEL = { draft: '草稿', cancelled: '已取消', upcoming: '未开始', signin: '签到中', closed: '已结束' } as const;

/** Reads the code: the camera on WeChat; on H5 the page shows a code-entry box instead. */
export async function scanSignInCode(): Promise<string | null> {
  if (process.env.TARO_ENV !== 'weapp') return null;
  const res = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
  return res.result ?? null;
}

/**
 * A location for a geofenced sign-in. A refusal throws an ApiError whose Chinese message says how to
 * allow location (src/platform/location.ts), shown where the sign-in error is shown.
 */
export function currentLocation(): Promise<{ lat: number; lng: number; accuracy?: number }> {
  return getCurrentLocation(Taro);
}

/**
 * 开始前提醒我: one prompt for the reminder and for the notice of a change or cancellation, which the
 * server sends to the same subscribers instead of the reminder. True when the reminder was allowed.
 */
export async function askReminder(): Promise<boolean> {
  try {
    return (await askSubscribe(['activityRemind', 'activityNotice'])).activityRemind;
  } catch {
    return false;
  }
}
