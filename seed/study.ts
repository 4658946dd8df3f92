/**
 * Study demo data: lessons (video / audio / article) offered by the district and by the demo
 * branch, a live lesson on air now and one later today, this year's study of every member (so the
 * branch table and the organiser's rates have something to show), a few offline records
 * (集中培训, 送学上门) and the district's targets (32 / 56).
 *
 * Deterministic apart from timestamps, which follow `now`. Counters are built with the same
 * applyCredit the ledger uses, so seeded totals always equal the seeded credits.
 */
import { applyCredit, creditId, newCreditDoc, totalsId, type CreditInput, type TotalsDoc } from '../core/study/credit';
import { newLessonDoc, newOfflineRecord } from '../core/study/stored';
import { dayOf, startOfDay, yearOf } from '../core/day';
import { DEMO, type SeedStore } from './demo';
import { int, prng } from './names';
import type { DemoMedia } from './media';

export const STUDY_DEMO = {
  articleLessonId: 'l-demo-article-1',
  videoLessonId: 'l-demo-video-1',
  audioLessonId: 'l-demo-audio-1',
  branchLessonId: 'l-demo-branch-1',
  liveLessonId: 'l-demo-live-now',
  upcomingLiveLessonId: 'l-demo-live-later',
};

const ARTICLE = [
  '学习贯彻党的二十大精神，首先要全面准确领会党的二十大报告提出的新思想新观点新论断。',
  '基层党支部是党的全部工作和战斗力的基础。支部书记要把“三会一课”抓在日常、严在经常，让每一名党员都在组织中受教育、得提高。',
  '“不漏一人、不缺一项”。对年龄较大、行动不便的老党员，支部通过送学上门、线上直播等方式，让他们也能按时参加学习。',
  '党员要把学习作为一种责任、一种习惯，每年参加集中学习培训累计不少于 32 学时；基层党组织书记和班子成员每年不少于 56 学时。',
  '学习要学以致用。社区党员可以结合楼栋服务、志愿活动，把学到的理论转化为服务群众的实际行动。',
].join('\n\n');

interface LessonSeed {
  _id: string;
  kind: 'video' | 'audio' | 'article' | 'live';
  title: string;
  speaker: string;
  minutes: number;
  orgId: string;
  orgName: string;
  daysAgo: number;
  body?: string;
  mediaUrl?: string | null;
  startsInMin?: number;
}

/**
 * `more` are credits earned elsewhere (the finalised demo activity): they go into the same ledger
 * and totals, so the branch table's 活动 column shows them.
 */
