/**
 * Request/response contracts of the `org` cloud function, shared by the app (src/api) and the
 * function (cloudfunctions/org). Inputs are zod schemas (validated on the server, reused for forms
 * in the app); outputs are plain types.
 */
import { z } from 'zod';
import '../fn/zod-messages';
import type { MemberRole } from '../fn/router';

export const PHONE_RE = /^1[3-9]\d{9}$/;

const phone = z
  .string({ required_error: '请填写手机号', invalid_type_error: '手机号格式不对' })
  .trim()
  .regex(PHONE_RE, '请填写 11 位手机号');
const personName = z
  .string({ required_error: '请填写姓名', invalid_type_error: '姓名格式不对' })
  .trim()
  .min(2, '姓名至少 2 个字')
  .max(20, '姓名最多 20 个字');
const id = z.string().trim().min(1, '缺少编号').max(64, '编号过长');
export const inviteCode = z
  .string({ required_error: '请填写邀请码', invalid_type_error: '邀请码格式不对' })
  .trim()
  .toUpperCase()
  .regex(/^[A-HJ-NP-Z2-9]{8}$/, '邀请码是 8 位字母或数字');
const reason = z.string().trim().max(200, '说明最多 200 个字');

export const orgInputs = {
  /** who am I: profile, branch, open applications */
  me: z.object({}),
  /** what an invite leads to, before applying (anyone may ask) */
  inviteInfo: z.object({ code: inviteCode }),
  /** apply to join the invite's branch with name and phone */
  apply: z.object({ code: inviteCode, name: personName, phone }),
  createInvite: z.object({
    ttlDays: z.number().int().min(1, '有效期至少 1 天').max(30, '有效期最多 30 天').default(7),
    maxUses: z.number().int().min(1).max(500, '最多 500 人使用').default(50),
  }),
  listInvites: z.object({}),
  revokeInvite: z.object({ code: inviteCode }),
  listApplications: z.object({
    status: z.enum(['pending', 'approved', 'rejected']).default('pending'),
  }),
  reviewApplication: z.object({
    applicationId: id,
    decision: z.enum(['approve', 'reject']),
    reason: reason.optional(),
  }),
  listMembers: z.object({
    /** organisers name a branch in their subtree; secretaries get their own */
    branchId: id.optional(),
    keyword: z.string().trim().max(20).optional(),
    offset: z.number().int().min(0).max(100000).default(0),
    limit: z.number().int().min(1).max(100).default(50),
  }),
  /** roster import: the file travels inline (callFunction payloads are ≤ 100 KB) */
  importRoster: z.object({
    fileName: z
      .string()
      .trim()
      .max(100)
      .regex(/\.(xlsx|csv)$/i, '只支持 .xlsx 或 .csv 文件'),
    contentBase64: z
      .string()
      .max(96_000, '文件太大：请拆分为每份 500 人以内（70 KB 以内）')
      .regex(/^[A-Za-z0-9+/=\s]*$/, '文件内容格式不对'),
    /** true: validate and report only, write nothing */
    dryRun: z.boolean().default(true),
  }),
  moveMember: z.object({
    memberId: id,
    toBranchId: id,
    reason: reason.min(2, '请写明转接原因'),
  }),
  memberHistory: z.object({ memberId: id }),
  /** children of an org node (root when omitted), for pickers and organiser views */
  children: z.object({ parentId: id.optional() }),
  setRole: z.object({ memberId: id, role: z.enum(['member', 'secretary']) }),
  /**
   * One bounded step of rewriting old phone-derived member ids (docs/member-ids.md); call again until
   * `done`. `limit` caps the documents looked at in this call (the call also stops before its timeout).
   */
  migrateMemberIds: z.object({
    limit: z.number().int().min(1).max(20_000).default(5_000),
  }),
};

export type OrgAction = keyof typeof orgInputs;
export type OrgInput<A extends OrgAction> = z.input<(typeof orgInputs)[A]>;

