import type { CaseTable } from './types';
import { orgCases } from './org';
import { quizCases } from './quiz';
import { pointsCases } from './points';
import { studyCases } from './study';
import { activityCases } from './activity';
import { consistencyCases } from './consistency';

/** Every case, keyed `fn.action` like docs/permissions.md. */
export const AUTHZ_CASES: Record<string, CaseTable> = {
  org: orgCases,
  quiz: quizCases,
  points: pointsCases,
  study: studyCases,
  activity: activityCases,
  consistency: consistencyCases,
};
