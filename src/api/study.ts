import { callFunction } from './index';
import type { StudyAction, StudyInput, StudyOutputs } from '../../core/study/contracts';

/** Typed calls to the `study` cloud function: one per action, inputs and outputs from core/study/contracts. */
function call<A extends StudyAction>(action: A, payload: StudyInput<A>): Promise<StudyOutputs[A]> {
  return callFunction<StudyOutputs[A]>('study', action, payload);
}

export const studyApi = {
  lessons: (p: StudyInput<'lessons'> = {}) => call('lessons', p),
  lesson: (p: StudyInput<'lesson'>) => call('lesson', p),
  start: (p: StudyInput<'start'>) => call('start', p),
  checkpoint: (p: StudyInput<'checkpoint'>) => call('checkpoint', p),
  liveJoin: (p: StudyInput<'liveJoin'>) => call('liveJoin', p),
  liveReturn: (p: StudyInput<'liveReturn'>) => call('liveReturn', p),
  stop: (p: StudyInput<'stop'>) => call('stop', p),
  progress: (p: StudyInput<'progress'> = {}) => call('progress', p),
  remind: (p: StudyInput<'remind'>) => call('remind', p),
  branchTable: (p: StudyInput<'branchTable'> = {}) => call('branchTable', p),
  remindBehind: (p: StudyInput<'remindBehind'> = {}) => call('remindBehind', p),
  recordOffline: (p: StudyInput<'recordOffline'>) => call('recordOffline', p),
  listOffline: (p: StudyInput<'listOffline'> = {}) => call('listOffline', p),
  orgRates: (p: StudyInput<'orgRates'> = {}) => call('orgRates', p),
  createLesson: (p: StudyInput<'createLesson'>) => call('createLesson', p),
  exportLedger: (p: StudyInput<'exportLedger'> = {}) => call('exportLedger', p),
};

export type {
  StudyOutputs,
  LessonView,
  LessonDetail,
  ProgressView,
  BranchTable,
  BranchRow,
  OfflineView,
  OrgRateRow,
  StartResult,
  CheckpointResult,
  LiveJoinResult,
} from '../../core/study/contracts';
