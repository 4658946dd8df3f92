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
  .superRefine((s, ctx) => {
    if (/^[A-HJ-NP-Z2-9]{8}$/.test(s)) return;
    // codes leave out 0, 1, I and O (they are easily misread): say so when that is all that is wrong
    const lookAlikes = [...new Set(s.match(/[01IO]/g) ?? [])];
    const message =
      /^[A-Z0-9]{8}$/.test(s) && lookAlikes.length
        ? `邀请码里不会有 0、1、I、O 这几个容易看错的字符，您输入的“${lookAlikes.join('、')}”请再核对一下（可能是 0↔O、1↔I 看错了，或看错了其他字符）`
        : '邀请码是 8 位字母或数字';
    ctx.addIssue({ code: 'custom', message });
  });
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
    // a name never holds control characters; the database's pattern matching refuses some of them
    keyword: z.string().trim().max(20).refine((k) => ![...k].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), '姓名里不能有控制字符').optional(),
    /**
     * organisers: search every branch of their subtree by name (流动党员转接); needs a keyword and no
     * branchId. Anyone else gets their own branch as without it.
     */
    inSubtree: z.boolean().optional(),
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
  /**
   * a roster the app uploaded to cloud storage (imports/roster/<openid>/…, up to 5,000 people),
   * imported in batches: call again with `from` = the answer's `next` and the same `runId` until
   * `next` is null
   */
  importRosterFile: z.object({
    fileID: z.string().trim().min(1, '缺少文件').max(400, '文件编号过长').regex(/^cloud:\/\//, '文件编号不对'),
    fileName: z
      .string()
      .trim()
      .max(100)
      .regex(/\.(xlsx|csv)$/i, '只支持 .xlsx 或 .csv 文件'),
    dryRun: z.boolean().default(true),
    from: z.number().int().min(0).max(5000).default(0),
    runId: z.string().regex(/^[0-9a-f]{16}$/, '导入编号不对').optional(),
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
  /** the mini-program page a shared link opens */
  path: string;
  /** a temporary URL of the invite's 小程序码 (PNG; the WeChat camera opens the join page), '' when it could not be made */
  qr: string;
  /** cloud storage fileID of that image, for saving or forwarding it on the phone */
  qrFileID?: string;
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

/** One call of importRosterFile: the first call reports the whole file, each call its own batch. */
export interface RosterFileReport {
  dryRun: boolean;
  /** the import this call belongs to: send it back with `from` = `next` */
  runId: string;
  /** data rows of the file (blank rows not counted) */
  total: number;
  /** rows that passed the checks of the file itself */
  valid: number;
  /** members this call added, changed or found as the file has them (a dry run: the whole file) */
  created: number;
  updated: number;
  unchanged: number;
  /** rows that need changes and are not imported (first call; later calls: rows that changed meanwhile) */
  needsChanges: number;
  /** the first problems, by row */
  errors: RosterRowError[];
  /** the rows that need changes with a 问题 column, to download (first call only) */
  problemsFile: { fileID: string; url: string } | null;
  /** the file cannot be imported at all */
  fatal: string | null;
  from: number;
  /** the next valid row to import, null when done */
  next: number | null;
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
    /** an organiser's subtree root (their branch pickers start here); null for everyone else */
    scope: { id: string; name: string; type: OrgNodeType } | null;
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
  importRosterFile: RosterFileReport;
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