export async function seedStudy(store: SeedStore, now: Date, more: CreditInput[] = [], media: DemoMedia | null = null): Promise<void> {
  const r = prng(20241101);
  const year = yearOf(now);
  const district = { id: DEMO.districtId, name: '郑州市金水区委' };
  const lessons: LessonSeed[] = [
    { _id: STUDY_DEMO.articleLessonId, kind: 'article', title: '学习贯彻党的二十大精神的五个要点', speaker: '区委党校 王建华', minutes: 20, orgId: district.id, orgName: district.name, daysAgo: 3, body: ARTICLE },
    { _id: STUDY_DEMO.videoLessonId, kind: 'video', title: '新时代基层党支部标准化规范化建设', speaker: '市委党校 李春梅 教授', minutes: 45, orgId: district.id, orgName: district.name, daysAgo: 8, mediaUrl: null },
    { _id: STUDY_DEMO.audioLessonId, kind: 'audio', title: '党史故事：红旗渠精神代代传', speaker: '林州市红旗渠干部学院 张卫东', minutes: 30, orgId: district.id, orgName: district.name, daysAgo: 15, mediaUrl: null },
    {
      _id: 'l-demo-article-2', kind: 'article', title: '《中国共产党纪律处分条例》学习问答', speaker: '区纪委 周敏', minutes: 15, orgId: district.id,
      orgName: district.name, daysAgo: 20,
      body: '问：党员应当遵守哪些纪律？\n\n答：政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律和生活纪律。\n\n问：为什么要经常学习条例？\n\n答：学条例、知敬畏、守底线，把纪律要求内化于心、外化于行。',
    },
    {
      _id: STUDY_DEMO.branchLessonId, kind: 'article', title: '馨怡家园社区党支部“楼栋红管家”工作手册', speaker: '支部书记', minutes: 10, orgId: DEMO.branchId,
      orgName: DEMO.branchName, daysAgo: 1, body: '一、楼栋红管家的职责：联系住户、收集诉求、传达政策。\n\n二、每月走访一次独居老人和老党员，帮助他们参加支部学习。\n\n三、遇到困难及时向支部报告。',
    },
    { _id: STUDY_DEMO.liveLessonId, kind: 'live', title: '直播：“两个确立”的决定性意义', speaker: '区委党校 陈立新', minutes: 60, orgId: district.id, orgName: district.name, daysAgo: 2, startsInMin: -10 },
    { _id: STUDY_DEMO.upcomingLiveLessonId, kind: 'live', title: '直播：社区治理中的党建引领', speaker: '区委组织部 刘晓燕', minutes: 45, orgId: district.id, orgName: district.name, daysAgo: 2, startsInMin: 180 },
  ];
  // recordings made at seed time (seed/media.ts): each lesson lasts exactly as long as its recording,
  // so it can be finished; the video lesson is an audio lesson where no video could be made
  if (media) {
    for (const l of lessons) {
      if (l._id === STUDY_DEMO.audioLessonId) Object.assign(l, { mediaUrl: media.audio, minutes: media.seconds / 60 });
      if (l._id === STUDY_DEMO.videoLessonId) Object.assign(l, { kind: media.video.kind, mediaUrl: media.video.fileId, minutes: media.seconds / 60 });
    }
  }
  await store.insertMany(
    'study_lessons',
    lessons.map((l) => {
      const at = new Date(now.getTime() - l.daysAgo * 86400_000);
      return {
        _id: l._id,
        ...newLessonDoc({
          ...l,
          startsAt: l.startsInMin !== undefined ? new Date(now.getTime() + l.startsInMin * 60_000) : null,
          // no stream on a machine without network: the H5 app shows its placeholder and still counts
          streamUrl: null,
          publishedAt: at,
          createdBy: DEMO.organiserId,
          createdAt: at,
        }),
      };
    }),
  );
  await store.insertMany('study_targets', [{ _id: `${district.id}:${year}`, orgId: district.id, year, member: 32, cadre: 56 }]);

  // This year's study so far, month by month, for every member of the demo district.
  const members = (await store.find('org_members', { status: 'active' }, { sort: { _id: 1 }, limit: 5000 })) as Array<{
    _id: string;
    name: string;
    branchId: string;
    path: string[];
    role: string;
    birthYear: number;
  }>;
  const today = dayOf(now);
  const month = Number(today.slice(5, 7));
  const totals = new Map<string, TotalsDoc>();
  const credits: Record<string, unknown>[] = [];
  const credit = (c: CreditInput) => {
    // a credit counts toward the year of its day (last month's activity may be last year's)
    const tid = totalsId(Number(c.day.slice(0, 4)), c.memberId);
    totals.set(tid, applyCredit(totals.get(tid) ?? null, c, now));
    credits.push({ _id: creditId(c), ...newCreditDoc(c, now) });
  };
  const pad = (n: number) => String(n).padStart(2, '0');
  for (const m of members) {
    // the well-known demo member and elder start from zero so the demo shows credit arriving
    if (m._id === DEMO.memberId || m._id === DEMO.elderId) continue;
    const diligence = r();
    for (let mo = 1; mo < month; mo++) {
      if (r() > diligence) continue;
      const day = `${year}-${pad(mo)}-${pad(int(r, 1, 28))}`;
      const minutes = int(r, 30, 240);
      const source = r() < 0.7 ? 'online' : 'live';
      credit({
        memberId: m._id, branchId: m.branchId, path: m.path, name: m.name, role: m.role, day, source, sourceId: `seed-${mo}`,
        seconds: minutes * 60, reason: source === 'online' ? '在线课程' : '直播课',
      });
    }
  }

  // Offline records of the demo branch: 集中培训 for those present, 送学上门 for the elders.
  const branch = members.filter((m) => m.branchId === DEMO.branchId);
  const secretary = branch.find((m) => m.role === 'secretary')!;
  const elders = branch.filter((m) => year - m.birthYear >= 70 && m._id !== DEMO.elderId).slice(0, 3);
  const records = [
    {
      id: `${DEMO.branchId}:seed-offline-1`, kind: '集中培训', date: `${year}-03-15`, topic: '学习全国两会精神', hours: 2, place: '馨怡家园社区党群服务中心',
      deliveredBy: '区委党校 王建华', memberIds: branch.filter((m) => m._id !== DEMO.memberId).slice(0, 12).map((m) => m._id),
    },
    {
      id: `${DEMO.branchId}:seed-offline-2`, kind: '送学上门', date: `${year}-06-20`, topic: '七一前夕送学上门：党章学习', hours: 1.5, place: '老党员家中',
      deliveredBy: secretary.name, memberIds: elders.map((m) => m._id),
    },
  ].filter((rec) => rec.date <= today && rec.memberIds.length);
  for (const rec of records) {
    for (const id of rec.memberIds) {
      const m = branch.find((x) => x._id === id)!;
      credit({
        memberId: m._id, branchId: m.branchId, path: m.path, name: m.name, role: m.role, day: rec.date, source: 'offline', sourceId: rec.id,
        seconds: rec.hours * 3600, reason: `${rec.kind}：${rec.topic}`, by: secretary._id,
      });
    }
  }
  await store.insertMany(
    'study_offline',
    records.map((rec) => ({
      _id: rec.id,
      ...newOfflineRecord(
        { ...rec, branchId: DEMO.branchId, recordedBy: secretary._id, recordedByName: secretary.name, createdAt: startOfDay(rec.date) },
        rec.memberIds.map((id) => branch.find((m) => m._id === id)!),
      ),
    })),
  );
  for (const c of more) credit(c);
  for (let i = 0; i < credits.length; i += 5000) await store.insertMany('study_credits', credits.slice(i, i + 5000));
  const docs = [...totals.values()].map((t) => ({ ...t }) as unknown as Record<string, unknown>);
  for (let i = 0; i < docs.length; i += 5000) await store.insertMany('study_totals', docs.slice(i, i + 5000));
}
