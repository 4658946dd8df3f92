import { issueToken } from '../../../core/activity/token';
import { attendanceId, countAttendance, newJointInvites } from '../../../core/activity/rules';
import { dayOf } from '../../../core/day';
import { DEMO } from '../../../seed';
import { newAttendance } from '../../../cloudfunctions/activity/store';
import { activityDoc } from '../../fixtures/activity';
import { HOME, type CallerInfo, type Harness } from '../harness';
import { uploadDir, uploadId } from '../../../core/activity/minutes';
import { drawMeetingPhoto } from '../../../seed/activity-year';
import type { CaseTable } from './types';

 

function expect(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

const MIN = 60_000;

type Shape = 'draft' | 'signin' | 'started' | 'finalised';

/**
 * A fresh activity hosted by the home branch, written straight into the store. `signin`: published,
 * sign-in open now and the start still 20 minutes away (so leave can still be asked); `started`:
 * published, begun 10 minutes ago, sign-in still open (so it may be closed); `finalised`:
 * published, over and closed. The roster is the home branch's active members, plus `extra`.
 */
function freshActivity(h: Harness, shape: Shape, extra: { id: string; name: string; branchId: string }[] = []): string {
  const n = h.seq();
  const now = Date.now();
  const branch = h.store.findOne('org_nodes', HOME.branchId);
  const members = h.store.find('org_members', { branchId: HOME.branchId, status: 'active' }, { sort: { _id: 1 } });
  const roster = [...members.map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId })), ...extra];
  const startAt = shape === 'finalised' ? new Date(now - 120 * MIN) : shape === 'started' ? new Date(now - 10 * MIN) : new Date(now + 20 * MIN);
  const id = `a-trust-${n}`;
  const closedAt = new Date(now - 60 * MIN);
  h.store.put(
    'activity_items',
    activityDoc(
      { id, branch, roster: shape === 'draft' ? [] : roster, startAt, title: `主题党日 ${n}：学习党章` },
      shape === 'draft'
        ? { status: 'draft', rev: 0, publishedAt: null, branchIds: [...new Set([HOME.branchId, ...extra.map((e) => e.branchId)])] }
        : shape === 'finalised'
          ? { finalisedAt: closedAt, awardedAt: closedAt, counts: countAttendance(roster, []) }
          : {},
    ),
    'insert',
  );
  return id;
}

/**
 * A fresh published activity of the other branch (same community) that invites the home branch to
 * 联建 and has no answer yet: its roster is the other branch's members only.
 */
function invitation(h: Harness): string {
  const n = h.seq();
  const host = h.store.findOne('org_nodes', HOME.otherBranchId);
  const home = h.store.findOne('org_nodes', HOME.branchId);
  const members = h.store.find('org_members', { branchId: HOME.otherBranchId, status: 'active' }, { sort: { _id: 1 } });
  const id = `a-trust-joint-${n}`;
  h.store.put(
    'activity_items',
    activityDoc(
      { id, branch: host, roster: members.map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId })), startAt: new Date(Date.now() + 20 * MIN), title: `联建主题党日 ${n}` },
      { jointBranchIds: [HOME.branchId], joint: newJointInvites([{ id: HOME.branchId, name: home.name }]), createdBy: h.callers.otherSecretary.memberId },
    ),
    'insert',
  );
  return id;
}

/** One attendance record, as the function would have written it. */
function attendance(h: Harness, activityId: string, m: { id: string; name: string; branchId: string }, patch: Record<string, unknown>): void {
  const a = h.store.findOne('activity_items', activityId);
  h.store.put('activity_attendance', newAttendance(a, m, new Date(), patch as any), 'insert');
  // a closed activity's stored counts describe its records, as the close left them
  if (a.finalisedAt) h.store.update('activity_items', { _id: activityId }, { $set: { counts: countAttendance(a.roster, h.store.find('activity_attendance', { activityId })) } });
}

/** The home member every secretary-side action names. */
const homeMember = (h: Harness) => {
  const m = h.store.findOne('org_members', DEMO.memberId);
  return { id: m._id as string, name: m.name as string, branchId: m.branchId as string };
};
/** The caller as a roster entry (members of any branch). */
const self = (h: Harness, c: CallerInfo) => {
  const m = h.store.findOne('org_members', c.memberId!);
  return { id: m._id as string, name: m.name as string, branchId: m.branchId as string };
};
const isMember = (c: CallerInfo) => c.memberId !== null;
const isHome = (c: CallerInfo) => c.branchId === HOME.branchId;

