/**
 * A year of 三会一课 in every branch of the demo district, so the organiser's 落实情况 view, the
 * secretary's card and the 台账 show something true on first start: each month a 主题党日, a 支委会
 * and a 党小组会 per 党小组, each quarter a 支部党员大会 and a 党课, held and closed, most with their
 * minutes (主持人, 记录人, 议题, 决议, 2–3 photos drawn here as small PNGs, the 7+1 ticks), and the
 * cadence counters the function writes when minutes are first saved (core/activity/cadence.ts
 * `countMeeting`). A few branches lag: meetings skipped, or held without minutes (待补记录).
 *
 * Cheap on purpose: one pool of a dozen photos (with their thumbnails) is drawn once and shared; the
 * history credits no 学时 and every absence is already made up, so members' 补学 lists and study
 * totals are those of seed/activity.ts. Deterministic: a seeded PRNG; only timestamps follow `now`.
 */
import { countAttendance, type ActivityType, type RosterEntry } from '../core/activity/rules';
import { newActivityDoc, newAttendance, type StoredActivity, type StoredAttendance } from '../core/activity/stored';
import { countMeeting, monthOf, monthsBefore, newCounter, counterId, type StoredCadenceCounter } from '../core/activity/cadence';
import { DEFAULT_CHECKLIST, THEME_KEY } from '../core/activity/checklist';
import type { StoredMinutes } from '../core/activity/minutes';
import { PNG } from 'pngjs';
import { int, prng, type Rand } from './names';
import { DEMO, type SeedStore } from './demo';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Branches that fall behind in the demo: the organiser's view has some amber and red. */
export const LAGGING_BRANCHES = ['d1-s2-c2-b2', 'd1-s3-c1-b2', 'd1-s4-c2-b1'];
/** how many months back the history starts (the current month so far is included) */
export const YEAR_MONTHS = 12;

// ---------------------------------------------------------------- small PNGs, drawn by code

/**
 * An RGB PNG of `w`×`h` from a pixel function. The pixels are packed as RGB and filtered with Sub, so
 * pngjs neither converts nor tries every filter: both loop over Math in node_modules, where each
 * lookup of the global is slow inside a vm context (the jest suites seed through here).
 */
export function encodePng(w: number, h: number, px: (x: number, y: number) => [number, number, number]): Buffer {
  const png = new PNG({ width: w, height: h, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) png.data.set(px(x, y), (y * w + x) * 3);
  }
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, filterType: 1, deflateLevel: 9 });
}

// bound once: a per-pixel loop that looks up the global Math is slow inside a vm context (jest)
const { PI, abs, atan2, cos, floor, hypot, max } = Math;

/**
 * A meeting-room scene: a wall, a red banner with a yellow star, a table, and rows of people (heads
 * and shoulders) in varied clothes. `w` 320 gives a photo of about 10 KB, 96 its thumbnail.
 */
