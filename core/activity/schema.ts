/** Collections of branch activity days (组织生活). Listed in the product schema by core/db-schema.ts. */
import type { CollectionSpec } from '../db-schema';

export const ACTIVITY_SCHEMA: Record<string, CollectionSpec> = {
  activity_items: {
    description:
      '组织生活活动 (主题党日, 三会一课…): the notice, its sign-in window, the roster fixed at publication (plus each 联建 branch as it accepts), finalisedAt once absences are marked',
    indexes: [
      { name: 'branch_start', keys: { branchIds: 1, startAt: -1 } },
      { name: 'host_start', keys: { hostBranchId: 1, startAt: -1 } },
      { name: 'joint_start', keys: { jointBranchIds: 1, startAt: -1 } },
      { name: 'to_finalise', keys: { status: 1, finalisedAt: 1, signInCloseAt: 1 } },
    ],
  },
  activity_attendance: {
    description:
      '出勤记录: _id = `${activityId}:${memberId}`, so one record per member per activity whatever the retries; status present / leave_pending / leave / leave_declined / absent, madeUpAt once 补学 is done, sealed once sign-in closes',
    indexes: [
      { name: 'activity_status', keys: { activityId: 1, status: 1 } },
      { name: 'member_status', keys: { memberId: 1, status: 1 } },
      { name: 'branch_start', keys: { branchId: 1, startAt: -1 } },
    ],
  },
  activity_reads: {
    description: '通知已读回执: _id = `${activityId}:${memberId}`, rev = the notice revision last read',
    indexes: [{ name: 'activity', keys: { activityId: 1 } }],
  },
  activity_subs: {
    description: '活动提醒订阅: _id = `${activityId}:${memberId}`; the reminder timer sends one subscribe message at remindAt',
    indexes: [{ name: 'due', keys: { sent: 1, remindAt: 1 } }],
  },
};
