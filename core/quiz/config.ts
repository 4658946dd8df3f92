/**
 * Deployment constants of the quiz. Its subscribe-message template (“学习提醒”) is configured with
 * the others in core/subscribe/templates.ts.
 */
import { subscribeDate, type TemplateField } from '../subscribe/templates';

/** the page a reminder opens */
export const QUIZ_PAGE = 'pages/quiz/index';
/** grants a member can bank (WeChat keeps them; we only count) */
export const MAX_REMIND_QUOTA = 30;

/** The quiz reminder's keyword values (core/subscribe/templates.ts builds the message). */
export function reminderData(day: string, branchName: string): Record<TemplateField<'quizRemind'>, string> {
  return {
    thing1: '每日答题',
    date2: subscribeDate(day),
    thing3: `${branchName}提醒：今天的题目还没有完成`.slice(0, 20),
  };
}
