/**
 * Deployment constants of the quiz. The subscribe-message template is applied for in the WeChat
 * console (订阅消息 → 公共模板库: “学习提醒”); replace the id with the one the console shows.
 * The app asks for it with Taro.requestSubscribeMessage on the quiz page.
 */
export const QUIZ_REMIND_TEMPLATE_ID = 'Q7aLx3b3yS0n8Jd2Rk5mVw1cT9pZ4eFhG6uN2oKq8Ws';
/** the page a reminder opens */
export const QUIZ_PAGE = 'pages/quiz/index';
/** grants a member can bank (WeChat keeps them; we only count) */
export const MAX_REMIND_QUOTA = 30;

export function reminderData(day: string, branchName: string): Record<string, { value: string }> {
  return {
    thing1: { value: '每日答题' },
    date2: { value: day },
    thing3: { value: `${branchName}提醒：今天的题目还没有完成`.slice(0, 20) },
  };
}
