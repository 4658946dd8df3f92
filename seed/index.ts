/**
 * Demo data for the local emulator, shaped like the district in the source articles
 * (郑州市金水区: 文化路, 经八路, 凤凰台, 北苑 streets; 馨怡家园, 风和日丽, 黄河, 阳光新城 communities).
 *
 *   demo      ≈ 400 members in 21 branches, well-known users in DEMO for tests and the login page
 *   district  25,000 members in 1,000 branches (南阳市宛城区), for benchmarks
 *   none      nothing
 *
 * Deterministic: everything comes from a seeded PRNG; only timestamps follow `now`. Member ids come
 * from a PRNG stream of their own (seedMemberIds), as random-looking as real ones: an id says nothing
 * about the person, phone included.
 */
import { ageFromBirthYear, ROLE_LABEL } from '../core/org/member';
import type { MemberRole } from '../core/fn/router';
import { chineseName, int, prng, seedMemberIds, seedPhone, type Rand } from './names';
import { seedQuiz } from './quiz';
import { seedStudy } from './study';
import { seedActivity } from './activity';
import { seedActivityYear } from './activity-year';
import { seedMedia, type SeedFiles } from './media';
import { DEMO, DISTRICT, type SeedSize, type SeedStore } from './demo';

export { DEMO, DISTRICT, type SeedSize, type SeedStore } from './demo';

type NodeType = 'district' | 'street' | 'community' | 'branch' | 'group';
interface NodeDoc {
  _id: string;
  name: string;
  type: NodeType;
  parentId: string | null;
  path: string[];
  sort: number;
  kind?: string;
  [k: string]: unknown;
}
interface MemberDoc {
  _id: string;
  name: string;
  phone: string;
  openid: string | null;
  branchId: string;
  groupId: string | null;
  path: string[];
  role: MemberRole;
  scopeId?: string | null;
  status: 'active' | 'left';
  birthYear: number;
  gender: '男' | '女';
  joinedPartyOn: string;
  moveCount?: number;
  createdAt: Date;
  updatedAt: Date;
  [k: string]: unknown;
}

const DAY = 24 * 3600 * 1000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

class Builder {
  nodes: NodeDoc[] = [];
  members: MemberDoc[] = [];
  private seq = 0;
  private perBranch = new Map<string, number>();
  private children = new Map<string, number>();
  constructor(
    readonly r: Rand,
    readonly now: Date,
    readonly nextId: () => string,
    readonly openidOf: (id: string) => string,
  ) {}

  node(id: string, name: string, type: NodeType, parent: NodeDoc | null, extra: Record<string, unknown> = {}): NodeDoc {
    const key = parent?._id ?? '';
    const siblings = this.children.get(key) ?? 0;
    this.children.set(key, siblings + 1);
    const doc: NodeDoc = {
      _id: id,
      name,
      type,
      parentId: parent?._id ?? null,
      path: parent ? [...parent.path, parent._id] : [],
      sort: siblings + 1,
      ...extra,
    };
    this.nodes.push(doc);
    return doc;
  }

  member(
    branch: NodeDoc,
    groups: NodeDoc[],
    opts: { age: number; gender?: '男' | '女'; role?: MemberRole; bound?: boolean; scopeId?: string; name?: string },
  ): MemberDoc {
    const r = this.r;
    this.seq++;
    const id = this.nextId();
    const nth = this.perBranch.get(branch._id) ?? 0;
    this.perBranch.set(branch._id, nth + 1);
    const gender = opts.gender ?? (r() < (opts.age >= 60 ? 0.52 : 0.45) ? '女' : '男');
    const birthYear = this.now.getFullYear() - opts.age;
    const joinAge = int(r, 18, Math.max(18, Math.min(opts.age - 1, 45)));
    const joinYear = Math.min(birthYear + joinAge, this.now.getFullYear() - 1);
    const joinedPartyOn = `${joinYear}-${pad(int(r, 1, 12))}-${pad(int(r, 1, 28))}`;
    const createdAt = new Date(this.now.getTime() - int(r, 30, 900) * DAY);
    const doc: MemberDoc = {
      _id: id,
      name: opts.name ?? chineseName(r, gender, opts.age),
      phone: seedPhone(this.seq),
      openid: opts.bound === false ? null : this.openidOf(id),
      branchId: branch._id,
      groupId: groups.length ? groups[nth % groups.length]._id : null,
      path: [...branch.path, branch._id],
      role: opts.role ?? 'member',
      status: 'active',
      birthYear,
      gender,
      joinedPartyOn,
      createdAt,
      updatedAt: createdAt,
    };
    if (opts.role === 'organiser') doc.scopeId = opts.scopeId ?? null;
    this.members.push(doc);
    return doc;
  }
}

