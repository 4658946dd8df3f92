import { dayOf, formatChina } from '../../../core/day';

/** "12 分 5 秒" — credited time as a member reads it. */
export function formatSeconds(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h) return `${h} 小时 ${m} 分`;
  if (m) return `${m} 分 ${r} 秒`;
  return `${r} 秒`;
}

export function formatMinutes(sec: number): string {
  return `${Math.round(sec / 60)} 分钟`;
}

/** Live lesson times in China time, whatever the phone's zone. */
export function formatWhen(iso: string): string {
  return formatChina(iso, 'M月D日 HH:mm');
}

export function todayInChina(): string {
  return dayOf(Date.now());
}

export const KIND_BADGE: Record<string, string> = { video: '视频', audio: '音频', article: '图文', live: '直播' };

/** A short random id for idempotent requests (a double tap records once). */
export function requestId(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += 'abcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 36)];
  return s;
}

/** A live lesson's title without a leading "直播：" where the page already says 直播中 / 正在直播. */
export function liveTitle(title: string): string {
  return title.replace(/^\s*直播\s*[：:]\s*/, '');
}
