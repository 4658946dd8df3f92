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
  /** asked for on the secretary's 三会一课 card; sent a week before a month or quarter ends with a meeting still due */
  cadenceDue: {
    id: 'CADENCE_DUE_TEMPLATE',
    title: '工作待办提醒',
    fields: { thing1: '待办事项', date2: '截止日期', thing3: '所属组织' },
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

/**
 * The registry as the console lists it (我的模板): template id → its keywords. The local emulator is
 * handed this, so a send with any other id or other keywords is refused there as WeChat refuses it.
 */
export function subscribeRegistry(): Record<string, { title: string; keywords: string[] }> {
  return Object.fromEntries(
    (Object.keys(SUBSCRIBE_TEMPLATES) as TemplateKey[]).map((k) => [SUBSCRIBE_TEMPLATES[k].id, { title: SUBSCRIBE_TEMPLATES[k].title, keywords: Object.keys(SUBSCRIBE_TEMPLATES[k].fields) }]),
  );
}

/**
 * One message of a template: its id and `data`, typed against the registry, so a send whose keywords
 * are not its template's does not compile. Every send of the product is built here.
 */
export function subscribeMessage<K extends TemplateKey>(key: K, values: Record<TemplateField<K>, string>): { templateId: string; data: Record<string, { value: string }> } {
  return { templateId: SUBSCRIBE_TEMPLATES[key].id, data: templateData(key, values) };
}

/** The `data` of one message: a value for every keyword of the template and for nothing else. */
export function templateData<K extends TemplateKey>(key: K, values: Record<TemplateField<K>, string>): Record<string, { value: string }> {
  const fields = Object.keys(SUBSCRIBE_TEMPLATES[key].fields) as TemplateField<K>[];
  return Object.fromEntries(fields.map((f) => [f, { value: values[f] }]));
}

/**
 * The value of a `time` or `date` keyword as WeChat accepts it (订阅消息 参数值内容限制: 24小时制时间
 * 格式，支持+年月日, e.g. `2019年10月1日 15:01`), in China time. An ISO timestamp is refused (47003).
 */
export function subscribeTime(at: Date | string | number): string {
  const d = new Date(at);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}年${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}`;
}

/** A day `YYYY-MM-DD` as a `date` keyword value (`2019年10月1日`). */
export function subscribeDate(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}
