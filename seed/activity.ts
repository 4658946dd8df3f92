/**
 * Activity demo data in the demo branch: last month's 主题党日 (finalised, with sign-ins, leave,
 * an absence and a 补学), a 党课 starting within the hour (sign-in already open), and next month's
 * 支部党员大会 still a draft. Timestamps follow `now`.
 *
 * The finalised activity is credited as the function credits it (cloudfunctions/activity/awards.ts):
 * every member present gets its 学时 on the day it was held, every 补学 done the same 学时 on the day
 * of the make-up, one credit per member and activity. The credits are handed back so the study seed
 * adds them to the same ledger and totals as all other study.
 */
import { ACTIVITY_TYPES, countAttendance, signInWindow } from '../core/activity/rules';
import type { CreditInput } from '../core/study/credit';
import { dayOf } from '../core/day';
import { newActivityDoc, newActivityRead, newAttendance, type ActivityFields, type StoredActivity } from '../core/activity/stored';
import { DEMO, type SeedStore } from './demo';

export const ACTIVITY_DEMO = {
  pastId: 'a-demo-past',
  soonId: 'a-demo-soon',
  draftId: 'a-demo-draft',
};

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

interface M {
  _id: string;
  name: string;
  branchId: string;
  path: string[];
  status: string;
  role: string;
}

/** The 学时 a finalised activity credits: presence on its day, a 补学 on the day it was done. */
export function activityCredits(a: StoredActivity, records: { memberId: string; status: string; madeUpAt?: Date | string | null }[], members: M[]): CreditInput[] {
  if (a.studyMinutes <= 0 || !a.finalisedAt) return [];
  const label = ACTIVITY_TYPES[a.type] ?? '组织生活';
  const byId = new Map(members.map((m) => [m._id, m]));
  return records.flatMap((r): CreditInput[] => {
    const m = byId.get(r.memberId);
    const madeUp = r.status !== 'present' && !!r.madeUpAt;
    if (!m || (r.status !== 'present' && !madeUp)) return [];
    return [
      {
        memberId: m._id,
        branchId: m.branchId,
        path: m.path ?? [],
        name: m.name,
        role: m.role,
        day: dayOf(madeUp ? r.madeUpAt! : a.startAt),
        source: 'activity',
        sourceId: a._id,
        seconds: a.studyMinutes * 60,
        reason: `${madeUp ? '补学 · ' : ''}${label}：${a.title}`.slice(0, 60),
      },
    ];
  });
}

