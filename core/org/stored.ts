/**
 * The org feature's stored documents (org_members, org_applications, org_transfers). Their views
 * for the app are built in member.ts.
 */
import type { MemberRole } from '../fn/router';
import type { TransferView } from './contracts';

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

/** A transfer as stored: the view's fields plus who moved the member. */
export interface StoredTransfer extends Omit<TransferView, 'id' | 'at'> {
  _id: string;
  byId: string;
  at: Date | string;
}