/** A community branch's age mix: about 45% are 60 or older, as in old residential compounds. */
function communityAge(r: Rand): number {
  const x = r();
  if (x < 0.45) return int(r, 60, 88);
  if (x < 0.75) return int(r, 40, 59);
  return int(r, 25, 39);
}

interface BranchPlan {
  id: string;
  name: string;
  parent: NodeDoc;
  size: number;
  age: (r: Rand) => number;
  groups: string[];
  kind: string;
}

function buildDemo(now: Date): { b: Builder; invites: Record<string, unknown>[]; applications: Record<string, unknown>[]; transfers: Record<string, unknown>[] } {
  const r = prng(20240701);
  const b = new Builder(r, now, seedMemberIds(20240702), (id) => `demo-${id}`);
  const district = b.node('d1', '郑州市金水区委', 'district', null);
  const streets = [
    { name: '文化路街道党工委', communities: ['馨怡家园社区党委', '风和日丽社区党委', '黄河社区党委'] },
    { name: '经八路街道党工委', communities: ['省委社区党委', '阳光新城社区党委'] },
    { name: '凤凰台街道党工委', communities: ['凤凰城社区党委', '国基路社区党委'] },
    { name: '北苑街道党工委', communities: ['北苑社区党委', '丰庆路社区党委'] },
  ];
  const plans: BranchPlan[] = [];
  // 机关党支部 sits right under the district: the organisers belong here.
  plans.push({ id: 'd1-b1', name: '区委机关第一党支部', parent: district, size: 16, age: (x) => int(x, 26, 58), groups: ['组织党小组', '宣传党小组'], kind: '机关' });
  streets.forEach((s, si) => {
    const street = b.node(`d1-s${si + 1}`, s.name, 'street', district);
    s.communities.forEach((c, ci) => {
      const community = b.node(`${street._id}-c${ci + 1}`, c, 'community', street);
      const short = c.replace('党委', '');
      ['第一党支部', '第二党支部'].forEach((suffix, bi) => {
        plans.push({
          id: `${community._id}-b${bi + 1}`,
          name: short + suffix,
          parent: community,
          size: int(r, 18, 21),
          age: communityAge,
          groups: bi === 0 ? ['第一党小组', '第二党小组', '第三党小组'] : ['第一党小组', '第二党小组'],
          kind: '社区',
        });
      });
      if (si === 0 && ci === 0) {
        plans.push({ id: `${community._id}-b3`, name: `${short}退休党员党支部`, parent: community, size: 34, age: (x) => int(x, 62, 88), groups: ['1号楼党小组', '2号楼党小组', '3号楼党小组'], kind: '退休' });
      }
    });
    if (si === 2) {
      plans.push({ id: `${street._id}-b1`, name: 'WORK共享办公党支部', parent: street, size: 14, age: (x) => int(x, 25, 45), groups: ['第一党小组', '第二党小组'], kind: '非公企业' });
    }
  });

  const branches = new Map<string, { node: NodeDoc; groups: NodeDoc[]; plan: BranchPlan }>();
  for (const p of plans) {
    const node = b.node(p.id, p.name, 'branch', p.parent, { kind: p.kind });
    const groups = p.groups.map((g, gi) => b.node(`${p.id}-g${gi + 1}`, g, 'group', node));
    branches.set(p.id, { node, groups, plan: p });
  }

  // The demo branch first, so its well-known members are the first four made.
  const order = [DEMO.branchId, ...plans.map((p) => p.id).filter((id) => id !== DEMO.branchId)];
  let organiser: MemberDoc | null = null;
  let streetOrganiser: MemberDoc | null = null;
  for (const id of order) {
    const { node, groups, plan } = branches.get(id)!;
    let made = 0;
    const add = (opts: Parameters<Builder['member']>[2]) => {
      made++;
      return b.member(node, groups, opts);
    };
    add({ age: int(r, 45, 62), role: 'secretary', bound: true });
    if (id === DEMO.branchId) {
      add({ age: int(r, 32, 45), bound: true });
      add({ age: int(r, 72, 80), bound: true });
      add({ age: int(r, 50, 66), bound: false });
    }
    if (id === DEMO.officeBranchId) {
      organiser = add({ age: 48, role: 'organiser', scopeId: DEMO.districtId, bound: true, gender: '男' });
      streetOrganiser = add({ age: 41, role: 'organiser', scopeId: DEMO.streetId, bound: true, gender: '女' });
    }
    while (made < plan.size) add({ age: plan.age(r), bound: r() < 0.8 });
  }

  const [secretary, member, elderMember, unbound] = b.members;
  Object.assign(DEMO, {
    secretaryId: secretary._id,
    secretaryOpenid: secretary.openid!,
    memberId: member._id,
    memberOpenid: member.openid!,
    elderId: elderMember._id,
    elderOpenid: elderMember.openid!,
    unboundMember: { id: unbound._id, name: unbound.name, phone: unbound.phone },
  });
  DEMO.otherBranchSecretaryOpenid = b.members.find((m) => m.branchId === DEMO.otherBranchId && m.role === 'secretary')!.openid!;
  DEMO.organiserId = organiser!._id;
  DEMO.organiserOpenid = organiser!.openid!;
  DEMO.streetOrganiserOpenid = streetOrganiser!.openid!;

  // The elder transferred in from another street years ago: a history to show.
  const elder = b.members[2];
  const farBranch = branches.get(DEMO.farBranchId)!.node;
  const home = branches.get(DEMO.branchId)!.node;
  elder.moveCount = 1;
  const transfers = [
    {
      _id: `${elder._id}:1`,
      memberId: elder._id,
      fromBranchId: farBranch._id,
      fromBranchName: farBranch.name,
      toBranchId: home._id,
      toBranchName: home.name,
      reason: '随子女迁居馨怡家园小区',
      byId: DEMO.secretaryId,
      byName: b.members[0].name,
      at: new Date(now.getTime() - 400 * DAY),
    },
  ];

  const branchPath = [...home.path, home._id];
  const pathNames = branchPath.map((pid) => b.nodes.find((n) => n._id === pid)!.name);
  const invite = (code: string, extra: Record<string, unknown>) => ({
    _id: code,
    branchId: home._id,
    branchName: home.name,
    branchPath,
    pathNames,
    createdBy: DEMO.secretaryId,
    createdAt: new Date(now.getTime() - 2 * DAY),
    expiresAt: new Date(now.getTime() + 7 * DAY),
    maxUses: 50,
    uses: 0,
    joined: 0,
    revoked: false,
    ...extra,
  });
  const invites = [
    invite(DEMO.inviteCode, { uses: 2 }),
    invite(DEMO.expiredInviteCode, { createdAt: new Date(now.getTime() - 10 * DAY), expiresAt: new Date(now.getTime() - DAY) }),
    invite(DEMO.revokedInviteCode, { revoked: true, revokedAt: new Date(now.getTime() - DAY) }),
    invite(DEMO.usedUpInviteCode, { maxUses: 3, uses: 3, joined: 3 }),
  ];
  const applicants = [
    { name: '孙立新', gender: '男' as const },
    { name: '郭晓燕', gender: '女' as const },
  ];
  const applications: Record<string, unknown>[] = applicants.map((a, i) => ({
    _id: DEMO.pendingApplicationIds[i],
    branchId: home._id,
    branchName: home.name,
    openid: DEMO.applicantOpenids[i],
    name: a.name,
    phone: seedPhone(90000 + i),
    inviteCode: DEMO.inviteCode,
    status: 'pending',
    reason: null,
    memberId: null,
    createdAt: new Date(now.getTime() - (i + 1) * 3600 * 1000),
    updatedAt: new Date(now.getTime() - (i + 1) * 3600 * 1000),
    reviewedAt: null,
    reviewedBy: null,
  }));
  // the used-up code was used by three members who have since joined: its counters have records
  const joinedByFullCode = b.members.filter((m) => m.branchId === home._id && m.role === 'member' && m.openid).slice(4, 7);
  for (const [i, m] of joinedByFullCode.entries()) {
    const at = new Date(now.getTime() - (3 + i) * DAY);
    applications.push({
      _id: `${home._id}:${m.openid}`,
      branchId: home._id,
      branchName: home.name,
      openid: m.openid,
      name: m.name,
      phone: m.phone,
      inviteCode: DEMO.usedUpInviteCode,
      status: 'approved',
      reason: null,
      memberId: m._id,
      createdAt: at,
      updatedAt: at,
      reviewedAt: at,
      reviewedBy: DEMO.secretaryId,
    });
  }
  return { b, invites, applications, transfers };
}