/**
 * The 60 days before today: the seeded activities, not the hundreds of fresh ones the other cells
 * leave today, which would make each export a few seconds of spreadsheet.
 */
const period = () => ({ from: dayOf(Date.now() - 60 * 86_400_000), to: dayOf(Date.now() - 86_400_000) });

/** The fixture id each call used, by kind of caller, for the checks. */
const last = new Map<string, string>();
const remember = (key: string, c: CallerInfo, id: string) => {
  last.set(`${key}:${c.kind}`, id);
  return id;
};
const used = (key: string, c: CallerInfo) => last.get(`${key}:${c.kind}`)!;

export const activityCases: CaseTable = {
  list: {
    // the caller's own branch's notices: a fresh home notice shows to home-branch callers only
    payload: (h, c) => {
      remember('list', c, freshActivity(h, 'signin'));
      return {};
    },
    check: (h, c, r) => {
      const ids = r.data.items.map((i: any) => i.id);
      expect(ids.includes(used('list', c)) === isHome(c), `home notice ${isHome(c) ? 'missing' : 'shown to another branch'}`);
      expect(r.data.items.every((i: any) => i.branchIds.includes(c.branchId)), 'a notice of another branch is listed');
    },
  },

  get: {
    payload: (h, c) => ({ id: remember('get', c, freshActivity(h, 'signin')) }),
    check: (h, c, r) => {
      expect(r.data.id === used('get', c), 'another activity answered');
      expect(r.data.canManage === (c.kind === 'secretary'), `canManage ${r.data.canManage} for ${c.kind}`);
    },
  },

  save: {
    // edits a home draft: only the host branch's secretary
    payload: (h, c) => ({
      id: remember('save', c, freshActivity(h, 'draft')),
      fields: {
        type: 'theme_day',
        title: '改后的主题党日：学习党章',
        startAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        endAt: new Date(Date.now() + 3 * 86_400_000 + 90 * MIN).toISOString(),
        place: { name: '社区党群服务中心', address: '文化路 88 号' },
      },
    }),
    check: (h, c) => {
      const a = h.store.findOne('activity_items', used('save', c));
      expect(a.title === '改后的主题党日：学习党章' && a.hostBranchId === HOME.branchId, 'draft not changed in place');
      expect(a.branchIds.length === 1 && a.branchIds[0] === HOME.branchId, 'the draft changed branch');
    },
  },

  publish: {
    payload: (h, c) => ({ id: remember('publish', c, freshActivity(h, 'draft')) }),
    check: (h, c) => {
      const a = h.store.findOne('activity_items', used('publish', c));
      expect(a.status === 'published' && a.roster.every((m: any) => m.branchId === HOME.branchId), 'not published with the home roster');
    },
  },

  cancel: {
    payload: (h, c) => ({ id: remember('cancel', c, freshActivity(h, 'signin')), reason: '场地临时停用' }),
    check: (h, c) => expect(h.store.findOne('activity_items', used('cancel', c)).status === 'cancelled', 'not cancelled'),
  },

  qrToken: {
    payload: (h, c) => ({ id: remember('qrToken', c, freshActivity(h, 'signin')) }),
    check: (h, c, r) => expect(typeof r.data.token === 'string' && r.data.token.startsWith(`${used('qrToken', c)}.`), 'token of another activity'),
  },

  signIn: {
    // a valid code of a home activity whose roster is the home branch: only its people sign in
    payload: (h, c) => {
      const id = remember('signIn', c, freshActivity(h, 'signin'));
      return { token: issueToken(h.emu.secrets.ACTIVITY_QR_SECRET, id, Date.now()).token };
    },
    check: (h, c, r) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('signIn', c), c.memberId!));
      expect(rec?.status === 'present' && rec.method === 'qr' && r.data.attendance.memberId === c.memberId, 'the caller is not signed in');
      expect(h.store.count('activity_attendance', { activityId: used('signIn', c) }) === 1, 'someone else was signed in');
    },
  },

  codeSignIn: {
    // the live 签到口令 of a home activity whose roster is the home branch: only its people sign in
    payload: (h, c) => {
      const id = remember('codeSignIn', c, freshActivity(h, 'signin'));
      return { id, code: issueToken(h.emu.secrets.ACTIVITY_QR_SECRET, id, Date.now()).code };
    },
    check: (h, c, r) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('codeSignIn', c), c.memberId!));
      expect(rec?.status === 'present' && rec.method === 'code' && r.data.attendance.memberId === c.memberId, 'the caller is not signed in');
      expect(h.store.count('activity_attendance', { activityId: used('codeSignIn', c) }) === 1, 'someone else was signed in');
    },
  },

  manualSignIn: {
    payload: (h, c) => ({ id: remember('manualSignIn', c, freshActivity(h, 'signin')), memberId: DEMO.memberId, reason: '手机没电，书记代签' }),
    check: (h, c) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('manualSignIn', c), DEMO.memberId));
      expect(rec?.status === 'present' && rec.method === 'manual' && rec.byId === c.memberId, 'not signed in by the caller');
    },
  },

  requestLeave: {
    payload: (h, c) => ({ id: remember('requestLeave', c, freshActivity(h, 'signin')), reason: '外出就医' }),
    check: (h, c) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('requestLeave', c), c.memberId!));
      expect(rec?.status === 'leave_pending' && rec.memberId === c.memberId, 'no pending leave of the caller');
    },
  },

  reviewLeave: {
    // a home member's pending leave
    payload: (h, c) => {
      const id = remember('reviewLeave', c, freshActivity(h, 'signin'));
      attendance(h, id, homeMember(h), { status: 'leave_pending', leaveReason: '外出就医', leaveRequestedAt: new Date() });
      return { id, memberId: DEMO.memberId, decision: 'approve' };
    },
    check: (h, c) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('reviewLeave', c), DEMO.memberId));
      expect(rec.status === 'leave' && rec.reviewedBy === c.memberId, 'leave not approved by the caller');
    },
  },

  closeSignIn: {
    // started: sign-in may not be closed before the start (security-activity.test.ts)
    payload: (h, c) => ({ id: remember('closeSignIn', c, freshActivity(h, 'started')) }),
    check: (h, c, r) => {
      const a = h.store.findOne('activity_items', used('closeSignIn', c));
      expect(a.finalisedAt && r.data.markedAbsent === a.roster.length, 'sign-in not closed');
    },
  },

  roster: {
    payload: (h, c) => ({ id: remember('roster', c, freshActivity(h, 'signin')) }),
    check: (h, c, r) => {
      const a = h.store.findOne('activity_items', used('roster', c));
      expect(r.data.activity.id === a._id && r.data.rows.length === a.roster.length, 'not the home roster');
    },
  },

  setAttendance: {
    payload: (h, c) => ({ id: remember('setAttendance', c, freshActivity(h, 'signin')), memberId: DEMO.memberId, status: 'leave' }),
    check: (h, c) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('setAttendance', c), DEMO.memberId));
      expect(rec?.status === 'leave' && rec.byId === c.memberId, 'attendance not changed by the caller');
    },
  },

  myMakeUps: {
    // the home member owes a 补学 on a fresh finalised activity: nobody else may see it
    payload: (h, c) => {
      const id = remember('myMakeUps', c, freshActivity(h, 'finalised'));
      attendance(h, id, homeMember(h), { status: 'absent' });
      return {};
    },
    check: (h, c, r) => {
      expect(r.data.items.every((i: any) => i.attendance.memberId === c.memberId), 'another member\'s 补学 listed');
      const mine = r.data.items.some((i: any) => i.activity.id === used('myMakeUps', c));
      expect(mine === (c.memberId === DEMO.memberId), `the home member's 补学 ${mine ? 'shown to' : 'missing for'} ${c.kind}`);
    },
  },

  completeMakeUp: {
    // the caller's own absence from a finalised activity they were required at
    payload: (h, c) => {
      if (!isMember(c)) return { id: freshActivity(h, 'finalised'), note: '已阅读党章第一章并写了体会' };
      const me = self(h, c);
      const id = remember('completeMakeUp', c, freshActivity(h, 'finalised', isHome(c) ? [] : [me]));
      attendance(h, id, me, { status: 'absent' });
      return { id, note: '已阅读党章第一章并写了体会' };
    },
    check: (h, c) => {
      const rec = h.store.findOne('activity_attendance', attendanceId(used('completeMakeUp', c), c.memberId!));
      expect(rec?.madeUpAt, 'the caller\'s 补学 not recorded');
      expect(h.store.count('activity_attendance', { activityId: used('completeMakeUp', c), madeUpAt: { $ne: null } }) === 1, 'another record changed');
    },
  },

  subscribe: {
    payload: (h, c) => ({ id: remember('subscribe', c, freshActivity(h, 'signin')) }),
    check: (h, c) => {
      const sub = h.store.findOne('activity_subs', attendanceId(used('subscribe', c), c.memberId!));
      expect(sub?.openid === c.openid, 'no reminder for the caller');
    },
  },

  exportLedger: {
    // the home branch's 台账 for this year
    payload: () => ({ ...period(), branchId: HOME.branchId }),
    check: (h, c, r) =>
      expect(r.data.fileName.includes(h.store.findOne('org_nodes', HOME.branchId).name) && r.data.activities >= 1, 'not the home ledger'),
  },

  jointInvites: {
    // the invitations the home branch has received: its secretary and the organiser above it
    payload: (h, c) => {
      remember('jointInvites', c, invitation(h));
      return { branchId: HOME.branchId };
    },
    check: (h, c, r) => {
      const item = r.data.items.find((i: any) => i.activity.id === used('jointInvites', c));
      expect(r.data.branchId === HOME.branchId && item?.invite.status === 'pending', 'the fresh invitation is not listed as pending');
      expect(r.data.items.every((i: any) => i.activity.jointBranchIds.includes(HOME.branchId)), 'an invitation to another branch is listed');
      const partners = r.data.partners.map((p: any) => p.id);
      expect(partners.includes(HOME.otherBranchId) && !partners.includes(HOME.branchId), 'partners are not the other branches of the community');
    },
  },

  respondJoint: {
    // the home branch accepts the other branch's invitation: never the host on the home branch's behalf
    payload: (h, c) => ({ id: remember('respondJoint', c, invitation(h)), branchId: HOME.branchId, decision: 'accept' }),
    check: (h, c, r) => {
      const a = h.store.findOne('activity_items', used('respondJoint', c));
      const home = h.store.find('org_members', { branchId: HOME.branchId, status: 'active' }).map((m: any) => m._id as string);
      expect(a.joint.find((j: any) => j.branchId === HOME.branchId)?.status === 'accepted' && a.branchIds.includes(HOME.branchId), 'the invitation is not accepted');
      expect(home.every((id) => a.roster.some((m: any) => m.id === id)) && r.data.added === home.length, 'the home members were not put on the roster');
      expect(h.store.count('activity_attendance', { activityId: a._id }) === 0, 'attendance was written by an acceptance');
    },
  },

  rates: {
    payload: () => ({ ...period(), branchId: HOME.branchId }),
    check: (h, c, r) => {
      expect(r.data.branchId === HOME.branchId && r.data.activities >= 1, 'not the home branch');
      // organisers see the branch figures, not people
      expect((r.data.members === null) === (c.kind === 'organiser'), `per-member rows ${r.data.members ? 'shown' : 'missing'} for ${c.kind}`);
    },
  },

  branchRates: {
    // the organiser's own subtree: the home branch (with its finished activities) only for the organiser above it
    payload: () => period(),
    check: (h, c, r) => {
      const scope = h.store.findOne('org_members', c.memberId!).scopeId;
      const branches = r.data.rows.map((x: { branchId: string }) => h.store.findOne('org_nodes', x.branchId));
      expect(branches.length > 0 && branches.every((b: { path: string[] }) => b.path.includes(scope)), 'a branch outside the scope');
      const home = r.data.rows.find((x: { branchId: string }) => x.branchId === HOME.branchId);
      expect(home ? home.activities >= 1 && scope === HOME.streetId : scope !== HOME.streetId, 'home branch wrongly shown or missing');
    },
  },
  // ---------------------------------------------------------------- 会议记录, 7+1, cadence

  checkUpload: {
    // a real photo in the caller's own upload folder, for a home activity that has begun
    payload: (h, c) => {
      const id = remember('checkUpload', c, freshActivity(h, 'started'));
      const put = h.emu.backend.putFile;
      if (!put) throw new Error('this emulator cannot put files into storage');
      const fileID = put.call(h.emu.backend, h.emu.host.env, `${uploadDir('photo', c.openid)}${h.seq()}.png`, drawMeetingPhoto(h.seq(), 48));
      return { id, fileID, kind: 'photo' };
    },
    check: (h, c, r) => {
      const u = h.store.findOne('activity_uploads', uploadId(r.data.fileID));
      expect(u?.openid === c.openid && u.activityId === used('checkUpload', c) && u.image === 'png', 'the upload is not recorded for the caller');
    },
  },

  saveMinutes: {
    // minutes of a home activity that has begun, with two photos the caller uploaded and had checked
    payload: (h, c) => {
      const id = remember('saveMinutes', c, freshActivity(h, 'started'));
      const photos = [1, 2].map(() => {
        const fileID = `cloud://${h.emu.host.env}.local-bucket/${uploadDir('photo', c.openid)}${h.seq()}.png`;
        const upload = { _id: uploadId(fileID), fileID, kind: 'photo', openid: c.openid, activityId: id, bytes: 900, image: 'png', name: '', thumb: null, usedBy: null, createdAt: new Date() };
        h.store.put('activity_uploads', upload, 'insert');
        return fileID;
      });
      return { id, hostId: DEMO.secretaryId, recorderId: DEMO.memberId, topics: '研究本月组织生活安排', resolutions: '确定主题党日的时间和内容', photos };
    },
    check: (h, c) => {
      const m = h.store.findOne('activity_minutes', used('saveMinutes', c));
      expect(m?.branchId === HOME.branchId && m.updatedBy === c.memberId && m.photos.length === 2, 'the minutes are not the caller\'s');
    },
  },

  minutes: {
    // a home activity with its minutes: the branch's members, its secretary, the organiser above
    payload: (h, c) => {
      const id = remember('minutes', c, freshActivity(h, 'finalised'));
      const now = new Date();
      const people = { hostId: DEMO.secretaryId, hostName: '书记', recorderId: DEMO.memberId, recorderName: '党员' };
      const text = { topics: '集中学习党章', resolutions: '按时缴纳党费', photos: [], attachments: [], checklist: null };
      const who = { version: 1, createdAt: now, createdBy: DEMO.secretaryId, updatedAt: now, updatedBy: DEMO.secretaryId, updatedByName: '书记' };
      h.store.put('activity_minutes', { _id: id, activityId: id, branchId: HOME.branchId, path: [], type: 'theme_day', title: '', startAt: now, ...people, ...text, ...who }, 'insert');
      return { id };
    },
    check: (h, c, r) => {
      expect(r.data.activityId === used('minutes', c) && r.data.minutes?.topics === '集中学习党章', 'not the home minutes');
      expect((r.data.candidates !== null) === (c.kind === 'secretary'), `the member list ${r.data.candidates ? 'shown to' : 'missing for'} ${c.kind}`);
    },
  },

  checklist: {
    payload: (h, c) => ({ id: remember('checklist', c, freshActivity(h, 'started')) }),
    check: (h, c, r) => expect(r.data.activityId === used('checklist', c) && r.data.total === 8, 'not the home 7+1 list'),
  },

  tickChecklist: {
    payload: (h, c) => ({ id: remember('tickChecklist', c, freshActivity(h, 'started')), key: 'oath', done: true }),
    check: (h, c) => {
      const l = h.store.findOne('activity_checklists', used('tickChecklist', c));
      expect(l?.items.find((i: any) => i.key === 'oath')?.by === c.memberId, 'not ticked by the caller');
    },
  },

  setChecklist: {
    // the home street's 7+1 items: only the organiser of that street (or above)
    payload: () => ({ nodeId: HOME.streetId, items: ['重温入党誓词', '集中学习', '交流研讨', '志愿服务', '缴纳党费', '民主评议', '过政治生日'] }),
    check: (h, c) => expect(h.store.findOne('activity_org_rules', HOME.streetId)?.updatedBy === c.memberId, 'the street\'s list not set by the caller'),
  },

  cadence: {
    payload: () => ({ branchId: HOME.branchId }),
    check: (h, c, r) => expect(r.data.branchId === HOME.branchId && r.data.month.lines.length === 3, 'not the home branch\'s cadence'),
  },

  cadenceOverview: {
    payload: () => ({ nodeId: HOME.streetId }),
    check: (h, c, r) => {
      const rows = r.data.rows.map((x: any) => h.store.findOne('org_nodes', x.branchId));
      expect(rows.length > 0 && rows.every((b: any) => b.path.includes(HOME.streetId)), 'a branch outside the street');
    },
  },

  setCadence: {
    // the home branch's own requirement: only an organiser above it
    payload: () => ({ nodeId: HOME.branchId, minimums: { theme_day: 1 } }),
    check: (h, c) => expect(h.store.findOne('activity_org_rules', HOME.branchId)?.updatedBy === c.memberId, 'not set by the caller'),
  },

  cadenceSubscribe: {
    // a secretary allows their own branch's reminder, wherever they are secretary
    payload: () => ({}),
    check: (h, c) => {
      const sub = h.store.findOne('activity_cadence_subs', `${c.branchId}:${c.memberId}`);
      expect(sub?.openid === c.openid && sub.active === true, 'no reminder for the caller\'s own branch');
    },
  },

  exportSubtreeLedger: {
    // the home street's 台账: only an organiser over it
    payload: () => ({ nodeId: HOME.streetId, ...period() }),
    check: (h, c, r) => expect(r.data.fileName.startsWith(h.store.findOne('org_nodes', HOME.streetId).name) && r.data.branches >= 2, 'not the home street\'s 台账'),
  },
};
