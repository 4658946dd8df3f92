/**
 * The org cloud function, built and run on the local emulator over real HTTP, called as different
 * WeChat users (x-wx-openid). Tests run in order and share one seeded store.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { DEMO, demoData } from '../../seed';
import { MEMBER_ID_RE } from '../../core/org/member';
import { dayOf, yearOf } from '../../core/day';
import { freshDataDir } from '../setup/demo-snapshot';

/** The fifth and sixth members the demo seed makes (both in the demo branch). */
const [, , , , FIFTH, SIXTH] = demoData().members;
const idByPhone = (phone: string): string => store().find('org_members', { phone })[0]?._id;

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');

let emu: Emulator;
const opsSeen: Record<string, number[]> = {};

interface Reply {
  status: number;
  ok: boolean;
  data: any;
  error?: { code: string; message: string; details?: any };
}

async function call(openid: string | null, action: unknown, payload?: unknown, raw?: string): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) headers['x-wx-openid'] = openid;
  const res = await fetch(`${emu.url}/api/functions/org`, {
    method: 'POST',
    headers,
    body: raw ?? JSON.stringify(payload === undefined ? { action } : { action, payload }),
  });
  const body = (await res.json()) as any;
  const last = emu.stats().recent.slice(-1)[0];
  if (typeof action === 'string' && last) (opsSeen[action] ??= []).push(last.ops.total);
  if (body.error) return { status: res.status, ok: false, data: undefined, error: body.error };
  return { status: res.status, ok: true, data: body.result.data };
}

const store = () => emu.backend.store as {
  find(coll: string, q?: object, o?: object): any[];
  findOne(coll: string, id: string): any;
  count(coll: string, q?: object): number;
};

const csvBase64 = (lines: string[]) => Buffer.from('\uFEFF' + lines.join('\r\n'), 'utf8').toString('base64');

beforeAll(async () => {
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startEmulator({
    functionsDir: FUNCTIONS,
    dataDir: freshDataDir('org-it', 'demo'),
    port: 0,
    testIdentityHeader: true,
    seed: 'demo',
    triggers: false,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'org-it-noh5-')),
    log: () => undefined,
  });
});

afterAll(async () => {
  await emu?.close();
  const rows = Object.entries(opsSeen)
    .map(([a, n]) => `${a.padEnd(18)} ${Math.min(...n)}–${Math.max(...n)}`)
    .sort();
  process.stdout.write(`org ops per call (min–max):\n${rows.join('\n')}\n`);
});

describe('bad input', () => {
  test('unknown action', async () => {
    const r = await call(DEMO.memberOpenid, 'dropTables');
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'UNKNOWN_ACTION', message: expect.stringContaining('dropTables') });
  });

  test('wrong types, over-long strings and malformed payloads are INVALID_ARGUMENT with a message', async () => {
    const wrongType = await call('o-guest-x', 'apply', { code: DEMO.inviteCode, name: '张三', phone: 13812345678 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '手机号格式不对' });
    const tooLong = await call('o-guest-x', 'apply', { code: DEMO.inviteCode, name: '张'.repeat(21), phone: '19900000001' });
    expect(tooLong.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '姓名最多 20 个字' });
    const badCode = await call('o-guest-x', 'inviteInfo', { code: 'O0O0' });
    expect(badCode.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '邀请码是 8 位字母或数字' });
    const notObject = await call('o-guest-x', 'inviteInfo', 'just a string');
    expect(notObject.error?.code).toBe('INVALID_ARGUMENT');
    expect(notObject.error?.message).toBeTruthy();
    const badJson = await call('o-guest-x', 'me', undefined, '{"action":');
    expect(badJson.status).toBe(400);
    expect(badJson.error?.code).toBe('INVALID_ARGUMENT');
  });

  test('no identity is UNAUTHENTICATED; a guest may not call member actions', async () => {
    expect((await call(null, 'me')).error?.code).toBe('UNAUTHENTICATED');
    const r = await call('o-guest-x', 'listMembers', {});
    expect(r.status).toBe(403);
    expect(r.error).toMatchObject({ code: 'PERMISSION_DENIED', message: '请先加入党支部' });
  });
});

