import { Store } from '../../emulator/db/store';
import { DEMO, DISTRICT, demoData, districtData, listDemoTips, listDemoUsers, seed } from '../../emulator/seed';
import { PHONE_RE } from '../../core/org/contracts';

const now = new Date('2025-06-01T08:00:00Z');

describe('demo seed shape', () => {
  const d = demoData(now);
  const branches = d.nodes.filter((n) => n.type === 'branch');
  const age = (m: { birthYear: number }) => now.getFullYear() - m.birthYear;

  it('is a district of 4 streets, about 20 branches, about 400 members', () => {
    expect(d.nodes.filter((n) => n.type === 'district').map((n) => n.name)).toEqual(['郑州市金水区委']);
    expect(d.nodes.filter((n) => n.type === 'street')).toHaveLength(4);
    expect(branches.length).toBeGreaterThanOrEqual(18);
    expect(branches.length).toBeLessThanOrEqual(24);
    expect(d.members.length).toBeGreaterThanOrEqual(380);
    expect(d.members.length).toBeLessThanOrEqual(450);
    expect(branches.map((b) => b.name)).toEqual(expect.arrayContaining(['区委机关第一党支部', 'WORK共享办公党支部', '馨怡家园社区退休党员党支部']));
  });

  it('paths are the ancestors, root first', () => {
    const byId = new Map(d.nodes.map((n) => [n._id, n]));
    for (const n of d.nodes) {
      const parent = n.parentId ? byId.get(n.parentId)! : null;
      expect(n.path).toEqual(parent ? [...parent.path, parent._id] : []);
    }
    for (const m of d.members) expect(m.path).toEqual([...byId.get(m.branchId)!.path, m.branchId]);
  });

  it('phones are valid and unique, ids unique', () => {
    const phones = d.members.map((m) => m.phone);
    for (const p of phones) expect(p).toMatch(PHONE_RE);
    expect(new Set(phones).size).toBe(phones.length);
    expect(new Set(d.members.map((m) => m._id)).size).toBe(d.members.length);
    // people still applying are not members yet; approved applications belong to members
    for (const a of d.applications.filter((x) => x.status === 'pending')) expect(phones).not.toContain(a.phone);
  });

  it('every branch has exactly one secretary, and there are a district and a street organiser', () => {
    for (const b of branches) expect(d.members.filter((m) => m.branchId === b._id && m.role === 'secretary')).toHaveLength(1);
    const organisers = d.members.filter((m) => m.role === 'organiser');
    expect(organisers.map((o) => o.scopeId).sort()).toEqual([DEMO.districtId, DEMO.streetId].sort());
  });

  it('ages 25–88 with plenty of 60+', () => {
    const ages = d.members.map(age);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(24);
    expect(Math.max(...ages)).toBeLessThanOrEqual(88);
    const elders = ages.filter((a) => a >= 60).length / ages.length;
    expect(elders).toBeGreaterThan(0.35);
    expect(elders).toBeLessThan(0.6);
  });

  it('some members have joined (openid demo-<id>), some are roster-only', () => {
    const bound = d.members.filter((m) => m.openid);
    for (const m of bound) expect(m.openid).toBe(`demo-${m._id}`);
    expect(bound.length / d.members.length).toBeGreaterThan(0.6);
    expect(d.members.length - bound.length).toBeGreaterThan(20);
  });

  it('the well-known users are what their names say', () => {
    const byOpenid = new Map(d.members.filter((m) => m.openid).map((m) => [m.openid!, m]));
    expect(byOpenid.get(DEMO.secretaryOpenid)).toMatchObject({ role: 'secretary', branchId: DEMO.branchId });
    expect(byOpenid.get(DEMO.memberOpenid)).toMatchObject({ role: 'member', branchId: DEMO.branchId });
    expect(age(byOpenid.get(DEMO.memberOpenid)!)).toBeLessThan(60);
    expect(age(byOpenid.get(DEMO.elderOpenid)!)).toBeGreaterThanOrEqual(70);
    expect(byOpenid.get(DEMO.organiserOpenid)).toMatchObject({ role: 'organiser', scopeId: DEMO.districtId });
    expect(byOpenid.get(DEMO.streetOrganiserOpenid)).toMatchObject({ role: 'organiser', scopeId: DEMO.streetId });
    expect(byOpenid.get(DEMO.otherBranchSecretaryOpenid)).toMatchObject({ role: 'secretary', branchId: DEMO.otherBranchId });
    const unbound = d.members.find((m) => m._id === DEMO.unboundMember.id)!;
    expect(unbound).toMatchObject({ openid: null, branchId: DEMO.branchId, name: DEMO.unboundMember.name, phone: DEMO.unboundMember.phone });
    expect(d.applications.filter((a) => a.status === 'pending').map((a) => a._id)).toEqual(DEMO.pendingApplicationIds);
    expect(d.invites.map((i) => i._id)).toEqual([DEMO.inviteCode, DEMO.expiredInviteCode, DEMO.revokedInviteCode, DEMO.usedUpInviteCode]);
  });

  it('is deterministic', () => {
    const again = demoData(now);
    expect(again.members).toEqual(d.members);
    expect(again.nodes).toEqual(d.nodes);
  });
});