function buildDistrict(now: Date): Builder {
  const r = prng(20230415);
  const b = new Builder(r, now, seedMemberIds(20230416), (id) => `dist-${id}`);
  const district = b.node('w1', '南阳市宛城区委', 'district', null);
  const streetNames = ['东关', '新华', '汉冶', '仲景', '枣林', '赤虎', '五里堡', '白河', '溧河', '金华'];
  for (let s = 1; s <= 10; s++) {
    const street = b.node(`w1-s${pad(s)}`, `${streetNames[s - 1]}街道党工委`, 'street', district);
    for (let c = 1; c <= 10; c++) {
      const community = b.node(`${street._id}-c${pad(c)}`, `${streetNames[s - 1]}第${c}社区党委`, 'community', street);
      for (let k = 1; k <= 10; k++) {
        const branch = b.node(`${community._id}-b${pad(k)}`, `${streetNames[s - 1]}第${c}社区第${k}网格党支部`, 'branch', community, { kind: '网格' });
        const groups = [1, 2].map((g) => b.node(`${branch._id}-g${g}`, `${g}号楼栋党小组`, 'group', branch));
        for (let m = 1; m <= 25; m++) {
          const doc = b.member(branch, groups, { age: communityAge(r), role: m === 1 ? 'secretary' : 'member', bound: m === 1 || r() < 0.7 });
          if (m === 1) doc.openid = `dist-${branch._id}-01`;
        }
      }
    }
  }
  const first = b.members[1];
  first.role = 'organiser';
  first.scopeId = 'w1';
  first.openid = DISTRICT.organiserOpenid;
  return b;
}

