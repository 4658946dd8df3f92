/**
 * Org & membership, tried the way an outsider or a curious member would:
 *   - a member id shown next to a masked phone must not give the phone away (ids are random, in the
 *     seed as in members the product makes), and dedup of imports and approvals still works by phone;
 *   - `apply` answers the same whatever the phone's state (a member elsewhere, bound to another
 *     WeChat, nobody's), the secretary sees the conflict instead, and one WeChat user may apply only
 *     a few times a day;
 *   - age (and so birth year) reaches only the member and their own secretary: no other member, no
 *     organiser, in any org reply;
 *   - only the district's root organiser may run the member-id migration.
 */
import { fnv1a64 } from '../../core/org/member';
import { DEMO } from '../../seed';
import { CALLER_KINDS, FUNCTION_TABLES, startTrustHarness, type CallerInfo, type Harness } from './harness';
import { AUTHZ_CASES } from './cases';
import { freshPhone, homeInvite } from './cases/org';

/** A member id as the product makes them: `m_` + 128 random bits in hex. */
const RANDOM_ID = /^m_[0-9a-f]{32}$/;

let h: Harness;
beforeAll(async () => {
  h = await startTrustHarness();
});
afterAll(async () => {
  await h?.close();
});

const csvBase64 = (lines: string[]) => Buffer.from('\uFEFF' + ['姓名,手机号,性别,出生年份,入党日期,党小组', ...lines].join('\r\n'), 'utf8').toString('base64');

/**
 * What an attacker does with `138****5678` and an id: tries the 10^4 middle digits against the id
 * schemes they can read in the source (the former FNV-1a of the phone, the phone itself inside the
 * id). Returns the phone when one matches.
 */
function crack(id: string, masked: string): string | null {
  for (let mid = 0; mid < 10_000; mid++) {
    const phone = `${masked.slice(0, 3)}${String(mid).padStart(4, '0')}${masked.slice(7)}`;
    if (id === `m_${fnv1a64(`org-member:${phone}`)}` || id.includes(phone)) return phone;
  }
  return null;
}

