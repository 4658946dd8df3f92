/**
 * What opening the app and the busiest screens cost in DB operations, called in-process one at a
 * time: `org.me` reads only the caller's own member document on a warm instance (the org tree's
 * names come from the instance's cache, core/org/node-names.ts) while a role or branch change shows
 * at once; the QR screen gets a minute of tokens and the live count in one call; `study.progress`
 * reads caller, totals and session. Guarantees first, costs second: every figure is asserted with
 * the behaviour it must keep.
 */
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { linkFunctions } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import { DEMO } from '../../seed';
import { activityDoc } from '../fixtures/activity';
import { SLOT_MS, SLOTS_PER_CALL, verifyToken } from '../../core/activity/token';

const MIN = 60_000;

let emu: Emulator;
let cloud: InProcessCloud;
const store = () => emu.backend.store as any;

beforeAll(async () => {
  const fnDir = await linkFunctions('screen-cost', ['org', 'activity', 'study']);
  emu = await startTestEmulator('screen-cost', { functionsDir: fnDir });
  cloud = inProcess(emu);
}, 120_000);

afterAll(async () => {
  cloud?.close();
  await emu?.close();
});

describe('org.me: the app open', () => {
  test('a member, a secretary and an organiser: one read each on a warm instance, names and scope as stored', async () => {
    // the instance's first call loads the tree (the demo's is one page)
    const first = await cloud.call('org', DEMO.memberOpenid, 'me');
    expect(first.ok).toBe(true);
    expect(first.ops.reads).toBeLessThanOrEqual(2);
    for (const who of [DEMO.memberOpenid, DEMO.secretaryOpenid, DEMO.organiserOpenid]) {
      const r = await cloud.call('org', who, 'me');
      expect(r.ok).toBe(true);
      expect(r.ops.total).toBe(1);
      const doc = store().find('org_members', { openid: who })[0];
      const names = doc.path.map((id: string) => store().findOne('org_nodes', id).name);
      expect(r.data.pathNames).toEqual(names);
      expect(r.data.member).toMatchObject({ id: doc._id, role: doc.role, branchId: doc.branchId, branchName: names[names.length - 1] });
      // members no longer apply: their open does not read applications
      expect(r.data.applications).toEqual([]);
    }
    const org = await cloud.call('org', DEMO.organiserOpenid, 'me');
    const scopeId = store().find('org_members', { openid: DEMO.organiserOpenid })[0].scopeId;
    expect(org.data.scope).toMatchObject({ id: scopeId, name: store().findOne('org_nodes', scopeId).name });
  });

  test('a guest sees their applications: caller and applications, two reads', async () => {
    const [applicant] = DEMO.applicantOpenids;
    const r = await cloud.call('org', applicant, 'me');
    expect(r.data.member).toBeNull();
    expect(r.data.applications.map((a: any) => a.id)).toEqual([DEMO.pendingApplicationIds[0]]);
    expect(r.ops.total).toBe(2);
  });

  test('a role or branch change shows at the next open, and authorisation follows it at once', async () => {
    const doc = store().find('org_members', { openid: DEMO.memberOpenid })[0];
    const far = store().findOne('org_nodes', DEMO.farBranchId);
    try {
      store().update('org_members', { _id: doc._id }, { $set: { role: 'secretary' } });
      const promoted = await cloud.call('org', DEMO.memberOpenid, 'me');
      expect(promoted.data.member.role).toBe('secretary');
      expect((await cloud.call('org', DEMO.memberOpenid, 'listApplications', {})).ok).toBe(true);
      store().update('org_members', { _id: doc._id }, { $set: { role: 'member', branchId: far._id, path: [...far.path, far._id] } });
      const moved = await cloud.call('org', DEMO.memberOpenid, 'me');
      expect(moved.data.member).toMatchObject({ role: 'member', branchId: far._id, branchName: far.name });
      expect(moved.data.pathNames[moved.data.pathNames.length - 1]).toBe(far.name);
      expect(moved.ops.total).toBe(1);
      expect((await cloud.call('org', DEMO.memberOpenid, 'listApplications', {})).error?.code).toBe('PERMISSION_DENIED');
      // left the party organisation: a guest at once
      store().update('org_members', { _id: doc._id }, { $set: { status: 'left' } });
      expect((await cloud.call('org', DEMO.memberOpenid, 'me')).data.member).toBeNull();
    } finally {
      store().update('org_members', { _id: doc._id }, { $set: { role: doc.role, branchId: doc.branchId, path: doc.path, status: 'active' } });
    }
  });
});

