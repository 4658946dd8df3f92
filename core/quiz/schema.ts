/** Collections of the daily quiz (每日答题). Listed in the product schema by core/db-schema.ts. */
import type { CollectionSpec } from '../db-schema';

export const QUIZ_SCHEMA: Record<string, CollectionSpec> = {
  quiz_questions: {
    description: '题库: _id derives from (bank org, normalised stem), so a repeated stem is caught by the primary key; order = stable shuffle key',
    indexes: [
      { name: 'org_status_order', keys: { orgId: 1, status: 1, order: 1 } },
      { name: 'org_status_created', keys: { orgId: 1, status: 1, createdAt: -1 } },
    ],
  },
  quiz_sets: {
    description: '每日题目: _id = `${orgId}:${day}`; pinned ids before the day, the chosen questions once materialised',
    indexes: [{ name: 'org_day', keys: { orgId: 1, day: 1 } }],
  },
  quiz_config: {
    description: 'per org that runs a daily quiz (_id = orgId): questions per day, the bank cursor and cycle, and `used` (question id → last day in a set) that practice checks against',
    indexes: [],
  },
  quiz_mastered: {
    description: '错题本 questions a member has since answered correctly in practice (_id = memberId)',
    indexes: [],
  },
  quiz_reminders: {
    description: '答题提醒 sent by a secretary: _id = `${branchId}:${day}`, one per branch per day',
    indexes: [],
  },
};