export async function seedActivity(store: SeedStore, now: Date): Promise<CreditInput[]> {
  const members = ((await store.find('org_members', { branchId: DEMO.branchId, status: 'active' }, { sort: { _id: 1 } })) as M[]) ?? [];
  if (!members.length) return [];
  const secretary = members.find((m) => m._id === DEMO.secretaryId) ?? members[0];
  const branch = (await store.findOne('org_nodes', DEMO.branchId)) as { name: string; path: string[] } | null;
  const roster = members.map((m) => ({ id: m._id, name: m.name, branchId: m.branchId }));
  const host = {
    branchId: DEMO.branchId,
    branchName: branch?.name ?? DEMO.branchName,
    path: branch?.path ?? [],
    secretaryId: secretary._id,
    secretaryName: secretary.name,
  };
  const createdAt = new Date(now.getTime() - 40 * DAY);
  const place = { name: '馨怡家园社区党群服务中心', address: '文化路 88 号二楼会议室' };
  const form = { openBeforeMin: 30, closeAfterMin: 30, geofenceRadiusM: null, makeUpLessonId: null };
  const at = (start: Date, mins: number) => new Date(start.getTime() + mins * MIN);
  const activity = (id: string, fields: ActivityFields, patch: Partial<StoredActivity>) =>
    newActivityDoc({ id, fields, host, now: createdAt }, { updatedAt: now, ...patch });

  // last month's 主题党日, finalised
  const pastStart = new Date(Math.floor((now.getTime() - 25 * DAY) / (15 * MIN)) * 15 * MIN);
  const pastClose = signInWindow(pastStart, 30, 30).closeAt;
  const past = activity(
    ACTIVITY_DEMO.pastId,
    {
      ...form,
      type: 'theme_day',
      title: '学习党的二十大精神主题党日',
      agenda: '1. 重温入党誓词\n2. 集中学习党的二十大报告选段\n3. 交流学习体会\n4. 楼栋环境整治志愿服务',
      startAt: pastStart,
      endAt: at(pastStart, 120),
      place,
      studyMinutes: 90,
      makeUpText: '阅读党的二十大报告第一部分，并写下不少于 50 字的学习体会。',
    },
    { status: 'published', rev: 1, roster, publishedAt: new Date(pastStart.getTime() - 7 * DAY), finalisedAt: pastClose, awardedAt: pastClose },
  );
  const records = roster.map((m, i) => {
    const status = m.id === DEMO.elderId ? 'leave' : i % 9 === 4 ? 'leave' : i % 11 === 7 ? 'absent' : 'present';
    const present = status === 'present';
    // one absentee has already made up; the elder's 补学 is still open
    const madeUp = status !== 'present' && m.id !== DEMO.elderId && i % 2 === 0;
    return newAttendance(past, m, pastClose, {
      status,
      method: present ? (i % 13 === 5 ? 'manual' : 'qr') : null,
      at: present ? at(pastStart, -20 + (i % 25)) : null,
      byId: present ? m.id : null,
      note: status === 'absent' ? '签到结束时未签到、未请假' : null,
      leaveReason: status === 'leave' ? (m.id === DEMO.elderId ? '腿脚不便，当天去医院复查' : '外出务工') : null,
      leaveRequestedAt: status === 'leave' ? at(pastStart, -2 * 24 * 60) : null,
      reviewedBy: status === 'leave' ? secretary._id : null,
      reviewedAt: status === 'leave' ? at(pastStart, -24 * 60) : null,
      madeUpAt: madeUp ? at(pastStart, 3 * 24 * 60) : null,
      makeUpNote: madeUp ? '已阅读报告第一部分并提交体会' : null,
    });
  });
  past.counts = countAttendance(roster, records);

  // a 党课 starting in 20 minutes: sign-in is open now
  const soonStart = new Date(Math.ceil((now.getTime() + 20 * MIN) / (5 * MIN)) * 5 * MIN);
  const soon = activity(
    ACTIVITY_DEMO.soonId,
    {
      ...form,
      type: 'lesson',
      title: '书记讲党课：传承红色基因',
      agenda: '支部书记讲专题党课，结合社区实际谈如何当好群众身边的“服务员”。',
      startAt: soonStart,
      endAt: at(soonStart, 90),
      place: { ...place, lat: 34.7916, lng: 113.6629 },
      studyMinutes: 45,
      makeUpText: '观看本次党课的回放或阅读讲稿。',
    },
    { status: 'published', rev: 1, roster, publishedAt: new Date(now.getTime() - 2 * DAY) },
  );

  const draftStart = new Date(Math.floor((now.getTime() + 30 * DAY) / (60 * MIN)) * 60 * MIN);
  const draft = activity(
    ACTIVITY_DEMO.draftId,
    {
      ...form,
      type: 'branch_meeting',
      title: '支部党员大会：民主评议党员',
      agenda: '1. 支部书记报告全年工作\n2. 党员个人自评\n3. 民主测评',
      startAt: draftStart,
      endAt: at(draftStart, 120),
      place,
      studyMinutes: 0,
      makeUpText: '',
    },
    {},
  );
  await store.insertMany('activity_items', [past, soon, draft]);
  await store.insertMany('activity_attendance', records);
  // most members opened last month's notice; a few have read the upcoming one
  const reads = [
    ...roster.filter((_m, i) => i % 7 !== 3).map((m) => newActivityRead(past, m, past.publishedAt!)),
    ...roster.slice(0, 4).map((m) => newActivityRead(soon, m, now)),
  ];
  await store.insertMany('activity_reads', reads);
  return activityCredits(past, records, members);
}