describe('seed() into the emulator store', () => {
  it('demo: writes members, bindings, invites and applications; listDemoUsers labels roles in Chinese', async () => {
    const store = new Store({ file: ':memory:' });
    try {
      const r = await seed(store, { size: 'demo', now });
      expect(r.members).toBe(store.count('org_members', {}));
      expect(r.branches).toBe(store.count('org_nodes', { type: 'branch' }));
      expect(store.count('org_bindings', {})).toBe(store.count('org_members', { openid: { $ne: null } }));
      expect(store.findOne('org_invites', DEMO.inviteCode)).toMatchObject({ branchId: DEMO.branchId, revoked: false });
      const users = await listDemoUsers(store);
      expect(users.map((u) => u.role)).toEqual(expect.arrayContaining(['组织管理员', '支部书记', '党员']));
      const elder = users.find((u) => u.openid === DEMO.elderOpenid)!;
      expect(elder.branchName).toBe(DEMO.branchName);
      expect(elder.age).toBeGreaterThanOrEqual(70);
      expect(users.find((u) => u.openid === DEMO.organiserOpenid)!.role).toBe('组织管理员');
      // only the invite that still works is offered, never the expired, revoked or used-up ones
      expect(await listDemoTips(store, now)).toEqual([`可用邀请码 ${DEMO.inviteCode}（${DEMO.branchName}）`]);
      const weekLater = new Date(now.getTime() + 8 * 24 * 3600 * 1000);
      expect((await listDemoTips(store, weekLater))[0]).toContain('没有可用的邀请码');
    } finally {
      store.close();
    }
  });

  it('none writes nothing', async () => {
    const store = new Store({ file: ':memory:' });
    try {
      expect(await seed(store, { size: 'none', now })).toEqual({ members: 0, branches: 0 });
      expect(store.count('org_members', {})).toBe(0);
    } finally {
      store.close();
    }
  });

  it('district: 25,000 members in 1,000 branches, in a few seconds', async () => {
    const shape = districtData(now);
    expect(new Set(shape.members.map((m) => m.phone)).size).toBe(25_000);
    const store = new Store({ file: ':memory:' });
    try {
      const started = Date.now();
      expect(await seed(store, { size: 'district', now })).toEqual({ members: 25_000, branches: 1_000 });
      expect(store.count('org_members', {})).toBe(25_000);
      expect(store.findOne('org_nodes', DISTRICT.branchId)).toMatchObject({ type: 'branch' });
      const organiser = store.find('org_members', { openid: DISTRICT.organiserOpenid })[0];
      expect(organiser).toMatchObject({ role: 'organiser', scopeId: DISTRICT.districtId });
      expect(store.find('org_members', { openid: DISTRICT.secretaryOpenid })[0]).toMatchObject({ role: 'secretary', branchId: DISTRICT.branchId });
      // a figure for the report, not a pass/fail threshold
      process.stdout.write(`district seed: ${Date.now() - started} ms\n`);
    } finally {
      store.close();
    }
  }, 60_000);
});
