import { callFunction } from './index';
import type { ActivityAction, ActivityInput, ActivityOutputs } from '../../core/activity/contracts';

/** Typed calls to the `activity` cloud function: one per action, inputs and outputs from core/activity/contracts. */
function call<A extends ActivityAction>(action: A, payload: ActivityInput<A>): Promise<ActivityOutputs[A]> {
  return callFunction<ActivityOutputs[A]>('activity', action, payload);
}

export const activityApi = {
  list: (p: ActivityInput<'list'> = {}) => call('list', p),
  get: (id: string) => call('get', { id }),
  save: (p: ActivityInput<'save'>) => call('save', p),
  publish: (id: string) => call('publish', { id }),
  cancel: (id: string, reason: string) => call('cancel', { id, reason }),
  qrToken: (id: string) => call('qrToken', { id }),
  signIn: (p: ActivityInput<'signIn'>) => call('signIn', p),
  codeSignIn: (p: ActivityInput<'codeSignIn'>) => call('codeSignIn', p),
  manualSignIn: (p: ActivityInput<'manualSignIn'>) => call('manualSignIn', p),
  requestLeave: (id: string, reason: string) => call('requestLeave', { id, reason }),
  reviewLeave: (p: ActivityInput<'reviewLeave'>) => call('reviewLeave', p),
  closeSignIn: (id: string) => call('closeSignIn', { id }),
  roster: (id: string) => call('roster', { id }),
  setAttendance: (p: ActivityInput<'setAttendance'>) => call('setAttendance', p),
  myMakeUps: () => call('myMakeUps', {}),
  completeMakeUp: (id: string, note: string) => call('completeMakeUp', { id, note }),
  subscribe: (id: string) => call('subscribe', { id }),
  exportLedger: (p: ActivityInput<'exportLedger'>) => call('exportLedger', p),
  rates: (p: ActivityInput<'rates'>) => call('rates', p),
  // 会议记录, the 7+1 checklist and the cadence each branch owes
  checkUpload: (p: ActivityInput<'checkUpload'>) => call('checkUpload', p),
  saveMinutes: (p: ActivityInput<'saveMinutes'>) => call('saveMinutes', p),
  minutes: (id: string) => call('minutes', { id }),
  checklist: (id: string) => call('checklist', { id }),
  tickChecklist: (p: ActivityInput<'tickChecklist'>) => call('tickChecklist', p),
  setChecklist: (p: ActivityInput<'setChecklist'>) => call('setChecklist', p),
  cadence: (p: ActivityInput<'cadence'> = {}) => call('cadence', p),
  cadenceOverview: (p: ActivityInput<'cadenceOverview'> = {}) => call('cadenceOverview', p),
  setCadence: (p: ActivityInput<'setCadence'>) => call('setCadence', p),
  cadenceSubscribe: () => call('cadenceSubscribe', {}),
  exportSubtreeLedger: (p: ActivityInput<'exportSubtreeLedger'>) => call('exportSubtreeLedger', p),
  branchRates: (p: ActivityInput<'branchRates'>) => call('branchRates', p),
};

export type { ActivityOutputs, ActivityView, AttendanceView, NoticeItem, RosterRow } from '../../core/activity/contracts';