describe('invites', () => {
  test('a valid invite tells a guest which branch it leads to', async () => {
    const r = await call('o-guest-x', 'inviteInfo', { code: DEMO.inviteCode.toLowerCase() });
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({ code: DEMO.inviteCode, branchId: DEMO.branchId, branchName: DEMO.branchName });
    expect(r.data.pathNames).toEqual(['郑州市金水区委', '文化路街道党工委', '馨怡家园社区党委', DEMO.branchName]);
  });

  test.each([
    [DEMO.expiredInviteCode, 'FAILED_PRECONDITION', '邀请码已过期，请向支部书记索取新的邀请码'],
    [DEMO.revokedInviteCode, 'FAILED_PRECONDITION', '邀请码已被撤销，请向支部书记索取新的邀请码'],
    [DEMO.usedUpInviteCode, 'FAILED_PRECONDITION', '邀请码使用人数已满，请向支部书记索取新的邀请码'],
    ['ZZZZ2345', 'NOT_FOUND', '邀请码不存在，请核对后重新输入'],
  ])('invite %s → %s', async (code, errCode, message) => {
    const info = await call('o-guest-x', 'inviteInfo', { code });
    expect(info.error).toEqual({ code: errCode, message, ...(info.error?.details ? { details: info.error.details } : {}) });
    const apply = await call('o-guest-x', 'apply', { code, name: '周振华', phone: '19900000009' });
    expect(apply.error).toMatchObject({ code: errCode, message });
    expect(store().count('org_applications', { openid: 'o-guest-x' })).toBe(0);
  });

  test('secretary creates, lists and revokes an invite with a QR code', async () => {
    const created = await call(DEMO.secretaryOpenid, 'createInvite', { ttlDays: 3, maxUses: 5 });
    expect(created.ok).toBe(true);
    expect(created.data.code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(created.data).toMatchObject({ branchId: DEMO.branchId, maxUses: 5, uses: 0, revoked: false, path: `pages/org/join/index?code=${created.data.code}` });
    // the 小程序码 (wxacode.getUnlimited, scene = the code), kept at the code's own path and served as a PNG
    expect(created.data.qrFileID).toMatch(new RegExp(`/org-invites/${created.data.code}\\.png$`));
    const png = Buffer.from(await (await fetch(created.data.qr)).arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const list = await call(DEMO.secretaryOpenid, 'listInvites', {});
    expect(list.data.map((i: any) => i.code)).toContain(created.data.code);
    // listed again: the same stored image, not a new one
    expect(list.data.find((i: any) => i.code === created.data.code).qrFileID).toBe(created.data.qrFileID);
    const other = await call(DEMO.otherBranchSecretaryOpenid, 'revokeInvite', { code: created.data.code });
    expect(other.error?.code).toBe('PERMISSION_DENIED');
    const revoked = await call(DEMO.secretaryOpenid, 'revokeInvite', { code: created.data.code });
    expect(revoked.data.revoked).toBe(true);
    expect((await call('o-guest-x', 'inviteInfo', { code: created.data.code })).error?.message).toContain('撤销');
    expect((await call(DEMO.memberOpenid, 'createInvite', {})).error?.code).toBe('PERMISSION_DENIED');
  });
});

describe('join flow', () => {
  const newcomer = 'o-newcomer-1';
  const phone = '19900000001';
  let code = '';
  let appId = '';

  test('invite → apply (double tap gives one application) → pending', async () => {
    code = (await call(DEMO.secretaryOpenid, 'createInvite', {})).data.code;
    const [a, b] = await Promise.all([
      call(newcomer, 'apply', { code, name: '吴建国', phone }),
      call(newcomer, 'apply', { code, name: '吴建国', phone }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect(a.data.application.id).toBe(b.data.application.id);
    appId = a.data.application.id;
    expect(appId).toBe(`${DEMO.branchId}:${newcomer}`);
    expect(a.data.application.status).toBe('pending');
    const retry = await call(newcomer, 'apply', { code, name: '吴建国', phone });
    expect(retry.data.application.id).toBe(appId);
    expect(store().count('org_applications', { openid: newcomer })).toBe(1);
    expect(store().findOne('org_invites', code).uses).toBe(1);
    const pending = await call(DEMO.secretaryOpenid, 'listApplications', {});
    expect(pending.data.filter((x: any) => x.id === appId)).toHaveLength(1);
    expect(pending.data.map((x: any) => x.id)).toEqual(expect.arrayContaining(DEMO.pendingApplicationIds));
    const me = await call(newcomer, 'me');
    expect(me.data).toMatchObject({ openid: newcomer, member: null, pathNames: [] });
    expect(me.data.applications).toEqual([expect.objectContaining({ id: appId, status: 'pending' })]);
  });

  test('another branch’s secretary cannot approve, and nothing changes', async () => {
    const before = JSON.stringify(store().findOne('org_applications', appId));
    const r = await call(DEMO.otherBranchSecretaryOpenid, 'reviewApplication', { applicationId: appId, decision: 'approve' });
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(store().findOne('org_applications', appId))).toBe(before);
    expect(store().count('org_members', { phone })).toBe(0);
    expect(store().findOne('org_bindings', newcomer)).toBeNull();
  });

  test('the secretary approves; approving twice changes nothing more', async () => {
    const first = await call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: appId, decision: 'approve' });
    expect(first.ok).toBe(true);
    expect(first.data.application.status).toBe('approved');
    expect(first.data.member).toMatchObject({ id: idByPhone(phone), name: '吴建国', phone, branchId: DEMO.branchId, bound: true, role: 'member' });
    // a random id: nothing in it comes from the phone
    expect(first.data.member.id).toMatch(MEMBER_ID_RE);
    const second = await call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: appId, decision: 'approve' });
    expect(second.data).toEqual(first.data);
    expect(store().count('org_members', { phone })).toBe(1);
    expect(store().findOne('org_bindings', newcomer)).toMatchObject({ memberId: first.data.member.id });
    expect(store().findOne('org_invites', code)).toMatchObject({ uses: 1, joined: 1 });
    const reject = await call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: appId, decision: 'reject' });
    expect(reject.error?.code).toBe('FAILED_PRECONDITION');
  });

  test('me now shows the member and the path; a member no longer has applications to follow', async () => {
    const me = await call(newcomer, 'me');
    expect(me.data.member).toMatchObject({ id: idByPhone(phone), phone, branchName: DEMO.branchName });
    expect(me.data.pathNames[me.data.pathNames.length - 1]).toBe(DEMO.branchName);
    expect(me.data.applications).toEqual([]);
    const again = await call(newcomer, 'apply', { code: DEMO.inviteCode, name: '吴建国', phone });
    expect(again.data.application.status).toBe('approved');
  });

  test('an existing member applying elsewhere gets ALREADY_EXISTS', async () => {
    const code2 = (await call(DEMO.otherBranchSecretaryOpenid, 'createInvite', {})).data.code;
    const r = await call(DEMO.memberOpenid, 'apply', { code: code2, name: '方燕', phone: '19900000002' });
    expect(r.status).toBe(409);
    expect(r.error?.code).toBe('ALREADY_EXISTS');
  });

  test('rejected, then re-applying re-opens the same application', async () => {
    const guest = 'o-newcomer-2';
    const a = await call(guest, 'apply', { code, name: '冯秀兰', phone: '19900000003' });
    expect(store().findOne('org_applications', a.data.application.id).createdAt).toBeInstanceOf(Date);
    const rej = await call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: a.data.application.id, decision: 'reject', reason: '请先与书记联系' });
    expect(rej.data.application).toMatchObject({ status: 'rejected', reason: '请先与书记联系' });
    // a plain update outside a transaction must keep the stored dates as dates
    expect(store().findOne('org_applications', a.data.application.id).createdAt).toBeInstanceOf(Date);
    const again = await call(guest, 'apply', { code, name: '冯秀兰', phone: '19900000003' });
    expect(again.data.application).toMatchObject({ id: a.data.application.id, status: 'pending' });
    expect(store().count('org_applications', { openid: guest })).toBe(1);
    expect(store().findOne('org_invites', code).uses).toBe(2);
  });

  test('a phone registered in another branch: the applicant hears the usual answer, the secretary sees why it cannot pass', async () => {
    const other = store().find('org_members', { branchId: DEMO.otherBranchId, openid: null }, { limit: 1 })[0];
    const r = await call('o-newcomer-3', 'apply', { code, name: other.name, phone: other.phone });
    expect(r.ok).toBe(true);
    expect(r.data).toEqual({ application: expect.objectContaining({ status: 'pending', phone: other.phone }), member: null });
    expect(r.data.application.conflict).toBeUndefined();
    const pending = await call(DEMO.secretaryOpenid, 'listApplications', {});
    const mine = pending.data.find((a: any) => a.id === r.data.application.id);
    expect(mine.conflict).toEqual({ kind: 'other_branch', message: expect.stringContaining('流动党员转接') });
    // the applicant's own view never carries it
    const me = await call('o-newcomer-3', 'me');
    expect(me.data.applications[0].conflict).toBeUndefined();
    const approve = await call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: r.data.application.id, decision: 'approve' });
    expect(approve.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringContaining('流动党员转接') });
    expect(store().findOne('org_members', other._id)).toMatchObject({ branchId: DEMO.otherBranchId, openid: null });
  });

  test('applications per WeChat user are limited per day; a repeat of the same one does not count', async () => {
    const guest = 'o-limit-1';
    // five applications in a day, each repeated once (a double tap): all fine
    for (let i = 0; i < 5; i++) {
      const first = await call(guest, 'apply', { code: DEMO.inviteCode, name: '试申请人', phone: `1990000020${i}` });
      expect(first.ok).toBe(true);
      const again = await call(guest, 'apply', { code: DEMO.inviteCode, name: '试申请人', phone: `1990000020${i}` });
      expect(again.ok).toBe(true);
    }
    const sixth = await call(guest, 'apply', { code: DEMO.inviteCode, name: '试申请人', phone: '19900000209' });
    expect(sixth.status).toBe(429);
    expect(sixth.error).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: expect.stringContaining('明天再试') });
    const day = dayOf(Date.now());
    expect(store().findOne('org_apply_limits', `${guest}:${day}`)).toMatchObject({ count: 5 });
    // another WeChat user is not affected
    expect((await call('o-limit-2', 'apply', { code: DEMO.inviteCode, name: '另一人', phone: '19900000210' })).ok).toBe(true);
  });

  test('two approvals of two applications with the same phone at once make one member', async () => {
    const phone2 = '19900000301';
    const [x, y] = ['o-race-1', 'o-race-2'];
    const ax = await call(x, 'apply', { code, name: '秦海燕', phone: phone2 });
    const ay = await call(y, 'apply', { code, name: '秦海燕', phone: phone2 });
    const [rx, ry] = await Promise.all([
      call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: ax.data.application.id, decision: 'approve' }),
      call(DEMO.secretaryOpenid, 'reviewApplication', { applicationId: ay.data.application.id, decision: 'approve' }),
    ]);
    expect([rx.ok, ry.ok].filter(Boolean)).toHaveLength(1);
    const refused = rx.ok ? ry : rx;
    expect(refused.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '该手机号已被其他微信绑定，请核实申请人身份' });
    expect(store().count('org_members', { phone: phone2 })).toBe(1);
  });
});