export type OrgNodeType = 'district' | 'street' | 'community' | 'branch' | 'group';

export interface OrgNodeView {
  id: string;
  name: string;
  type: OrgNodeType;
  parentId: string | null;
  /** members of a branch, or of the whole subtree for higher nodes */
  memberCount?: number;
}

export interface MemberView {
  id: string;
  name: string;
  /** masked (138****5678) unless the viewer is the member or their branch secretary */
  phone: string;
  branchId: string | null;
  branchName?: string;
  role: MemberRole;
  status: 'active' | 'left';
  /** only for the member themselves and their own branch secretary (关怀模式 suggestions) */
  age?: number;
  /** has a WeChat identity bound (joined the mini-program) */
  bound: boolean;
}

export interface ApplicationView {
  id: string;
  branchId: string;
  branchName: string;
  name: string;
  phone: string;
  status: 'pending' | 'approved' | 'rejected';
  reason?: string;
  createdAt: string;
  reviewedAt?: string;
  /** secretary's list only: why approving will be refused (the applicant is never told) */
  conflict?: { kind: ApplicationConflict; message: string };
}

/** other_branch: the phone is an active member's of another branch; bound_elsewhere: another WeChat holds it */
export type ApplicationConflict = 'other_branch' | 'bound_elsewhere';

export interface InviteView {
  code: string;
  branchId: string;
  branchName: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  revoked: boolean;
  /** the mini-program page a scan opens */
  path: string;
  /** QR code of `path`, as an SVG data URL */
  qr: string;
}

export interface RosterRowError {
  row: number;
  field: string;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: RosterRowError[];
}

export interface TransferView {
  id: string;
  memberId: string;
  fromBranchId: string | null;
  fromBranchName: string;
  toBranchId: string;
  toBranchName: string;
  reason: string;
  byName: string;
  at: string;
}

export interface OrgOutputs {
  me: {
    openid: string;
    member: MemberView | null;
    /** names from the district down to the branch */
    pathNames: string[];
    applications: ApplicationView[];
  };
  inviteInfo: { code: string; branchId: string; branchName: string; pathNames: string[]; expiresAt: string };
  apply: { application: ApplicationView; member: MemberView | null };
  createInvite: InviteView;
  listInvites: InviteView[];
  revokeInvite: InviteView;
  listApplications: ApplicationView[];
  reviewApplication: { application: ApplicationView; member: MemberView | null };
  listMembers: { branchId: string; branchName: string; total: number; members: MemberView[] };
  importRoster: ImportReport;
  moveMember: TransferView;
  memberHistory: TransferView[];
  children: OrgNodeView[];
  setRole: MemberView;
  migrateMemberIds: MemberIdMigrationProgress;
}

export type MemberIdMigrationPhase = 'map' | 'refs' | 'members' | 'sweep' | 'done';

export interface MemberIdMigrationProgress {
  done: boolean;
  phase: MemberIdMigrationPhase;
  /** the collection being rewritten (refs and sweep phases) */
  collection: string | null;
  /** documents looked at by this call */
  scanned: number;
  /**
   * work done so far, as counted by the calls that saved their progress (a call killed half way
   * does not count what it did, and the call that finishes it finds nothing left to count)
   */
  totals: {
    /** old ids given a new one (members, and references to members that no longer exist) */
    mapped: number;
    /** documents whose fields were rewritten in place */
    rewritten: number;
    /** documents whose `_id` held an old id: written under the new id, the old one removed */
    moved: number;
    /** member documents moved to their new id */
    members: number;
  };
  /**
   * documents left under their old `_id` because the new `_id` already holds different data: resolve
   * by hand (`newId` is the document's new `_id`; org_member_id_map leads back to the old one)
   */
  conflicts: Array<{ collection: string; newId: string }>;
  /** a sentence for the engineer */
  message: string;
}
