import { studyApi } from '../../api/study';
import { askSubscribe } from '../../utils/subscribe';

/**
 * "提醒我": on WeChat one tap grants one subscribe message for the template, asked for right here;
 * then the server keeps the reminder and a timer trigger sends it before the start. On H5 the local
 * dev client grants it, and the message shows up in the local outbox.
 */
export async function remindMe(lessonId: string): Promise<string> {
  if (!(await askSubscribe(['studyLive'])).studyLive) return '没有开启提醒：需要允许“直播提醒”消息';
  await studyApi.remind({ lessonId });
  return '已设置提醒，开播前会通知您';
}

/**
 * "学时落后时提醒我": one accepted prompt lets the branch secretary's 提醒学时落后 reach this member once
 * (WeChat counts one message per accepted template).
 */
export async function remindWhenBehind(): Promise<string> {
  if (!(await askSubscribe(['studyBehind'])).studyBehind) return '没有开启提醒：需要允许“学时提醒”消息';
  return '已开启：学时落后时，支部书记可以提醒您一次';
}
