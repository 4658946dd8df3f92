/**
 * Subscribe-message templates (订阅消息). Replace with the ids from the mini-program console
 * (功能 → 订阅消息) before deploying; the app asks for the same ids with wx.requestSubscribeMessage.
 * Fields: 直播提醒 thing1 课程, thing2 主讲人, time3 开始时间, thing4 温馨提示;
 *         学时提醒 thing1 项目, number2 已完成, number3 要求, thing4 温馨提示.
 */
export const LIVE_REMINDER_TEMPLATE_ID = 'STUDY_LIVE_REMINDER_TEMPLATE';
export const BEHIND_REMINDER_TEMPLATE_ID = 'STUDY_BEHIND_REMINDER_TEMPLATE';