describe('roster pre-bind', () => {
  test('name and phone matching an unbound roster member bind at once, no secretary step', async () => {
    const guest = 'o-roster-1';
    const r = await call(guest, 'apply', { code: DEMO.inviteCode, name: DEMO.unboundMember.name, phone: DEMO.unboundMember.phone });
    expect(r.ok).toBe(true);
    expect(r.data.application.status).toBe('approved');
    expect(r.data.member).toMatchObject({ id: DEMO.unboundMember.id, bound: true, phone: DEMO.unboundMember.phone });
    expect(store().findOne('org_members', DEMO.unboundMember.id).openid).toBe(guest);
    expect(store().findOne('org_bindings', guest)).toMatchObject({ memberId: DEMO.unboundMember.id });
    const me = await call(guest, 'me');
    expect(me.data.member.id).toBe(DEMO.unboundMember.id);
    const retry = await call(guest, 'apply', { code: DEMO.inviteCode, name: DEMO.unboundMember.name, phone: DEMO.unboundMember.phone });
    expect(retry.data.application.status).toBe('approved');
  });
});

describe('member lists and masked phones', () => {
  const masked = /^\d{3}\*{4}\d{4}$/;

  test('the secretary sees whole phones of their branch', async () => {
    const r = await call(DEMO.secretaryOpenid, 'listMembers', { limit: 100 });
    expect(r.data.branchId).toBe(DEMO.branchId);
    expect(r.data.total).toBe(r.data.members.length);
    for (const m of r.data.members) expect(m.phone).toMatch(/^1\d{10}$/);
  });

  test('an organiser sees masked phones; a member sees only their own', async () => {
    const org = await call(DEMO.organiserOpenid, 'listMembers', { branchId: DEMO.branchId, limit: 100 });
    expect(org.data.members.length).toBeGreaterThan(10);
    for (const m of org.data.members) expect(m.phone).toMatch(masked);
    const mem = await call(DEMO.memberOpenid, 'listMembers', {});
    for (const m of mem.data.members) {
      if (m.id === DEMO.memberId) expect(m.phone).toMatch(/^1\d{10}$/);
      else expect(m.phone).toMatch(masked);
    }
  });

  test('ages: the secretary sees them for the branch; a member only their own; an organiser none', async () => {
    const sec = await call(DEMO.secretaryOpenid, 'listMembers', { limit: 100 });
    const withBirthYear = sec.data.members.filter((m: any) => typeof store().findOne('org_members', m.id).birthYear === 'number');
    expect(withBirthYear.length).toBeGreaterThan(10);
    for (const m of withBirthYear) expect(m.age).toBe(yearOf(new Date()) - store().findOne('org_members', m.id).birthYear);
    const mem = await call(DEMO.memberOpenid, 'listMembers', { limit: 100 });
    expect(mem.data.members.filter((m: any) => m.age !== undefined).map((m: any) => m.id)).toEqual([DEMO.memberId]);
    const org = await call(DEMO.organiserOpenid, 'listMembers', { branchId: DEMO.branchId, limit: 100 });
    expect(org.data.members.some((m: any) => 'age' in m)).toBe(false);
    // their own age is still theirs (the home page suggests 关怀模式 from it)
    expect((await call(DEMO.elderOpenid, 'me')).data.member.age).toBeGreaterThanOrEqual(70);
  });

  test('scope: a member cannot list another branch, a street organiser not another street', async () => {
    expect((await call(DEMO.memberOpenid, 'listMembers', { branchId: DEMO.otherBranchId })).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(DEMO.secretaryOpenid, 'listMembers', { branchId: DEMO.otherBranchId })).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(DEMO.streetOrganiserOpenid, 'listMembers', { branchId: DEMO.otherBranchId })).ok).toBe(true);
    expect((await call(DEMO.streetOrganiserOpenid, 'listMembers', { branchId: DEMO.farBranchId })).error?.code).toBe('PERMISSION_DENIED');
  });

  test('keyword filter and paging', async () => {
    const all = await call(DEMO.secretaryOpenid, 'listMembers', { limit: 100 });
    const name = all.data.members[0].name as string;
    const hit = await call(DEMO.secretaryOpenid, 'listMembers', { keyword: name.slice(1) });
    expect(hit.data.members.map((m: any) => m.name)).toContain(name);
    expect(hit.data.total).toBeLessThan(all.data.total);
    const page = await call(DEMO.secretaryOpenid, 'listMembers', { offset: 5, limit: 5 });
    expect(page.data.members.map((m: any) => m.id)).toEqual(all.data.members.slice(5, 10).map((m: any) => m.id));
    const weird = await call(DEMO.secretaryOpenid, 'listMembers', { keyword: '.*(' });
    expect(weird.data.total).toBe(0);
  });
});