export function drawMeetingPhoto(seedNo: number, w = 320, h = Math.round((w * 3) / 4)): Buffer {
  const r = prng(7919 * (seedNo + 1));
  const wall: [number, number, number] = [int(r, 215, 240), int(r, 210, 232), int(r, 190, 215)];
  const rows = int(r, 2, 3);
  const people: { x: number; y: number; s: number; c: [number, number, number] }[] = [];
  for (let row = 0; row < rows; row++) {
    const n = int(r, 5, 8);
    for (let i = 0; i < n; i++) {
      people.push({
        x: ((i + 0.5 + (r() - 0.5) * 0.3) / n) * w,
        y: h * (0.62 + row * 0.14),
        s: (h / 18) * (1 + row * 0.25),
        c: [int(r, 20, 90), int(r, 20, 90), int(r, 40, 140)],
      });
    }
  }
  const star = (x: number, y: number, cx: number, cy: number, rad: number) => {
    const a = atan2(y - cy, x - cx);
    const d = hypot(x - cx, y - cy);
    const k = cos((5 * (a + PI / 2)) % (2 * PI));
    return d < rad * (0.55 + 0.45 * max(0, k));
  };
  return encodePng(w, h, (x, y) => {
    for (let i = people.length - 1; i >= 0; i--) {
      const p = people[i];
      const dx = x - p.x;
      const dy = y - p.y;
      if (dx * dx + dy * dy < p.s * p.s) return [235, 200, 170];
      if (dy > p.s * 0.8 && dy < p.s * 3 && abs(dx) < p.s * 1.6 - (dy < p.s * 1.3 ? (p.s * 1.3 - dy) : 0)) return p.c;
    }
    if (y > h * 0.55 && y < h * 0.6) return [120, 70, 40];
    const by = h * 0.08;
    const bh = h * 0.16;
    if (y > by && y < by + bh && x > w * 0.1 && x < w * 0.9) {
      if (star(x, y, w * 0.16, by + bh / 2, bh * 0.4)) return [255, 222, 0];
      // a row of "characters" on the banner
      const cx = floor((x - w * 0.25) / (w * 0.06));
      if (x > w * 0.25 && x < w * 0.85 && (x - w * 0.25) % (w * 0.06) < w * 0.045 && y > by + bh * 0.25 && y < by + bh * 0.75 && (cx + floor(y / 3)) % 3 !== 0) return [255, 240, 200];
      return [200, 16, 46];
    }
    const shade = y < h * 0.55 ? 0 : 25;
    return [wall[0] - shade, wall[1] - shade, wall[2] - shade];
  });
}

export interface SeedPhotoFiles {
  put(cloudPath: string, bytes: Buffer): string;
}

/** The shared pool: a dozen photos and their thumbnails, written once into storage. */
export function photoPool(files: SeedPhotoFiles | null | undefined, n = 12): { fileID: string; thumb: string; bytes: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const photo = drawMeetingPhoto(i, 320);
    const thumb = drawMeetingPhoto(i, 96);
    const path = `activity-photos/seed/meeting-${i + 1}`;
    if (!files) return { fileID: `cloud://seed.local-bucket/${path}.png`, thumb: `cloud://seed.local-bucket/${path}.thumb.png`, bytes: photo.length };
    return { fileID: files.put(`${path}.png`, photo), thumb: files.put(`${path}.thumb.png`, thumb), bytes: photo.length };
  });
}

// ---------------------------------------------------------------- the year

interface M {
  _id: string;
  name: string;
  branchId: string;
  groupId?: string | null;
  path: string[];
  role: string;
}
interface N {
  _id: string;
  name: string;
  type: string;
  parentId: string | null;
  path: string[];
}