async function insertAll(store: SeedStore, coll: string, docs: Record<string, unknown>[]): Promise<void> {
  const CHUNK = 5000;
  for (let i = 0; i < docs.length; i += CHUNK) await store.insertMany(coll, docs.slice(i, i + CHUNK));
}

function bindingsOf(members: MemberDoc[], now: Date): Record<string, unknown>[] {
  return members
    .filter((m) => m.openid)
    .map((m) => ({ _id: m.openid!, memberId: m._id, boundAt: new Date(Math.min(now.getTime(), m.createdAt.getTime() + DAY)) }));
}

/** `files`: cloud storage for the demo's lesson recordings (without it the media lessons have none). */
export async function seed(store: SeedStore, opts: { size: SeedSize; now?: Date; files?: SeedFiles }): Promise<{ members: number; branches: number }> {
  const now = opts.now ?? new Date();
  if (opts.size === 'none') return { members: 0, branches: 0 };
  if (opts.size === 'demo') {
    const { b, invites, applications, transfers } = buildDemo(now);
    await insertAll(store, 'org_nodes', b.nodes);
    await insertAll(store, 'org_members', b.members);
    await insertAll(store, 'org_bindings', bindingsOf(b.members, now));
    await insertAll(store, 'org_invites', invites);
    await insertAll(store, 'org_applications', applications);
    await insertAll(store, 'org_transfers', transfers);
    await seedQuiz(store, 'demo', now);
    // the activity seed runs first: the 学时 its finalised 主题党日 credits join the study ledger
    const activityCredits = await seedActivity(store, now);
    // a year of 三会一课 with minutes and photos in every branch (no 学时: see seed/activity-year.ts)
    await seedActivityYear(store, now, opts.files ?? null);
    await seedStudy(store, now, activityCredits, opts.files ? seedMedia(opts.files) : null);
    return { members: b.members.length, branches: b.nodes.filter((n) => n.type === 'branch').length };
  }
  const b = buildDistrict(now);
  await insertAll(store, 'org_nodes', b.nodes);
  await insertAll(store, 'org_members', b.members);
  await insertAll(store, 'org_bindings', bindingsOf(b.members, now));
  await seedQuiz(store, 'district', now);
  return { members: b.members.length, branches: b.nodes.filter((n) => n.type === 'branch').length };
}