describe('member ids carry nothing about the person', () => {
  test('a member listing the branch cannot recover anyone’s phone from the ids, for seeded, imported and approved members', async () => {
    // members the product makes: two by roster import, one by an approved application
    const imported = [freshPhone(h), freshPhone(h)];
    const imp = await h.as('secretary', 'org', 'importRoster', {
      fileName: '名册.csv',
      dryRun: false,
      contentBase64: csvBase64([`编号试一,${imported[0]},男,1960,,`, `编号试二,${imported[1]},女,1970,,`]),
    });
    expect(imp.data).toMatchObject({ created: 2, errors: [] });
    const applicant = `trust-ids-${h.seq()}`;
    const applied = freshPhone(h);
    const app = await h.call('org', 'apply', { code: homeInvite(h), name: '编号试三', phone: applied }, applicant);
    expect(app.ok).toBe(true);
    const ok = await h.as('secretary', 'org', 'reviewApplication', { applicationId: app.data.application.id, decision: 'approve' });
    expect(ok.ok).toBe(true);

    const list = await h.as('member', 'org', 'listMembers', { limit: 100 });
    expect(list.ok).toBe(true);
    const others = (list.data.members as any[]).filter((m) => m.id !== h.callers.member.memberId);
    expect(others.map((m) => m.name)).toEqual(expect.arrayContaining(['编号试一', '编号试二', '编号试三']));
    const cracked = others.map((m) => ({ name: m.name, phone: crack(m.id, m.phone) })).filter((x) => x.phone);
    expect(cracked).toEqual([]);
    // and the form says so: 128 random bits, no running number (m-trust-… are the suite's own fixtures)
    for (const m of list.data.members) if (!m.id.startsWith('m-trust-')) expect(m.id).toMatch(RANDOM_ID);
  });

  test('a retried import and a repeated approval still land on one member, found by phone', async () => {
    const phone = freshPhone(h);
    const file = { fileName: '名册.csv', dryRun: false, contentBase64: csvBase64([`重试党员,${phone},男,1966,,`]) };
    const first = await h.as('secretary', 'org', 'importRoster', file);
    const again = await h.as('secretary', 'org', 'importRoster', file);
    expect([first.data.created, again.data.created, again.data.unchanged]).toEqual([1, 0, 1]);
    expect(h.store.count('org_members', { phone })).toBe(1);

    const phone2 = freshPhone(h);
    const openid = `trust-ids-${h.seq()}`;
    const app = await h.call('org', 'apply', { code: homeInvite(h), name: '重复审核', phone: phone2 }, openid);
    const [a, b] = await Promise.all([
      h.as('secretary', 'org', 'reviewApplication', { applicationId: app.data.application.id, decision: 'approve' }),
      h.as('secretary', 'org', 'reviewApplication', { applicationId: app.data.application.id, decision: 'approve' }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect(a.data.member.id).toBe(b.data.member.id);
    expect(h.store.count('org_members', { phone: phone2 })).toBe(1);
    expect(h.store.findOne('org_bindings', openid)).toMatchObject({ memberId: a.data.member.id });
  });
});

describe('apply tells an outsider nothing about a phone', () => {
  /** The reply with what the applicant typed and what differs per call taken out. */
  const shape = (r: any) => ({
    ok: r.ok,
    status: r.status,
    error: r.error ?? null,
    keys: r.ok ? Object.keys(r.data).sort() : null,
    application: r.ok ? { ...r.data.application, id: 'x', phone: 'x', name: 'x', createdAt: 'x' } : null,
    member: r.ok ? r.data.member : 'error',
  });

  test('a phone of a member elsewhere, of another WeChat, or of nobody: the same answer', async () => {
    const otherBranchMember = h.store.find('org_members', { branchId: h.callers.otherMember.branchId, status: 'active', openid: null })[0];
    const boundHere = h.store.findOne('org_members', h.callers.member.memberId!);
    const probes = [
      { name: '随便填', phone: freshPhone(h) },
      { name: otherBranchMember.name, phone: otherBranchMember.phone },
      { name: '冒名者', phone: boundHere.phone },
    ];
    const code = homeInvite(h);
    const replies = [];
    for (const p of probes) replies.push(await h.call('org', 'apply', { code, ...p }, `trust-probe-${h.seq()}`));
    const shapes = replies.map(shape);
    expect(shapes[0]).toMatchObject({ ok: true, member: null, application: expect.objectContaining({ status: 'pending' }) });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    for (const r of replies) expect(r.raw).not.toMatch(/其他党支部|其他微信|流动党员|已绑定|已登记/);

    // the secretary is the one who learns it, on the application
    const list = await h.as('secretary', 'org', 'listApplications', { status: 'pending' });
    const byId = new Map((list.data as any[]).map((a) => [a.id, a]));
    expect(byId.get(replies[0].data.application.id).conflict).toBeUndefined();
    expect(byId.get(replies[1].data.application.id).conflict).toEqual({ kind: 'other_branch', message: expect.stringContaining('其他党支部') });
    expect(byId.get(replies[2].data.application.id).conflict).toEqual({ kind: 'bound_elsewhere', message: expect.stringContaining('其他微信') });
    // and approving such an application is refused, changing nothing
    const before = JSON.stringify(h.store.findOne('org_members', otherBranchMember._id));
    const refused = await h.as('secretary', 'org', 'reviewApplication', { applicationId: replies[1].data.application.id, decision: 'approve' });
    expect(refused.error?.code).toBe('FAILED_PRECONDITION');
    expect(JSON.stringify(h.store.findOne('org_members', otherBranchMember._id))).toBe(before);
  });

  test('one WeChat user may apply a few times a day; the same request again does not count', async () => {
    const openid = `trust-spray-${h.seq()}`;
    const code = homeInvite(h);
    const answers: string[] = [];
    for (let i = 0; i < 8; i++) {
      const payload = { code, name: '试探者', phone: freshPhone(h) };
      const r = await h.call('org', 'apply', payload, openid);
      answers.push(r.ok ? 'ok' : r.error!.code);
      if (r.ok) expect((await h.call('org', 'apply', payload, openid)).ok).toBe(true); // a double tap
    }
    expect(answers).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED', 'RESOURCE_EXHAUSTED']);
    const last = await h.call('org', 'apply', { code, name: '试探者', phone: freshPhone(h) }, openid);
    expect(last.status).toBe(429);
    expect(last.error?.message).toMatch(/[\u4e00-\u9fa5]/);
    expect(last.error?.message).toContain('明天');
  });
});

describe('age reaches only the member and their own secretary', () => {
  /** Every object in a reply that carries an age or a birth year, with whose it is. */
  function agesIn(v: unknown, out: Array<{ id: unknown; branchId: unknown }> = []) {
    if (Array.isArray(v)) v.forEach((x) => agesIn(x, out));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ('age' in o || 'birthYear' in o) out.push({ id: o.id ?? o._id ?? o.memberId, branchId: o.branchId });
      Object.values(o).forEach((x) => agesIn(x, out));
    }
    return out;
  }
  const mayKnowAge = (viewer: CallerInfo, who: { id: unknown; branchId: unknown }) =>
    who.id === viewer.memberId || ((viewer.kind === 'secretary' || viewer.kind === 'otherSecretary') && who.branchId === viewer.branchId);

  test('no org reply to any caller carries the age of someone they may not know it of', async () => {
    const leaks: string[] = [];
    let seen = 0;
    for (const action of Object.keys(FUNCTION_TABLES.org)) {
      const c = AUTHZ_CASES.org[action];
      for (const kind of CALLER_KINDS) {
        const caller = h.callers[kind];
        const r = await h.call('org', action, await c.payload(h, caller), caller.openid);
        if (!r.ok) continue;
        for (const who of agesIn(r.data)) {
          seen++;
          if (!mayKnowAge(caller, who)) leaks.push(`org.${action} as ${kind}: age of ${String(who.id)}`);
        }
      }
    }
    // listMembers as an organiser showed every member's age before
    const org = await h.as('organiser', 'org', 'listMembers', { branchId: h.callers.member.branchId, limit: 100 });
    for (const who of agesIn(org.data)) leaks.push(`org.listMembers as organiser: age of ${String(who.id)}`);
    expect(leaks).toEqual([]);
    // the walk did meet ages where they belong (the secretary's roster, one's own profile)
    expect(seen).toBeGreaterThan(10);
  });

  test('the secretary still has the ages for 关怀模式, and a member their own', async () => {
    const sec = await h.as('secretary', 'org', 'listMembers', { limit: 100 });
    expect((sec.data.members as any[]).filter((m) => typeof m.age === 'number').length).toBeGreaterThan(10);
    const me = await h.call('org', 'me', {}, DEMO.elderOpenid);
    expect(me.data.member.age).toBeGreaterThanOrEqual(70);
  });
});

describe('the member-id migration', () => {
  test('runs for the organiser of the root; a street organiser is refused and nothing is written', async () => {
    const street = await h.as('organiser', 'org', 'migrateMemberIds', { limit: 10 });
    expect(street.error?.code).toBe('PERMISSION_DENIED');
    expect(street.ops.writes).toBe(0);
    const root = await h.call('org', 'migrateMemberIds', { limit: 50 }, DEMO.organiserOpenid);
    expect(root.ok).toBe(true);
    expect(root.data).toMatchObject({ done: false, scanned: 50, conflicts: [] });
    expect(root.data.message).toContain('请再次调用');
  });
});
