/**
 * The demo's shared pieces: the store interface the seed writes through, the data set sizes, and
 * the well-known ids tests and the login page use. DEMO's member ids and openids come from the
 * PRNG: seed/index.ts fills them in when it loads (import DEMO from there).
 */

/** The part of emulator/db/store.ts the seed uses (sync or async both work). */
export interface SeedStore {
  insertMany(coll: string, docs: Record<string, unknown>[]): unknown;
  find(coll: string, query?: Record<string, unknown>, opts?: { sort?: Record<string, 1 | -1>; limit?: number; skip?: number }): unknown;
  findOne(coll: string, id: string): unknown;
  count(coll: string, query?: Record<string, unknown>): unknown;
}

export type SeedSize = 'demo' | 'district' | 'none';

/** Well-known demo identities and ids (stable across runs). */
export const DEMO = {
  districtId: 'd1',
  streetId: 'd1-s1',
  communityId: 'd1-s1-c1',
  /** 馨怡家园社区第一党支部 */
  branchId: 'd1-s1-c1-b1',
  branchName: '馨怡家园社区第一党支部',
  /** same community, another branch */
  otherBranchId: 'd1-s1-c1-b2',
  /** another street */
  farBranchId: 'd1-s2-c1-b1',
  /** 区委机关第一党支部, where the organisers belong */
  officeBranchId: 'd1-b1',
  /** the demo branch's first four members; ids and openids are filled in when seed/index.ts loads */
  secretaryId: '',
  secretaryOpenid: '',
  memberId: '',
  memberOpenid: '',
  elderId: '',
  elderOpenid: '',
  /** on the roster, never joined: applying with this name and phone binds at once */
  unboundMember: { id: '', name: '', phone: '' },
  otherBranchSecretaryOpenid: '',
  organiserId: '',
  organiserOpenid: '',
  streetOrganiserOpenid: '',
  inviteCode: 'JSXY6789',
  expiredInviteCode: 'EXPD2345',
  revokedInviteCode: 'RVKD2345',
  usedUpInviteCode: 'FULL2345',
  applicantOpenids: ['demo-applicant-1', 'demo-applicant-2'],
  pendingApplicationIds: ['d1-s1-c1-b1:demo-applicant-1', 'd1-s1-c1-b1:demo-applicant-2'],
};

export const DISTRICT = {
  districtId: 'w1',
  branchId: 'w1-s01-c01-b01',
  secretaryOpenid: 'dist-w1-s01-c01-b01-01',
  organiserOpenid: 'dist-organiser',
};