const TOPICS: Record<string, { title: (m: number) => string; topics: string[]; resolutions: string[] }> = {
  theme_day: {
    title: (m) => `${m}月主题党日`,
    topics: ['重温入党誓词；集中学习习近平新时代中国特色社会主义思想有关篇目；围绕“我为群众办实事”交流研讨；开展楼院环境整治志愿服务；收缴本月党费。', '集中学习党章第二章；观看警示教育片；党员结合岗位谈体会；为本月过政治生日的党员送上政治生日贺卡。'],
    resolutions: ['1. 本月志愿服务由各党小组轮流组织，每名党员不少于 2 小时；2. 党费按时足额收缴，已全部上交。', '1. 下月主题党日围绕“文明城市创建”开展；2. 对行动不便的老党员采取送学上门方式补学。'],
  },
  committee: {
    title: (m) => `${m}月支委会`,
    topics: ['研究本月组织生活安排；讨论发展党员工作计划；分析党员教育管理中存在的问题。', '通报上月工作完成情况；研究困难党员走访慰问名单；部署下月重点工作。'],
    resolutions: ['1. 确定本月主题党日的时间和内容；2. 确定 1 名入党积极分子培养联系人。', '1. 走访慰问困难党员 3 名，由支部书记带队；2. 下月 10 日前完成党员信息核对。'],
  },
  group_meeting: {
    title: (m) => `${m}月党小组会`,
    topics: ['学习上级有关文件精神；党员汇报思想和工作情况；讨论小组内志愿服务分工。', '组织党员学习“学习强国”本月重点文章；收集群众意见建议。'],
    resolutions: ['1. 各楼栋党员分片包干，本月内走访到户；2. 收集的 5 条群众意见报支委会研究。', '1. 小组内结对帮扶 2 名老党员；2. 按时参加支部主题党日。'],
  },
  branch_meeting: {
    title: (m) => `第${Math.floor((m - 1) / 3) + 1}季度支部党员大会`,
    topics: ['支部书记报告本季度工作；审议发展党员事项；通报党费收缴使用情况。', '传达上级会议精神；讨论支部年度工作计划执行情况；民主评议。'],
    resolutions: ['1. 同意接收 1 名预备党员按期转正，报上级党委审批；2. 通过本季度党费使用情况报告。', '1. 通过支部下季度工作计划；2. 表扬优秀党员 3 名。'],
  },
  lesson: {
    title: (m) => `第${Math.floor((m - 1) / 3) + 1}季度专题党课`,
    topics: ['支部书记讲专题党课：传承红色基因，做群众贴心人；党员围绕党课内容交流发言。', '邀请街道党校教师讲党课：学习党的创新理论；联系社区实际谈体会。'],
    resolutions: ['1. 党员结合党课内容撰写学习体会，月底前交支部；2. 党课讲稿存档。', '1. 将党课录音放入“指尖党校”供未参加党员补学；2. 下季度由支部委员讲党课。'],
  },
};

const DAY_OF: Record<string, number> = { committee: 4, theme_day: 12, group_meeting: 20, branch_meeting: 22, lesson: 26 };

