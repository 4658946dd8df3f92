import type { CallerMember, MemberRole } from '../fn/router';
import type { ApplicationView, MemberView, TransferView } from './contracts';
import { phoneFor } from './phone';

export const ROLE_LABEL: Record<MemberRole, string> = {
  member: '党员',
  secretary: '支部书记',
  organiser: '组织管理员',
};

export const ELDER_AGE = 60;

/** Age in the year of `now`; the roster records a birth year only, so this is the age reached this year. */
export function ageFromBirthYear(birthYear: number | null | undefined, now: Date): number | undefined {
  if (typeof birthYear !== 'number' || !Number.isFinite(birthYear)) return undefined;
  const age = now.getFullYear() - birthYear;
  return age >= 0 && age < 130 ? age : undefined;
}

export function isElder(birthYear: number | null | undefined, now: Date): boolean {
  const age = ageFromBirthYear(birthYear, now);
  return age !== undefined && age >= ELDER_AGE;
}

/**
 * 64-bit FNV-1a. Member ids derive from the phone so a retried import or approval lands on the same
 * document, without putting the phone itself into an id that organisers see.
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

export function memberIdFromPhone(phone: string): string {
  return `m_${fnv1a64(`org-member:${phone}`)}`;
}

export function applicationId(branchId: string, openid: string): string {
  return `${branchId}:${openid}`;
}

export interface StoredMemberDoc {
  _id: string;
  name: string;
  phone: string;
  openid: string | null;
  branchId: string | null;
  groupId?: string | null;
  path: string[];
  role: MemberRole;
  scopeId?: string | null;
  status: 'active' | 'left';
  birthYear?: number | null;
  gender?: '男' | '女' | null;
  joinedPartyOn?: string | null;
  moveCount?: number;
  createdAt?: Date | string;
  updatedAt?: Date | string;
}

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
  const age = ageFromBirthYear(doc.birthYear, now);
  if (age !== undefined) view.age = age;
  return view;
}

export interface StoredApplication {
  _id: string;
  branchId: string;
  branchName: string;
  openid: string;
  name: string;
  phone: string;
  inviteCode: string;
  status: 'pending' | 'approved' | 'rejected';
  reason?: string | null;
  memberId?: string | null;
  createdAt: Date | string;
  updatedAt?: Date | string;
  reviewedAt?: Date | string | null;
  reviewedBy?: string | null;
}

const iso = (d: Date | string | null | undefined): string | undefined =>
  d === null || d === undefined ? undefined : new Date(d).toISOString();

/** Applications are seen only by the applicant and the branch's secretary: the phone stays whole. */
export function toApplicationView(doc: StoredApplication): ApplicationView {
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
  return view;
}

/** A transfer as stored: the view's fields plus who moved the member. */
export interface StoredTransfer extends Omit<TransferView, 'id' | 'at'> {
  _id: string;
  byId: string;
  at: Date | string;
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