describe('roster import', () => {
  const header = '姓名,手机号,性别,出生年份,入党日期,党小组';
  const good = [header, '钱永福,19900000101,男,1950,1975-07-01,第一党小组', '孙桂芳,19900000102,女,1958,,'];

  test('a file with broken rows gets a report and writes nothing', async () => {
    const taken = store().find('org_members', { branchId: DEMO.otherBranchId }, { limit: 1 })[0];
    const before = store().count('org_members', {});
    const r = await call(DEMO.secretaryOpenid, 'importRoster', {
      fileName: '名册.csv',
      dryRun: false,
      contentBase64: csvBase64([
        ...good,
        '李四,1990000010,男,1960,,',
        ',19900000104,女,1960,,',
        '钱永福,19900000101,男,1950,,',
        `${taken.name},${taken.phone},男,1960,,`,
        '赵六,19900000105,男,1960,1985-13-01,',
      ]),
    });
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({ dryRun: false, total: 7, created: 0, updated: 0 });
    expect(r.data.errors.map((e: any) => [e.row, e.field])).toEqual([
      [4, '手机号'],
      [5, '姓名'],
      [6, '手机号'],
      [7, '手机号'],
      [8, '入党日期'],
    ]);
    expect(r.data.errors[3].message).toContain('流动党员转接');
    expect(store().count('org_members', {})).toBe(before);
  });

  test('dry run reports, the real import writes, a retry duplicates nothing', async () => {
    const before = store().count('org_members', {});
    const dry = await call(DEMO.secretaryOpenid, 'importRoster', { fileName: '名册.csv', contentBase64: csvBase64(good) });
    expect(dry.data).toMatchObject({ dryRun: true, total: 2, created: 2, updated: 0, errors: [] });
    expect(store().count('org_members', {})).toBe(before);
    const real = await call(DEMO.secretaryOpenid, 'importRoster', { fileName: '名册.csv', contentBase64: csvBase64(good), dryRun: false });
    expect(real.data).toMatchObject({ dryRun: false, created: 2, updated: 0, unchanged: 0, errors: [] });
    expect(store().count('org_members', {})).toBe(before + 2);
    expect(store().find('org_members', { phone: '19900000101' })).toEqual([
      expect.objectContaining({ _id: expect.stringMatching(MEMBER_ID_RE), branchId: DEMO.branchId, groupId: `${DEMO.branchId}-g1`, openid: null }),
    ]);
    const retry = await call(DEMO.secretaryOpenid, 'importRoster', { fileName: '名册.csv', contentBase64: csvBase64(good), dryRun: false });
    expect(retry.data).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(store().count('org_members', {})).toBe(before + 2);
  });

  test('two imports of the same new people at once still make one member each', async () => {
    const lines = [header, ...Array.from({ length: 20 }, (_v, i) => `并发${String.fromCharCode(0x4e00 + i)}员,199000004${String(i).padStart(2, '0')},女,1960,,`)];
    const before = store().count('org_members', {});
    const send = (dryRun: boolean) => call(DEMO.secretaryOpenid, 'importRoster', { fileName: '名册.csv', contentBase64: csvBase64(lines), dryRun });
    // warm instances first, so the real imports run side by side and clash on the phone index
    await Promise.all([0, 1, 2, 3].map(() => send(true)));
    const runs = await Promise.all(
      [0, 1, 2, 3].map(() => send(false)),
    );
    for (const r of runs) expect(r.ok).toBe(true);
    expect(runs.reduce((n, r) => n + r.data.created, 0)).toBe(20);
    expect(store().count('org_members', {})).toBe(before + 20);
    for (let i = 0; i < 20; i++) expect(store().count('org_members', { phone: `199000004${String(i).padStart(2, '0')}` })).toBe(1);
  });

  test('a non-secretary cannot import', async () => {
    const r = await call(DEMO.memberOpenid, 'importRoster', { fileName: '名册.csv', contentBase64: csvBase64(good) });
    expect(r.error?.code).toBe('PERMISSION_DENIED');
  });
});