/** The activities, attendance, minutes and counters of one branch's year. */
function branchYear(
  r: Rand,
  branch: N,
  groups: N[],
  members: M[],
  months: string[],
  now: Date,
  pool: ReturnType<typeof photoPool>,
  skip: Set<string>,
): { acts: StoredActivity[]; att: StoredAttendance[]; minutes: StoredMinutes[]; counters: StoredCadenceCounter[] } {
  const acts: StoredActivity[] = [];
  const att: StoredAttendance[] = [];
  const minutes: StoredMinutes[] = [];
  const counters = new Map<string, StoredCadenceCounter>();
  const lagging = LAGGING_BRANCHES.includes(branch._id);
  const secretary = members.find((m) => m.role === 'secretary') ?? members[0];
  const recorder = members.find((m) => m._id !== secretary._id) ?? secretary;
  const host = { branchId: branch._id, branchName: branch.name, path: branch.path, secretaryId: secretary._id, secretaryName: secretary.name };
  const place = { name: `${branch.name.replace(/党支部$/, '')}党员活动室`, address: '' };
  const entry = (m: M): RosterEntry => ({ id: m._id, name: m.name, branchId: m.branchId });
  const current = monthOf(now);

  const plan: { type: ActivityType; month: string; group: N | null; roster: M[] }[] = [];
  for (const month of months) {
    const mo = Number(month.slice(5));
    plan.push({ type: 'committee', month, group: null, roster: members.slice(0, Math.min(5, members.length)) });
    plan.push({ type: 'theme_day', month, group: null, roster: members });
    for (const g of groups.length ? groups : [null]) plan.push({ type: 'group_meeting', month, group: g, roster: g ? members.filter((m) => m.groupId === g._id) : members });
    if (mo % 3 === 2) plan.push({ type: 'branch_meeting', month, group: null, roster: members });
    if (mo % 3 === 1) plan.push({ type: 'lesson', month, group: null, roster: members });
  }
  for (const p of plan) {
    const key = `${p.month}:${p.type}`;
    if (skip.has(key)) continue;
    const mo = Number(p.month.slice(5));
    const day = Math.min(28, DAY_OF[p.type] + int(r, -2, 2) + (p.group ? Number(p.group._id.slice(-1)) : 0));
    // China time has no daylight saving: a fixed +08:00 is exact, and far cheaper than a zone lookup per meeting
    const start = new Date(`${p.month}-${String(day).padStart(2, '0')}T${p.type === 'committee' ? '19' : '09'}:00:00+08:00`);
    if (start.getTime() > now.getTime() - 3 * 60 * MIN) continue;
    // lagging branches skip some meetings outright, more so lately
    if (lagging && p.type !== 'theme_day' && r() < (p.month >= monthsBefore(current, 2) ? 0.6 : 0.25)) continue;
    const roster = p.roster.map(entry);
    if (!roster.length) continue;
    const t = TOPICS[p.type];
    const id = `ay-${branch._id}-${p.month}-${p.type}${p.group ? `-${p.group._id.slice(-2)}` : ''}`;
    const close = new Date(start.getTime() + 30 * MIN);
    const a = newActivityDoc(
      {
        id,
        fields: {
          type: p.type,
          title: `${t.title(mo)}${p.group ? `（${p.group.name}）` : ''}`,
          agenda: t.topics[mo % t.topics.length],
          startAt: start,
          endAt: new Date(start.getTime() + (p.type === 'committee' ? 60 : 120) * MIN),
          place,
          openBeforeMin: 30,
          closeAfterMin: 30,
          geofenceRadiusM: null,
          studyMinutes: 0,
          makeUpText: '阅读本次会议记录并写下学习体会。',
          makeUpLessonId: null,
        },
        host,
        groupId: p.group?._id ?? null,
        now: new Date(start.getTime() - 7 * DAY),
      },
      { status: 'published', rev: 1, roster, publishedAt: new Date(start.getTime() - 6 * DAY), finalisedAt: close, awardedAt: close, updatedAt: close },
    );
    const recs = roster.map((m, i) => {
      const x = r();
      const status = x < 0.86 ? 'present' : x < 0.95 ? 'leave' : 'absent';
      const present = status === 'present';
      return newAttendance(a, m, close, {
        status,
        method: present ? (i % 7 === 3 ? 'manual' : 'qr') : null,
        at: present ? new Date(start.getTime() - int(r, 0, 25) * MIN) : null,
        byId: present ? m.id : null,
        note: status === 'absent' ? '签到结束时未签到、未请假' : present && i % 7 === 3 ? '手机没电，书记代签' : null,
        leaveReason: status === 'leave' ? '外出务工' : null,
        leaveRequestedAt: status === 'leave' ? new Date(start.getTime() - DAY) : null,
        reviewedBy: status === 'leave' ? secretary._id : null,
        reviewedAt: status === 'leave' ? new Date(start.getTime() - DAY / 2) : null,
        // the history is settled: every absence and leave made up
        madeUpAt: present ? null : new Date(start.getTime() + 3 * DAY),
        makeUpNote: present ? null : '已阅读会议记录并提交体会',
        sealed: true,
      });
    });
    a.counts = countAttendance(roster, recs);
    acts.push(a);
    att.push(...recs);
    // minutes: nearly always in a complete branch, often missing in a lagging one
    if (r() < (lagging ? 0.55 : 0.96)) {
      const photos = Array.from({ length: int(r, 2, 3) }, () => pool[int(r, 0, pool.length - 1)]).filter((p, i, all) => all.findIndex((q) => q.fileID === p.fileID) === i);
      while (photos.length < 2) photos.push(pool.find((p) => !photos.includes(p))!);
      const savedAt = new Date(start.getTime() + int(r, 1, 4) * DAY);
      const savedOrNow = savedAt.getTime() > now.getTime() ? new Date(close.getTime() + 60 * MIN) : savedAt;
      minutes.push({
        _id: a._id,
        activityId: a._id,
        branchId: branch._id,
        path: a.hostPath,
        type: a.type,
        title: a.title,
        startAt: a.startAt,
        hostId: secretary._id,
        hostName: secretary.name,
        recorderId: recorder._id,
        recorderName: recorder.name,
        topics: t.topics[mo % t.topics.length],
        resolutions: t.resolutions[mo % t.resolutions.length],
        photos: photos.map((p) => ({ fileID: p.fileID, bytes: p.bytes, thumb: p.thumb })),
        attachments: [],
        checklist:
          p.type === 'theme_day'
            ? // 民主评议 twice a year; a month with no 政治生日 now and then
              [...DEFAULT_CHECKLIST, { key: THEME_KEY, label: '当月主题活动' }].map((c) => ({
                key: c.key,
                label: c.label,
                done: !(c.key === 'review' && mo % 6 !== 0) && !(c.key === 'birthday' && r() < 0.3),
              }))
            : null,
        version: 1,
        createdAt: savedOrNow,
        createdBy: secretary._id,
        updatedAt: savedOrNow,
        updatedBy: secretary._id,
        updatedByName: secretary.name,
      });
      const cid = counterId(branch._id, p.month);
      const c = counters.get(cid) ?? newCounter(branch, p.month, savedOrNow);
      counters.set(cid, countMeeting(c, a, savedOrNow).next);
    }
  }
  return { acts, att, minutes, counters: [...counters.values()] };
}

