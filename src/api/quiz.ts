import { callFunction } from './index';
import type { QuizAction, QuizInput, QuizOutputs } from '../../core/quiz/contracts';

/** Typed calls to the `quiz` cloud function: one per action, inputs and outputs from core/quiz/contracts. */
function call<A extends QuizAction>(action: A, payload: QuizInput<A>): Promise<QuizOutputs[A]> {
  return callFunction<QuizOutputs[A]>('quiz', action, payload);
}

export const quizApi = {
  today: () => call('today', {}),
  submit: (p: QuizInput<'submit'>) => call('submit', p),
  wrongBook: () => call('wrongBook', {}),
  practice: (p: QuizInput<'practice'>) => call('practice', p),
  checkPractice: (p: QuizInput<'checkPractice'>) => call('checkPractice', p),
  tags: () => call('tags', {}),
  subscribe: (p: QuizInput<'subscribe'>) => call('subscribe', p),
  branchToday: (p: QuizInput<'branchToday'> = {}) => call('branchToday', p),
  remind: () => call('remind', {}),
  rankMembers: () => call('rankMembers', {}),
  rankBranches: (p: QuizInput<'rankBranches'>) => call('rankBranches', p),
  bankStatus: () => call('bankStatus', {}),
  listQuestions: (p: QuizInput<'listQuestions'>) => call('listQuestions', p),
  importBank: (p: QuizInput<'importBank'>) => call('importBank', p),
  importBankFile: (p: QuizInput<'importBankFile'>) => call('importBankFile', p),
  editQuestion: (p: QuizInput<'editQuestion'>) => call('editQuestion', p),
  retireQuestion: (p: QuizInput<'retireQuestion'>) => call('retireQuestion', p),
  pin: (p: QuizInput<'pin'>) => call('pin', p),
  setPerDay: (p: QuizInput<'setPerDay'>) => call('setPerDay', p),
};

export type { QuizOutputs, SubmissionView, TodayView, WrongItem, BranchTodayView, BankImportReport, QuestionAdminView } from '../../core/quiz/contracts';
export type { PublicQuestion, QuestionResult } from '../../core/quiz/question';
