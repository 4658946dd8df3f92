import { dayOf, yearOf } from '../../../core/day';
import { leaseOf, openLease, signLease } from '../../../core/study/lease';
import { DEMO } from '../../../seed';
import { HOME, type CallerInfo, type Harness } from '../harness';
import type { CaseTable } from './types';

 

function expect(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

const MIN = 60_000;
const isMember = (c: CallerInfo) => c.memberId !== null;
const isHome = (c: CallerInfo) => c.branchId === HOME.branchId;
const stored = (h: Harness, c: CallerInfo) => h.store.findOne('org_members', c.memberId!);

/**
 * A fresh published lesson offered by `orgId` (the home branch unless said otherwise), written
 * straight into the store. A live one starts in three hours.
 */
function freshLesson(h: Harness, opts: { orgId?: string; kind?: 'article' | 'live' } = {}): string {
  const n = h.seq();
  const orgId = opts.orgId ?? HOME.branchId;
  const kind = opts.kind ?? 'article';
  const now = Date.now();
  const startsAt = kind === 'live' ? new Date(now + 180 * MIN) : null;
  const id = `l-trust-${n}`;
  h.store.put(
    'study_lessons',
    {
      _id: id,
      kind,
      title: `试验课程 ${n}：支部工作条例`,
      speaker: '支部书记',
      durationSec: 20 * 60,
      cover: null,
      mediaUrl: null,
      body: kind === 'article' ? '一、支部是党的基础组织。\n\n二、支部党员大会一般每季度召开一次。' : null,
      orgId,
      orgName: h.store.findOne('org_nodes', orgId).name,
      status: 'published',
      publishedAt: new Date(now - 86_400_000),
      startsAt,
      endsAt: startsAt ? new Date(startsAt.getTime() + 20 * MIN) : null,
      streamUrl: null,
      channelsId: null,
      replayUrl: null,
      createdBy: DEMO.secretaryId,
      createdAt: new Date(now - 86_400_000),
    },
    'insert',
  );
  return id;
}

/**
 * Starts a real session (the `start` action) for `openid` on a fresh district lesson, every member's
 * to study, then moves its start and last beat 30 s back so that the next beat is a normal one, not
 * "too fast", and the time it credits lies inside the session (the nightly check compares the two).
 */
async function startedSession(h: Harness, openid: string): Promise<{ sessionId: string; lessonId: string; lease: string }> {
  const lessonId = freshLesson(h, { orgId: HOME.districtId });
  // the member's earlier sessions (another case's) move a minute back, so that the 30 s this one is
  // moved back never overlap them: real sessions cannot overlap (takeOver), only this fixture could
  const memberId = h.store.find('org_members', { openid })[0]?._id;
  for (const c of memberId ? h.store.find('study_credits', { memberId }) : []) {
    if (!c.session?.startedAt) continue;
    const back = (d: unknown) => new Date(new Date(d as string).getTime() - 60_000);
    h.store.update('study_credits', { _id: c._id }, { $set: { 'session.startedAt': back(c.session.startedAt), 'session.endedAt': back(c.session.endedAt) } });
  }
  const s = await h.call('study', 'start', { lessonId }, openid);
  if (!s.ok) throw new Error(`study.start as ${openid}: ${s.error?.code} ${s.error?.message}`);
  h.store.update('study_sessions', { _id: openid }, { $set: { lastAt: Date.now() - 30_000, startedAt: Date.now() - 30_000 } });
  // the lease of the session as moved back (signed as `start` would have signed it)
  const secret = h.emu.secrets.STUDY_LEASE_SECRET;
  if (!openLease(secret, s.data.lease, openid)) throw new Error('study.start gave no lease');
  const lease = signLease(secret, leaseOf(h.store.findOne('study_sessions', openid)));
  return { sessionId: s.data.sessionId, lessonId, lease };
}

/**
 * A started session on a fresh district live lesson on 视频号, on air since ten minutes, moved back
 * like startedSession's; with `joined`, the member has tapped 进入直播 and the join, its last write and
 * its start are moved 30 s back, so that the return credits those 30 s.
 */
async function liveSession(h: Harness, openid: string, joined: boolean): Promise<{ sessionId: string; lease: string }> {
  const n = h.seq();
  const lessonId = `l-trust-live-${n}`;
  const startsAt = new Date(Date.now() - 10 * MIN);
  h.store.put(
    'study_lessons',
    {
      _id: lessonId, kind: 'live', title: `视频号直播 ${n}`, speaker: '区委党校', durationSec: 60 * 60, cover: null, mediaUrl: null, body: null,
      orgId: HOME.districtId, orgName: h.store.findOne('org_nodes', HOME.districtId).name, status: 'published',
      publishedAt: new Date(Date.now() - 86_400_000), startsAt, endsAt: new Date(startsAt.getTime() + 60 * MIN),
      streamUrl: null, channelsId: 'sphTrustDistrict', replayUrl: null, createdBy: DEMO.secretaryId, createdAt: new Date(Date.now() - 86_400_000),
    },
    'insert',
  );
  const memberId = h.store.find('org_members', { openid })[0]?._id;
  for (const c of memberId ? h.store.find('study_credits', { memberId }) : []) {
    if (!c.session?.startedAt) continue;
    const back = (d: unknown) => new Date(new Date(d as string).getTime() - 60_000);
    h.store.update('study_credits', { _id: c._id }, { $set: { 'session.startedAt': back(c.session.startedAt), 'session.endedAt': back(c.session.endedAt) } });
  }
  const s = await h.call('study', 'start', { lessonId }, openid);
  if (!s.ok) throw new Error(`study.start as ${openid}: ${s.error?.code} ${s.error?.message}`);
  let lease = s.data.lease as string;
  if (joined) {
    const j = await h.call('study', 'liveJoin', { lease }, openid);
    if (!j.ok) throw new Error(`study.liveJoin as ${openid}: ${j.error?.code} ${j.error?.message}`);
    const t = Date.now() - 30_000;
    h.store.update('study_sessions', { _id: openid }, { $set: { lastAt: t, startedAt: t, 'liveJoin.at': t } });
    lease = signLease(h.emu.secrets.STUDY_LEASE_SECRET, leaseOf(h.store.findOne('study_sessions', openid)));
  }
  return { sessionId: s.data.sessionId, lease };
}

const last = new Map<string, string>();
const remember = (key: string, c: CallerInfo, id: string) => {
  last.set(`${key}:${c.kind}`, id);
  return id;
};
const used = (key: string, c: CallerInfo) => last.get(`${key}:${c.kind}`)!;

const homeMemberOpenid = (h: Harness) => h.store.findOne('org_members', DEMO.memberId).openid as string;

export const studyCases: CaseTable = {
  lessons: {
    // the caller's own lessons: a fresh home-branch lesson shows to the home branch only
    payload: (h, c) => {
      remember('lessons', c, freshLesson(h));
      return {};
    },
    check: (h, c, r) => {
      const shown = r.data.some((l: any) => l.id === used('lessons', c));
      expect(shown === isHome(c), `home lesson ${shown ? 'shown to' : 'missing for'} ${c.kind}`);
    },
  },

  lesson: {
    payload: (h, c) => ({ lessonId: remember('lesson', c, freshLesson(h)) }),
    check: (h, c, r) => expect(r.data.id === used('lesson', c) && r.data.body, 'not the home lesson'),
  },

  start: {
    payload: (h, c) => ({ lessonId: remember('start', c, freshLesson(h)) }),
    check: (h, c, r) => {
      const s = h.store.findOne('study_sessions', c.openid);
      expect(s?.active && s.lessonId === used('start', c) && s.memberId === c.memberId && s.sessionId === r.data.sessionId, 'no session of the caller');
    },
  },

  beat: {
    /*
     * Open at the gate (a beat carries no identity read: the caller's own session, keyed by their
     * openid, stands in for it). A member beats their own started session and is credited; a
     * stranger or applicant replays the home member's live sessionId and lessonId, and must get
     * "not started" (FAILED_PRECONDITION), write nothing and leave the member's session untouched.
     */
    payload: async (h, c) => {
      const s = await startedSession(h, isMember(c) ? c.openid : homeMemberOpenid(h));
      remember('beat', c, s.sessionId);
      return { sessionId: s.sessionId, lessonId: s.lessonId, position: 25, playing: true };
    },
    allowedRefusal: { unknown: 'FAILED_PRECONDITION', applicant: 'FAILED_PRECONDITION' },
    check: (h, c, r) => {
      if (!isMember(c)) {
        expect(r.ops.writes === 0, `a stranger's beat wrote ${r.ops.writes} time(s)`);
        expect(!h.store.findOne('study_sessions', c.openid), 'a stranger has a session');
        const victim = h.store.findOne('study_sessions', homeMemberOpenid(h));
        expect(victim.sessionId === used('beat', c) && victim.beats === 0 && Object.keys(victim.pending ?? {}).length === 0, 'the member\'s session was touched');
        return;
      }
      expect(r.data.creditedSec > 0 && r.data.creditedSec <= 31, `credited ${r.data.creditedSec} s`);
      const s = h.store.findOne('study_sessions', c.openid);
      expect(s.sessionId === used('beat', c) && s.memberId === c.memberId && s.beats === 1, 'not the caller\'s session');
    },
  },

  checkpoint: {
    /*
     * Open at the gate like `beat`: the signed lease is the identity, bound to the openid it was
     * issued to. A member checkpoints their own session and is credited; a stranger or applicant
     * sends the home member's valid lease and must get "not started", write nothing and leave the
     * member's session untouched.
     */
    payload: async (h, c) => {
      const s = await startedSession(h, isMember(c) ? c.openid : homeMemberOpenid(h));
      remember('checkpoint', c, s.sessionId);
      return { lease: s.lease, played: 25, position: 25 };
    },
    allowedRefusal: { unknown: 'FAILED_PRECONDITION', applicant: 'FAILED_PRECONDITION' },
    check: (h, c, r) => {
      if (!isMember(c)) {
        expect(r.ops.total === 0, `a stranger's checkpoint made ${r.ops.total} database request(s)`);
        const victim = h.store.findOne('study_sessions', homeMemberOpenid(h));
        expect(victim.sessionId === used('checkpoint', c) && victim.beats === 0 && Object.keys(victim.pending ?? {}).length === 0, 'the member\'s session was touched');
        return;
      }
      expect(r.data.creditedSec === 25, `credited ${r.data.creditedSec} s`);
      const s = h.store.findOne('study_sessions', c.openid);
      expect(s.sessionId === used('checkpoint', c) && s.memberId === c.memberId && s.beats === 1, 'not the caller\'s session');
    },
  },

  liveJoin: {
    /*
     * Open at the gate like `checkpoint`: the lease is the identity. A member joins their own
     * session (nothing credited, the join recorded); a stranger or applicant sends the home member's
     * lease and gets "not started" before any database request, the member's session untouched.
     */
    payload: async (h, c) => {
      const s = await liveSession(h, isMember(c) ? c.openid : homeMemberOpenid(h), false);
      remember('liveJoin', c, s.sessionId);
      return { lease: s.lease };
    },
    allowedRefusal: { unknown: 'FAILED_PRECONDITION', applicant: 'FAILED_PRECONDITION' },
    check: (h, c, r) => {
      if (!isMember(c)) {
        expect(r.ops.total === 0, `a stranger's join made ${r.ops.total} database request(s)`);
        const victim = h.store.findOne('study_sessions', homeMemberOpenid(h));
        expect(victim.sessionId === used('liveJoin', c) && !victim.liveJoin, 'the member\'s session was joined by someone else');
        return;
      }
      const s = h.store.findOne('study_sessions', c.openid);
      expect(s.sessionId === used('liveJoin', c) && s.liveJoin?.sessionId === s.sessionId && s.lessonSec === 0 && r.data.joinedAt, 'no join on the caller\'s session');
    },
  },

  liveReturn: {
    /* as `liveJoin`; a member's return after 30 s away credits those 30 s */
    payload: async (h, c) => {
      const s = await liveSession(h, isMember(c) ? c.openid : homeMemberOpenid(h), true);
      remember('liveReturn', c, s.sessionId);
      return { lease: s.lease };
    },
    allowedRefusal: { unknown: 'FAILED_PRECONDITION', applicant: 'FAILED_PRECONDITION' },
    check: (h, c, r) => {
      if (!isMember(c)) {
        expect(r.ops.total === 0, `a stranger's return made ${r.ops.total} database request(s)`);
        const victim = h.store.findOne('study_sessions', homeMemberOpenid(h));
        expect(victim.sessionId === used('liveReturn', c) && victim.liveJoin && victim.lessonSec === 0, 'the member\'s session was touched');
        return;
      }
      expect(r.data.creditedSec >= 30 && r.data.creditedSec <= 40, `credited ${r.data.creditedSec} s`);
      const s = h.store.findOne('study_sessions', c.openid);
      expect(s.sessionId === used('liveReturn', c) && s.liveJoin === null, 'not the caller\'s session');
    },
  },

  stop: {
    payload: async (h, c) => {
      if (!isMember(c)) return { sessionId: (await startedSession(h, homeMemberOpenid(h))).sessionId };
      return { sessionId: remember('stop', c, (await startedSession(h, c.openid)).sessionId) };
    },
    check: (h, c) => {
      const s = h.store.findOne('study_sessions', c.openid);
      expect(s.sessionId === used('stop', c) && !s.active, 'the caller\'s session is still open');
    },
  },

  progress: {
    payload: () => ({}),
    check: (h, c, r) => {
      const cadre = ['secretary', 'organiser'].includes(stored(h, c).role);
      expect(r.data.year === yearOf(new Date()) && r.data.cadre === cadre, 'not the caller\'s progress');
    },
  },

  remind: {
    // a home-branch live lesson three hours away
    payload: (h, c) => ({ lessonId: remember('remind', c, freshLesson(h, { kind: 'live' })) }),
    check: (h, c) => {
      const r = h.store.findOne('study_reminders', `${used('remind', c)}:${c.memberId}`);
      expect(r?.openid === c.openid, 'no reminder for the caller');
    },
  },

  branchTable: {
    payload: () => ({ branchId: HOME.branchId }),
    check: (h, c, r) => expect(r.data.branchId === HOME.branchId && r.data.total > 0, 'not the home table'),
  },

  remindBehind: {
    // the caller's own branch: no branch can be named
    payload: () => ({}),
    check: (h, c, r) => expect(typeof r.data.sent === 'number' && typeof r.data.skipped === 'number', 'no result'),
  },

  recordOffline: {
    // 集中培训 for a home member
    payload: (h) => ({
      kind: '集中培训',
      date: dayOf(new Date()),
      topic: '学习支部工作条例',
      hours: 0.5,
      place: '社区党群服务中心',
      deliveredBy: '区委党校',
      memberIds: [DEMO.memberId],
      requestId: `trust-offline-${h.seq()}`,
    }),
    check: async (h, c, r) => {
      const rec = h.store.findOne('study_offline', r.data.id);
      expect(rec?.branchId === HOME.branchId && rec.recordedBy === c.memberId && r.data.credited === 1, 'not recorded for the home member');
      // another branch's secretary naming a home member by id learns nothing about who that is
      const probe = await h.as('otherSecretary', 'study', 'recordOffline', { ...(studyCases.recordOffline.payload(h, c) as object) });
      const name = h.store.findOne('org_members', DEMO.memberId).name as string;
      expect(probe.error?.code === 'PERMISSION_DENIED' && !probe.raw.includes(name), `another branch's secretary is told the member's name: ${probe.raw}`);
    },
  },

  listOffline: {
    // the caller's own branch: a fresh home record shows to the home secretary only
    payload: (h, c) => {
      const n = h.seq();
      const id = remember('listOffline', c, `${HOME.branchId}:trust-list-${n}`);
      h.store.put(
        'study_offline',
        {
          _id: id,
          branchId: HOME.branchId,
          year: yearOf(new Date()),
          kind: '送学上门',
          date: dayOf(new Date()),
          topic: `送学上门 ${n}`,
          hours: 1,
          place: '党员家中',
          deliveredBy: '支部书记',
          memberIds: [DEMO.memberId],
          memberNames: [h.store.findOne('org_members', DEMO.memberId).name],
          recordedBy: DEMO.secretaryId,
          recordedByName: '支部书记',
          createdAt: new Date(),
        },
        'insert',
      );
      return {};
    },
    check: (h, c, r) => {
      const shown = r.data.some((x: any) => x.id === used('listOffline', c));
      expect(shown === isHome(c), `home record ${shown ? 'shown to' : 'missing for'} ${c.kind}`);
    },
  },

  orgRates: {
    // the organiser's own subtree: the home branch shows only to the organiser of its street
    payload: () => ({}),
    check: (h, c, r) => {
      const scope = stored(h, c).scopeId;
      const branches = r.data.rows.map((x: any) => h.store.findOne('org_nodes', x.branchId));
      expect(branches.length > 0 && branches.every((b: any) => b.path.includes(scope)), 'a branch outside the scope');
      expect(branches.some((b: any) => b._id === HOME.branchId) === (scope === HOME.streetId), 'home branch wrongly shown or missing');
    },
  },

  createLesson: {
    // published to the caller's own branch (secretary) or scope (organiser): none can be named
    payload: (h) => ({ kind: 'article', title: `支部学习材料 ${h.seq()}`, speaker: '支部书记', minutes: 10, body: '学习《中国共产党支部工作条例（试行）》。', publish: false }),
    check: (h, c, r) => {
      const l = h.store.findOne('study_lessons', r.data.id);
      const m = stored(h, c);
      expect(l?.orgId === (m.role === 'organiser' ? m.scopeId : m.branchId) && l.createdBy === c.memberId, 'lesson published elsewhere');
    },
  },

  exportLedger: {
    payload: () => ({ branchId: HOME.branchId }),
    check: (h, c, r) => expect(r.data.fileName.startsWith(h.store.findOne('org_nodes', HOME.branchId).name), 'not the home ledger'),
  },
};
