/**
 * Subscribe-message templates (订阅消息): the one place their ids live. The app asks for them with
 * Taro.requestSubscribeMessage and the functions send them with subscribeMessage.send, both from
 * this list, so the id a member allowed is the id the server sends.
 *
 * Before deploying, apply for each template in the mini-program console (功能 → 订阅消息 → 公共模板库,
 * by `title`, with the keywords in `fields`) and replace the placeholder id with the one the console
 * shows. A placeholder is written in capitals (`QUIZ_REMIND_TEMPLATE`); a console id is 43 characters
 * of mixed-case letters, digits, `-` and `_`. `placeholderTemplates()` lists those still to replace.
 */
export const SUBSCRIBE_TEMPLATES = {
  /** asked for on the quiz page (答题提醒); sent when a secretary reminds the branch to answer */
  quizRemind: {
    id: 'QUIZ_REMIND_TEMPLATE',
    title: '学习提醒',
    fields: { thing1: '学习内容', date2: '日期', thing3: '温馨提示' },
  },
  /** asked for by 提醒我 on a live lesson; sent by the study timer before the start */
  studyLive: {
    id: 'STUDY_LIVE_REMINDER_TEMPLATE',
    title: '直播提醒',
    fields: { thing1: '课程', thing2: '主讲人', time3: '开始时间', thing4: '温馨提示' },
  },
  /** sent when a secretary reminds the members behind on 学时 */
  studyBehind: {
    id: 'STUDY_BEHIND_REMINDER_TEMPLATE',
    title: '学时提醒',
    fields: { thing1: '项目', number2: '已完成', number3: '要求', thing4: '温馨提示' },
  },
  /** asked for by 开始前提醒我 on an activity; sent by the activity timer 60 min before the start */
  activityRemind: {
    id: 'ACTIVITY_REMIND_TEMPLATE',
    title: '活动即将开始',
    fields: { thing1: '活动主题', time2: '开始时间', thing3: '活动地点' },
  },
  /** asked for together with activityRemind; sent to those members when the notice changes or is cancelled */
  activityNotice: {
    id: 'ACTIVITY_NOTICE_TEMPLATE',
    title: '活动变更通知',
    fields: { thing1: '活动主题', thing2: '变更说明' },
  },
} as const;

export type TemplateKey = keyof typeof SUBSCRIBE_TEMPLATES;
export type TemplateField<K extends TemplateKey> = keyof (typeof SUBSCRIBE_TEMPLATES)[K]['fields'] & string;

const CONSOLE_ID = /^[A-Za-z0-9_-]{43}$/;

/** True for an id that is not one the console hands out: still the placeholder written here. */
export function isPlaceholderTemplateId(id: string): boolean {
  return !CONSOLE_ID.test(id) || /^[A-Z0-9_]+$/.test(id);
}

/** The templates whose id is still a placeholder (a deploy must refuse these). */
export function placeholderTemplates(): TemplateKey[] {
  return (Object.keys(SUBSCRIBE_TEMPLATES) as TemplateKey[]).filter((k) => isPlaceholderTemplateId(SUBSCRIBE_TEMPLATES[k].id));
}

/** The `data` of one message: a value for every keyword of the template and for nothing else. */
export function templateData<K extends TemplateKey>(key: K, values: Record<TemplateField<K>, string>): Record<string, { value: string }> {
  const fields = Object.keys(SUBSCRIBE_TEMPLATES[key].fields) as TemplateField<K>[];
  return Object.fromEntries(fields.map((f) => [f, { value: values[f] }]));
}