describe('the QR screen', () => {
  test('one call a minute: five slots of tokens and codes, each valid exactly in its own slot and the next, with the live count', async () => {
    const branch = store().findOne('org_nodes', DEMO.branchId);
    const members = store().find('org_members', { branchId: DEMO.branchId, status: 'active' }).slice(0, 6);
    const roster = members.map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId }));
    const a = activityDoc({ id: 'qr-cost', branch, roster, startAt: new Date(Date.now() - 5 * MIN) });
    store().insertMany('activity_items', [a]);
    const first = await cloud.call('activity', DEMO.secretaryOpenid, 'qrToken', { id: a._id });
    expect(first.ok).toBe(true);
    const q = first.data;
    const nowMs = Date.now();
    expect(q.slots).toHaveLength(SLOTS_PER_CALL);
    // what app versions before `slots` read is this slot's token, as before
    expect(q.slots[0]).toMatchObject({ token: q.token, code: q.code, qr: q.qr, slot: q.slot, showInMs: 0 });
    expect(q.refreshInMs).toBeLessThanOrEqual(SLOT_MS);
    q.slots.forEach((s: any, k: number) => {
      expect(s.slot).toBe(q.slot + k);
      expect(s.qr).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(new Date(s.expiresAt).getTime()).toBe((s.slot + 2) * SLOT_MS);
      if (k > 0) expect(s.showInMs).toBeGreaterThan(q.slots[k - 1].showInMs);
    });
    // the screen calls again as the last slot begins: at most once a minute
    expect(q.callAgainInMs).toBe(q.slots[SLOTS_PER_CALL - 1].showInMs);
    expect(q.callAgainInMs + SLOT_MS).toBeGreaterThanOrEqual(60_000);
    // a token handed out ahead is refused until its slot begins
    const ahead = q.slots[2];
    const secret = emu.secrets.ACTIVITY_QR_SECRET;
    expect(() => verifyToken(secret, ahead.token, nowMs)).toThrow('签到码无效');
    const early = await cloud.call('activity', members[0].openid, 'signIn', { token: ahead.token });
    expect(early.error?.code).toBe('INVALID_ARGUMENT');
    const early2 = await cloud.call('activity', members[0].openid, 'codeSignIn', { id: a._id, code: ahead.code });
    expect(early2.ok).toBe(false);
    // this slot's token signs in; the count comes with the next call, as the roster counts it
    expect((await cloud.call('activity', members[1].openid, 'signIn', { token: q.token })).ok).toBe(true);
    const next = await cloud.call('activity', DEMO.secretaryOpenid, 'qrToken', { id: a._id });
    const rosterView = await cloud.call('activity', DEMO.secretaryOpenid, 'roster', { id: a._id });
    expect(next.data.counts).toEqual(rosterView.data.counts);
    expect(next.data.counts).toMatchObject({ expected: 6, present: 1 });
    // the minute's cost: caller, [activity unless cached], attendance — against 4 × (qrToken + roster) before
    expect(next.ops.total).toBeLessThanOrEqual(3);
    expect(next.ops.writes).toBe(0);
  });
});

describe('study', () => {
  test("the member's 学时 page: caller, totals and session on a warm instance, against the nearest target", async () => {
    // the branch's own target (nearer than the district's): the year's targets are read once per instance
    const year = Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()));
    store().insertMany('study_targets', [{ _id: `${DEMO.branchId}:${year}`, orgId: DEMO.branchId, year, member: 41, cadre: 61 }]);
    const first = await cloud.call('study', DEMO.memberOpenid, 'progress', {});
    expect(first.ok).toBe(true);
    expect(first.data.targetHours).toBe(41);
    const r = await cloud.call('study', DEMO.memberOpenid, 'progress', {});
    expect(r.ops.total).toBe(3);
    expect(r.data).toEqual(first.data);
    // a member elsewhere gets their own path's target from the same cached read
    const far = await cloud.call('study', store().find('org_members', { branchId: DEMO.farBranchId, status: 'active', role: 'member', openid: { $ne: null } })[0].openid, 'progress', {});
    expect(far.data.targetHours).toBe(store().find('study_targets', { orgId: DEMO.districtId })[0].member);
    expect(far.ops.total).toBe(3);
  });
});
