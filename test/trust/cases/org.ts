import { HOME, type CallerInfo, type Harness, type Reply } from '../harness';
import type { CaseTable } from './types';

 

const HOME_PATH = [HOME.districtId, HOME.streetId, 'd1-s1-c1', HOME.branchId];
const HOME_NAME = '馨怡家园社区第一党支部';
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function expect(cond: unknown, message: string): void {
  if (!cond) throw new Error(message);
}

/** A valid invite code no other fixture uses: "TR" plus six characters of the run's counter. */
export function freshInviteCode(h: Harness): string {
  let n = h.seq();
  let tail = '';
  for (let i = 0; i < 6; i++) {
    tail = CODE_ALPHABET[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  return `TR${tail}`;
}

/** A phone no seeded member has (199 is not among the seed's prefixes). */
export const freshPhone = (h: Harness) => `199${String(70_000_000 + h.seq())}`;

/** A usable invite of the home branch, written straight into the store. */
export function homeInvite(h: Harness): string {
  const code = freshInviteCode(h);
  const now = Date.now();
  h.store.put(
    'org_invites',
    {
      _id: code,
      branchId: HOME.branchId,
      branchName: HOME_NAME,
      branchPath: HOME_PATH,
      pathNames: ['郑州市金水区委', '文化路街道党工委', '馨怡家园社区党委', HOME_NAME],
      createdBy: h.callers.secretary.memberId,
      createdAt: new Date(now),
      expiresAt: new Date(now + 7 * 86_400_000),
      maxUses: 50,
      uses: 0,
      joined: 0,
      revoked: false,
    },
    'insert',
  );
  return code;
}

/** A member of the home branch that no caller is, for actions that change a member. */
export function homeMember(h: Harness, extra: Record<string, unknown> = {}): string {
  const n = h.seq();
  const id = `m-trust-${n}`;
  const at = new Date();
  h.store.put(
    'org_members',
    {
      _id: id,
      name: `试验党员${n}`,
      phone: freshPhone(h),
      openid: null,
      branchId: HOME.branchId,
      groupId: null,
      path: HOME_PATH,
      role: 'member',
      status: 'active',
      birthYear: 1975,
      gender: '女',
      joinedPartyOn: '2000-07-01',
      createdAt: at,
      updatedAt: at,
      ...extra,
    },
    'insert',
  );
  return id;
}

const csvBase64 = (lines: string[]) => Buffer.from('\uFEFF' + lines.join('\r\n'), 'utf8').toString('base64');

const ownBranchOnly = (what: string) => (_h: Harness, caller: CallerInfo, r: Reply) => {
  const rows = r.data as Array<{ branchId: string }>;
  expect(Array.isArray(rows), `${what}: expected a list`);
  const foreign = rows.filter((x) => x.branchId !== caller.branchId);
  expect(foreign.length === 0, `${what}: ${foreign.length} row(s) of another branch`);
};

export const orgCases: CaseTable = {
  me: {
    payload: () => ({}),
    check: (_h, caller, r) => {
      expect(r.data.openid === caller.openid, `me answered for ${r.data.openid}`);
      expect((r.data.member?.id ?? null) === caller.memberId, `me carried member ${r.data.member?.id} instead of ${caller.memberId}`);
      if (caller.kind === 'applicant') expect(r.data.applications.some((a: any) => a.status === 'pending'), 'the applicant does not see their application');
      if (caller.kind !== 'applicant' && caller.kind !== 'unknown') expect(r.data.pathNames.length > 0, 'no path names for a member');
    },
  },

  inviteInfo: {
    payload: (h) => ({ code: homeInvite(h) }),
    check: (_h, _c, r) => expect(r.data.branchId === HOME.branchId, `invite leads to ${r.data.branchId}`),
  },

  apply: {
    payload: (h) => ({ code: homeInvite(h), name: '测试申请人', phone: freshPhone(h) }),
    // already a member somewhere: a business answer, never a second membership
    allowedRefusal: {
      member: 'ALREADY_EXISTS',
      otherMember: 'ALREADY_EXISTS',
      secretary: 'ALREADY_EXISTS',
      otherSecretary: 'ALREADY_EXISTS',
      organiser: 'ALREADY_EXISTS',
      otherOrganiser: 'ALREADY_EXISTS',
    },
    check: (h, caller, r) => {
      if (!r.ok) return;
      expect(r.data.application.branchId === HOME.branchId, 'application went elsewhere');
      expect(r.data.application.status === 'pending', `application is ${r.data.application.status}`);
      expect(r.data.member === null, 'an application made a member without review');
      expect(h.store.findOne('org_applications', `${HOME.branchId}:${caller.openid}`), 'no stored application for the caller');
    },
  },

  createInvite: {
    payload: () => ({ ttlDays: 3, maxUses: 5 }),
    check: (h, caller, r) => {
      expect(r.data.branchId === caller.branchId, `invite made for ${r.data.branchId}, caller's branch is ${caller.branchId}`);
      expect(h.store.findOne('org_invites', r.data.code)?.createdBy === caller.memberId, 'stored invite not the caller\'s');
    },
  },

  listInvites: { payload: () => ({}), check: ownBranchOnly('listInvites') },

  revokeInvite: {
    payload: (h) => ({ code: homeInvite(h) }),
    check: (h, _c, r) => expect(h.store.findOne('org_invites', r.data.code)?.revoked === true, 'invite not revoked'),
  },

  listApplications: { payload: () => ({ status: 'pending' }), check: ownBranchOnly('listApplications') },

  reviewApplication: {
    payload: (h) => {
      const n = h.seq();
      const openid = `trust-applicant-${n}`;
      const id = `${HOME.branchId}:${openid}`;
      const at = new Date();
      h.store.put(
        'org_applications',
        {
          _id: id,
          branchId: HOME.branchId,
          branchName: HOME_NAME,
          openid,
          name: `待审申请${n}`,
          phone: freshPhone(h),
          inviteCode: null,
          status: 'pending',
          reason: null,
          memberId: null,
          createdAt: at,
          updatedAt: at,
          reviewedAt: null,
          reviewedBy: null,
        },
        'insert',
      );
      return { applicationId: id, decision: 'reject', reason: '信息不完整，请重新提交' };
    },
    check: (h, caller, r) => {
      const stored = h.store.findOne('org_applications', r.data.application.id);
      expect(stored?.status === 'rejected' && stored.reviewedBy === caller.memberId, 'application not rejected by the caller');
    },
  },

  listMembers: {
    payload: () => ({ branchId: HOME.branchId }),
    check: async (h, caller, r) => {
      expect(r.data.branchId === HOME.branchId && r.data.members.length > 0, 'no home members listed');
      expect(r.data.members.every((m: any) => m.branchId === HOME.branchId), 'a member of another branch listed');
      // an organiser belongs to a branch outside their subtree (the office branch): like any member, they see it
      if (caller.kind === 'organiser') {
        const own = await h.call('org', 'listMembers', {}, caller.openid);
        expect(own.ok && own.data.branchId === caller.branchId && own.data.members.length > 0, `organiser's own branch: ${own.error?.code ?? 'ok'}`);
      }
    },
  },

  importRoster: {
    payload: (h) => ({
      fileName: '名册.csv',
      dryRun: true,
      contentBase64: csvBase64(['姓名,手机号,性别,出生年份,入党日期,党小组', `导入党员,${freshPhone(h)},男,1962,1990-07-01,`]),
    }),
    check: (_h, _c, r) => expect(r.data.created === 1 && r.data.errors.length === 0, `import report ${JSON.stringify(r.data)}`),
  },

  // a roster the caller uploaded to their own import folder through the gateway, as the H5 app does;
  // a fileID in someone else's folder is refused (test/integration/org-roster-import.test.ts)
  importRosterFile: {
    payload: async (h, caller) => {
      const bytes = Buffer.from('\uFEFF姓名,手机号\r\n' + `存储导入党员,${freshPhone(h)}\r\n`, 'utf8');
      const t = await fetch(`${h.emu.url}/api/storage/upload-url`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-wx-openid': caller.openid },
        body: JSON.stringify({ cloudPath: `imports/roster/${caller.openid}/${h.seq()}.csv` }),
      }).then((r) => r.json());
      await fetch(`${h.emu.url}${t.url}`, { method: 'PUT', body: bytes });
      return { fileID: t.fileID, fileName: '名册.csv', dryRun: false };
    },
    check: (h, caller, r) => {
      expect(r.data.created === 1 && r.data.needsChanges === 0 && r.data.next === null, `import report ${JSON.stringify(r.data)}`);
      const m = h.store.find('org_members', { name: '存储导入党员', branchId: caller.branchId });
      expect(m.length > 0, 'not imported into the caller\'s own branch');
    },
  },

  moveMember: {
    payload: (h) => ({ memberId: homeMember(h), toBranchId: HOME.otherBranchId, reason: '工作调动' }),
    check: (h, caller, r) => {
      const m = h.store.findOne('org_members', r.data.memberId);
      expect(m?.branchId === HOME.otherBranchId, 'member not moved');
      expect(r.data.fromBranchId === HOME.branchId, 'transfer record wrong');
      expect(h.store.findOne('org_transfers', r.data.id)?.byId === caller.memberId, 'transfer not recorded as the caller\'s');
    },
  },

  memberHistory: {
    payload: (h) => {
      const id = homeMember(h, { moveCount: 1 });
      h.store.put(
        'org_transfers',
        {
          _id: `${id}:1`,
          memberId: id,
          fromBranchId: HOME.farBranchId,
          fromBranchName: '凤凰城社区第一党支部',
          toBranchId: HOME.branchId,
          toBranchName: HOME_NAME,
          reason: '随子女迁居',
          byId: h.callers.secretary.memberId,
          byName: '书记',
          at: new Date(Date.now() - 30 * 86_400_000),
        },
        'insert',
      );
      return { memberId: id };
    },
    check: (_h, _c, r) => expect(Array.isArray(r.data) && r.data.length === 1 && r.data[0].toBranchId === HOME.branchId, 'history missing'),
  },

  children: {
    payload: () => ({ parentId: HOME.branchId }),
    check: (_h, _c, r) => expect(Array.isArray(r.data) && r.data.length > 0 && r.data.every((n: any) => n.parentId === HOME.branchId), 'no groups of the home branch'),
  },

  setRole: {
    // a secretary no caller is, stepped down to member: a real write, and no second secretary left behind
    payload: (h) => ({ memberId: homeMember(h, { role: 'secretary' }), role: 'member' }),
    check: (h, _c, r) => expect(h.store.findOne('org_members', r.data.id)?.role === 'member', 'role not changed'),
  },

  // the district organiser (scope = the root) runs it; no kind of caller in the table may, the
  // street organiser included (test/trust/security-org.test.ts calls it as the district organiser)
  migrateMemberIds: { payload: () => ({ limit: 10 }) },
};
