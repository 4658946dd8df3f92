import { studyApi } from '../../api/study';
import { askSubscribe } from '../../utils/subscribe';

/**
 * "提醒我": on WeChat one tap grants one subscribe message for the template, asked for right here;
 * then the server keeps the reminder and a timer trigger sends it before the start. H5 has no
 * subscribe messages: the reminder is kept and shows up in the local outbox.
 */
export async function remindMe(lessonId: string): Promise<string> {
  if (process.env.TARO_ENV === 'weapp') {
    if (!(await askSubscribe(['studyLive'])).studyLive) return '没有开启提醒：需要允许“直播提醒”消息';
  }
  await studyApi.remind({ lessonId });
  return '已设置提醒，开播前会通知您';
}
