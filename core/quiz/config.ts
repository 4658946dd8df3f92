/**
 * Deployment constants of the quiz. Its subscribe-message template (“学习提醒”) is configured with
 * the others in core/subscribe/templates.ts.
 */
import { templateData } from '../subscribe/templates';

/** the page a reminder opens */
export const QUIZ_PAGE = 'pages/quiz/index';
/** grants a member can bank (WeChat keeps them; we only count) */
export const MAX_REMIND_QUOTA = 30;

export function reminderData(day: string, branchName: string): Record<string, { value: string }> {
  return templateData('quizRemind', {
    thing1: '每日答题',
    date2: day,
    thing3: `${branchName}提醒：今天的题目还没有完成`.slice(0, 20),
  });
}
