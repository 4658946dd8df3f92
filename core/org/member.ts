import type { CallerMember, MemberRole } from '../fn/router';
import type { ApplicationConflict, ApplicationView, MemberView, TransferView } from './contracts';
import type { StoredApplication, StoredMemberDoc, StoredTransfer } from './stored';
import { yearOf } from '../day';
import { canSeePhone, phoneFor } from './phone';

export type { StoredApplication, StoredMemberDoc, StoredTransfer } from './stored';

export const ROLE_LABEL: Record<MemberRole, string> = {
  member: '党员',
  secretary: '支部书记',
  organiser: '组织管理员',
};

export const ELDER_AGE = 60;

/** Age in the year of `now`; the roster records a birth year only, so this is the age reached this year. */
export function ageFromBirthYear(birthYear: number | null | undefined, now: Date): number | undefined {
  if (typeof birthYear !== 'number' || !Number.isFinite(birthYear)) return undefined;
  const age = yearOf(now) - birthYear;
  return age >= 0 && age < 130 ? age : undefined;
}

export function isElder(birthYear: number | null | undefined, now: Date): boolean {
  const age = ageFromBirthYear(birthYear, now);
  return age !== undefined && age >= ELDER_AGE;
}

/**
 * 64-bit FNV-1a, for ids of things that are not people (lessons): stable, short, not a secret.
 * Never feed it anything personal: an unsalted hash of a phone number is the phone number, since
 * the 10^8 candidates behind a masked 138****5678 are tried in milliseconds.
 */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  // UTF-16 code units rather than UTF-8 bytes: no Buffer/TextEncoder, so it also runs in the mini-program
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}

/** A member id: `m_` + 32 hex digits of randomness (128 bits). It says nothing about the person. */
export const MEMBER_ID_RE = /^m_[0-9a-f]{32}$/;

/**
 * A new member id from `randomBytes` (crypto.randomBytes in a function). Ids are never derived from
 * the phone or anything else about the person: a retried import or approval finds the member by the
 * `phone` field (unique index `phone_unique`), not by recomputing an id.
 */
export function newMemberId(randomBytes: (size: number) => Uint8Array): string {
  const bytes = randomBytes(16);
  if (bytes.length < 16) throw new Error('randomBytes returned too few bytes');
  let hex = '';
  for (let i = 0; i < 16; i++) hex += bytes[i].toString(16).padStart(2, '0');
  return `m_${hex}`;
}

export function applicationId(branchId: string, openid: string): string {
  return `${branchId}:${openid}`;
}

/**
 * Applications one WeChat identity may submit per day (China time), counted in `org_apply_limits`
 * under `${openid}:${day}`. A retry of the same application (same branch, name and phone) is not
 * counted, so a double tap or a lost answer never uses up the allowance.
 */
export const MAX_APPLICATIONS_PER_DAY = 5;
export const APPLY_LIMIT_MESSAGE = '您今天提交申请的次数已达上限，请明天再试；如有疑问请联系支部书记';

export function applyLimitId(openid: string, day: string): string {
  return `${openid}:${day}`;
}

/**
 * Whether an apply call counts toward the daily limit, given the stored application for the same
 * branch: a new application, a changed name or phone, and re-opening a rejected one count; the same
 * request again (a retry, a double tap) does not.
 */
export function countsTowardApplyLimit(
  stored: { name: string; phone: string; status: StoredApplication['status'] } | null | undefined,
  input: { name: string; phone: string },
): boolean {
  return !stored || stored.status === 'rejected' || stored.name !== input.name || stored.phone !== input.phone;
}

/**
 * Why an application cannot simply be approved, from the member (if any) who holds its phone. The
 * applicant is never told (the answer to `apply` is the same whatever the phone's state, so an invite
 * code is no way to learn whether a number belongs to a member); the secretary sees it on review.
 */
export function applicationConflict(
  app: { branchId: string; openid: string },
  holder: Pick<StoredMemberDoc, 'branchId' | 'status' | 'openid'> | null | undefined,
): ApplicationConflict | null {
  if (!holder) return null;
  if (holder.status === 'active' && holder.branchId !== app.branchId) return 'other_branch';
  if (holder.openid && holder.openid !== app.openid) return 'bound_elsewhere';
  return null;
}

export const CONFLICT_MESSAGES: Record<ApplicationConflict, string> = {
  other_branch: '该手机号已登记在其他党支部，请先由原支部办理“流动党员转接”',
  bound_elsewhere: '该手机号已被其他微信绑定，请核实申请人身份',
};


export function toMemberView(
  doc: StoredMemberDoc,
  viewer: CallerMember | null | undefined,
  now: Date,
  branchName?: string,
): MemberView {
  const view: MemberView = {
    id: doc._id,
    name: doc.name,
    phone: phoneFor(viewer, { _id: doc._id, branchId: doc.branchId, phone: doc.phone }),
    branchId: doc.branchId ?? null,
    role: doc.role ?? 'member',
    status: doc.status ?? 'active',
    bound: !!doc.openid,
  };
  if (branchName !== undefined) view.branchName = branchName;
  if (canSeeAge(viewer, { _id: doc._id, branchId: doc.branchId })) {
    const age = ageFromBirthYear(doc.birthYear, now);
    if (age !== undefined) view.age = age;
  }
  return view;
}

/**
 * Age (and so the birth year) is for the member and the secretary of their own branch, who suggests
 * 关怀模式 and plans 送学上门 with it. Other members and organisers never see it: an organiser compares
 * branches, not people. The same people as for the whole phone number.
 */
export function canSeeAge(
  viewer: CallerMember | null | undefined,
  target: { _id: string; branchId: string | null | undefined },
): boolean {
  return canSeePhone(viewer, target);
}


const iso = (d: Date | string | null | undefined): string | undefined =>
  d === null || d === undefined ? undefined : new Date(d).toISOString();

/**
 * Applications are seen only by the applicant and the branch's secretary: the phone stays whole.
 * `conflict` is passed for the secretary's list only, never for the applicant's own view.
 */
export function toApplicationView(doc: StoredApplication, conflict?: ApplicationConflict | null): ApplicationView {
  const view: ApplicationView = {
    id: doc._id,
    branchId: doc.branchId,
    branchName: doc.branchName,
    name: doc.name,
    phone: doc.phone,
    status: doc.status,
    createdAt: iso(doc.createdAt) ?? '',
  };
  if (doc.reason) view.reason = doc.reason;
  const reviewed = iso(doc.reviewedAt);
  if (reviewed) view.reviewedAt = reviewed;
  if (conflict) view.conflict = { kind: conflict, message: CONFLICT_MESSAGES[conflict] };
  return view;
}


export function toTransferView(doc: StoredTransfer): TransferView {
  return {
    id: doc._id,
    memberId: doc.memberId,
    fromBranchId: doc.fromBranchId,
    fromBranchName: doc.fromBranchName,
    toBranchId: doc.toBranchId,
    toBranchName: doc.toBranchName,
    reason: doc.reason,
    byName: doc.byName,
    at: iso(doc.at) ?? '',
  };
}

/** Escapes a user keyword for a regular-expression name filter. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