/**
 * Seeds the year in every branch of the demo district. In the demo branch the 主题党日 of the month
 * of seed/activity.ts's past one is that one, which has no minutes yet: its secretary sees 待补记录
 * on first start.
 */
export async function seedActivityYear(store: SeedStore, now: Date, files?: SeedPhotoFiles | null): Promise<{ activities: number; minutes: number }> {
  const r = prng(20_260_401);
  const nodes = (await store.find('org_nodes', { type: { $in: ['branch', 'group'] } }, { sort: { _id: 1 } })) as N[];
  const members = (await store.find('org_members', { status: 'active', role: { $in: ['member', 'secretary'] } }, { sort: { _id: 1 } })) as M[];
  const pool = photoPool(files);
  const current = monthOf(now);
  const months = Array.from({ length: YEAR_MONTHS + 1 }, (_, i) => monthsBefore(current, YEAR_MONTHS - i));
  const byBranch = new Map<string, M[]>();
  for (const m of members) byBranch.set(m.branchId, [...(byBranch.get(m.branchId) ?? []), m]);
  const all = { acts: [] as StoredActivity[], att: [] as StoredAttendance[], minutes: [] as StoredMinutes[], counters: [] as StoredCadenceCounter[] };
  for (const b of nodes.filter((n) => n.type === 'branch')) {
    const ms = byBranch.get(b._id) ?? [];
    if (!ms.length) continue;
    // the demo branch's 主题党日 of last month is seed/activity.ts's (a-demo-past, no minutes yet)
    const skip = b._id === DEMO.branchId ? new Set([`${monthOf(now.getTime() - 25 * DAY)}:theme_day`]) : new Set<string>();
    const y = branchYear(r, b, nodes.filter((n) => n.type === 'group' && n.parentId === b._id), ms, months, now, pool, skip);
    all.acts.push(...y.acts);
    all.att.push(...y.att);
    all.minutes.push(...y.minutes);
    all.counters.push(...y.counters);
  }
  const CHUNK = 5000;
  for (const [coll, docs] of [
    ['activity_items', all.acts],
    ['activity_attendance', all.att],
    ['activity_minutes', all.minutes],
    ['activity_cadence', all.counters],
  ] as const) {
    for (let i = 0; i < docs.length; i += CHUNK) await store.insertMany(coll, docs.slice(i, i + CHUNK) as unknown as Record<string, unknown>[]);
  }
  return { activities: all.acts.length, minutes: all.minutes.length };
}
