/** Collections of study (学习与学时). Listed in the product schema by core/db-schema.ts. */
import type { CollectionSpec } from '../db-schema';

export const STUDY_SCHEMA: Record<string, CollectionSpec> = {
  study_lessons: {
    description: '课程与直播课: video / audio / article / live; orgId is the org that offers it to its subtree',
    indexes: [
      { name: 'org_status', keys: { orgId: 1, status: 1, publishedAt: -1 } },
      { name: 'live', keys: { kind: 1, startsAt: 1 } },
    ],
  },
  study_sessions: {
    description: '学习会话: _id is the openid; the one lesson a member is studying now, its last heartbeat and uncredited time',
    indexes: [{ name: 'active_last', keys: { active: 1, lastAt: 1 } }],
  },
  study_progress: {
    description: '课程进度: _id = `${memberId}:${lessonId}`; credited seconds, resume position, completed',
    indexes: [{ name: 'member', keys: { memberId: 1, updatedAt: -1 } }],
  },
  study_credits: {
    description: '学时台账: one record per credit, _id = `${source}:${sourceId}:${memberId}` so a repeat counts once',
    indexes: [
      { name: 'member_year', keys: { memberId: 1, year: 1, day: 1 } },
      { name: 'branch_year', keys: { branchId: 1, year: 1, day: 1 } },
    ],
  },
  study_totals: {
    description: '年度学时计数: _id = `${year}:${memberId}`; totals by source, month and day, read by progress and branch tables',
    indexes: [
      { name: 'branch_year', keys: { branchId: 1, year: 1 } },
      { name: 'path_year', keys: { path: 1, year: 1 } },
    ],
  },
  study_offline: {
    description: '线下学习记录 (集中培训, 送学上门): recorded by the branch secretary for chosen members',
    indexes: [{ name: 'branch_date', keys: { branchId: 1, date: -1 } }],
  },
  study_targets: {
    description: '年度学时要求: _id = `${orgId}:${year}`; member / cadre 学时, nearest org on the path wins',
    indexes: [],
  },
  study_reminders: {
    description: '直播提醒: _id = `${lessonId}:${memberId}`; a subscribe message sent before the start',
    indexes: [{ name: 'due', keys: { sent: 1, startsAt: 1 } }],
  },
};
