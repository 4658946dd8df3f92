import { callFunction } from './index';
import type { OrgAction, OrgInput, OrgOutputs } from '../../core/org/contracts';

/** Typed calls to the `org` cloud function: one per action, inputs and outputs from core/org/contracts. */
function call<A extends OrgAction>(action: A, payload: OrgInput<A>): Promise<OrgOutputs[A]> {
  return callFunction<OrgOutputs[A]>('org', action, payload);
}

export const orgApi = {
  me: () => call('me', {}),
  inviteInfo: (p: OrgInput<'inviteInfo'>) => call('inviteInfo', p),
  apply: (p: OrgInput<'apply'>) => call('apply', p),
  createInvite: (p: OrgInput<'createInvite'>) => call('createInvite', p),
  listInvites: () => call('listInvites', {}),
  revokeInvite: (p: OrgInput<'revokeInvite'>) => call('revokeInvite', p),
  listApplications: (p: OrgInput<'listApplications'>) => call('listApplications', p),
  reviewApplication: (p: OrgInput<'reviewApplication'>) => call('reviewApplication', p),
  listMembers: (p: OrgInput<'listMembers'>) => call('listMembers', p),
  importRoster: (p: OrgInput<'importRoster'>) => call('importRoster', p),
  importRosterFile: (p: OrgInput<'importRosterFile'>) => call('importRosterFile', p),
  moveMember: (p: OrgInput<'moveMember'>) => call('moveMember', p),
  memberHistory: (p: OrgInput<'memberHistory'>) => call('memberHistory', p),
  children: (p: OrgInput<'children'>) => call('children', p),
  setRole: (p: OrgInput<'setRole'>) => call('setRole', p),
};

export type { OrgOutputs, MemberView, ApplicationView, InviteView, ImportReport, RosterFileReport, OrgNodeView, TransferView } from '../../core/org/contracts';