describe('流动党员转接 and history', () => {
  const memberId = FIFTH._id;

  test('the secretary moves a member; a retry with the same target writes no second record', async () => {
    const r = await call(DEMO.secretaryOpenid, 'moveMember', { memberId, toBranchId: DEMO.farBranchId, reason: '工作调动' });
    expect(r.ok).toBe(true);
    expect(r.data).toMatchObject({ memberId, fromBranchId: DEMO.branchId, toBranchId: DEMO.farBranchId, fromBranchName: DEMO.branchName, reason: '工作调动' });
    const retry = await call(DEMO.secretaryOpenid, 'moveMember', { memberId, toBranchId: DEMO.farBranchId, reason: '工作调动' });
    expect(retry.data).toEqual(r.data);
    const byOrganiser = await call(DEMO.organiserOpenid, 'moveMember', { memberId, toBranchId: DEMO.farBranchId, reason: '工作调动' });
    expect(byOrganiser.data.id).toBe(r.data.id);
    expect(store().count('org_transfers', { memberId })).toBe(1);
    const m = store().findOne('org_members', memberId);
    expect(m.branchId).toBe(DEMO.farBranchId);
    expect(m.path).toEqual(['d1', 'd1-s2', 'd1-s2-c1', DEMO.farBranchId]);
  });

  test('history: the member, an organiser over them; not another branch’s secretary', async () => {
    const self = await call(FIFTH.openid, 'memberHistory', { memberId });
    expect(self.data).toHaveLength(1);
    expect(self.data[0]).toMatchObject({ toBranchId: DEMO.farBranchId });
    const elder = await call(DEMO.organiserOpenid, 'memberHistory', { memberId: DEMO.elderId });
    expect(elder.data[0]).toMatchObject({ fromBranchId: DEMO.farBranchId, toBranchId: DEMO.branchId });
    expect((await call(DEMO.otherBranchSecretaryOpenid, 'memberHistory', { memberId })).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(DEMO.memberOpenid, 'moveMember', { memberId: DEMO.elderId, toBranchId: DEMO.farBranchId, reason: '测试一下' })).error?.code).toBe(
      'PERMISSION_DENIED',
    );
  });
});