/** Pure access to the demo data without a store (tests, docs). */
export function demoData(now: Date = new Date()) {
  const { b, invites, applications, transfers } = buildDemo(now);
  return { nodes: b.nodes, members: b.members, invites, applications, transfers };
}

export function districtData(now: Date = new Date()) {
  const b = buildDistrict(now);
  return { nodes: b.nodes, members: b.members };
}

/** A person to sign in as on the emulator's dev page (scripts/cloud.ts hands them to it). */
export interface DemoUser {
  openid: string;
  name: string;
  /** the role's Chinese label (组织管理员, 支部书记, 党员) */
  role: string;
  branchName: string;
  age?: number;
}

/**
 * People to sign in as on the emulator's login page: every organiser, the secretaries (first 30),
 * and the bound members of the demo branch (or of the first secretary's branch in a district seed).
 */
export async function listDemoUsers(store: SeedStore): Promise<DemoUser[]> {
  const now = new Date();
  const bound = { $ne: null };
  const organisers = (await store.find('org_members', { role: 'organiser', status: 'active', openid: bound }, { sort: { _id: 1 }, limit: 20 })) as MemberDoc[];
  const secretaries = (await store.find('org_members', { role: 'secretary', status: 'active', openid: bound }, { sort: { _id: 1 }, limit: 30 })) as MemberDoc[];
  const memberBranch = secretaries.some((s) => s.branchId === DEMO.branchId) ? DEMO.branchId : secretaries[0]?.branchId;
  const members = memberBranch
    ? ((await store.find('org_members', { branchId: memberBranch, role: 'member', status: 'active', openid: bound }, { sort: { _id: 1 }, limit: 8 })) as MemberDoc[])
    : [];
  const all = [...organisers, ...secretaries, ...members];
  const branchIds = [...new Set(all.map((m) => m.branchId))];
  const nodes = (await store.find('org_nodes', { _id: { $in: branchIds } }, { limit: branchIds.length || 1 })) as NodeDoc[];
  const nameOf = new Map(nodes.map((n) => [n._id, n.name]));
  return all.map((m) => {
    const u: DemoUser = { openid: m.openid!, name: m.name, role: ROLE_LABEL[m.role], branchName: nameOf.get(m.branchId) ?? '' };
    const age = ageFromBirthYear(m.birthYear, now);
    if (age !== undefined) u.age = age;
    return u;
  });
}

// The well-known ids, names and phones come from the PRNG, not the clock: fill DEMO once at load.
buildDemo(new Date());

/** Lines for the login page: invite codes that still work, so a new user can try joining a branch. */
export async function listDemoTips(store: SeedStore, now: Date = new Date()): Promise<string[]> {
  const open = (await store.find(
    'org_invites',
    { revoked: false, expiresAt: { $gt: now } },
    { sort: { createdAt: -1 }, limit: 20 },
  )) as Array<{ _id: string; branchName: string; uses: number; maxUses: number }>;
  const usable = open.filter((i) => i.uses < i.maxUses).slice(0, 3);
  if (!usable.length) return ['没有可用的邀请码：以支部书记身份登录，在“我的 → 邀请入支部”生成一个。'];
  return usable.map((i) => `可用邀请码 ${i._id}（${i.branchName}）`);
}