describe('tree and roles', () => {
  test('children with member counts', async () => {
    const roots = await call(DEMO.memberOpenid, 'children', {});
    expect(roots.data).toEqual([expect.objectContaining({ id: 'd1', name: '郑州市金水区委', type: 'district' })]);
    expect(roots.data[0].memberCount).toBe(store().count('org_members', { status: 'active' }));
    const streets = await call(DEMO.memberOpenid, 'children', { parentId: 'd1' });
    const sum = streets.data.reduce((s: number, n: any) => s + n.memberCount, 0);
    expect(sum).toBe(roots.data[0].memberCount);
    const groups = await call(DEMO.memberOpenid, 'children', { parentId: DEMO.branchId });
    expect(groups.data.every((g: any) => g.type === 'group')).toBe(true);
    expect(groups.data[0].memberCount).toBeGreaterThan(0);
  });

  test('an organiser appoints a secretary; a secretary cannot', async () => {
    const id = SIXTH._id;
    expect((await call(DEMO.secretaryOpenid, 'setRole', { memberId: id, role: 'secretary' })).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(DEMO.streetOrganiserOpenid, 'setRole', { memberId: DEMO.organiserId, role: 'member' })).error?.code).toBe('PERMISSION_DENIED');
    const r = await call(DEMO.organiserOpenid, 'setRole', { memberId: id, role: 'secretary' });
    expect(r.data).toMatchObject({ id, role: 'secretary' });
    // the organiser's answer carries no age
    expect(r.data.age).toBeUndefined();
    expect(store().findOne('org_members', id).role).toBe('secretary');
    const back = await call(DEMO.streetOrganiserOpenid, 'setRole', { memberId: id, role: 'member' });
    expect(back.data.role).toBe('member');
  });
});
