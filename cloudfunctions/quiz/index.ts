/** The quiz function: its actions in ./actions.ts, served by the one spine (core/fn/serve.ts). */
import { serve } from '../../core/fn/serve';
import { makeQuizCtx, quizActions } from './actions';
import config from './config.json';

export const quiz = serve({
  name: 'quiz',
  about: "每日答题 (daily quiz): today's set, answering, wrong book and practice, reminders, the secretary's view, rankings, and the question bank.",
  opsNote:
    "A warm instance caches the day's set (immutable once chosen), and for 60 s which org's config and points rules apply. " +
    'None of the secretary or ranking views reads answer history: they read the counters each answer updates on the ' +
    "member's own document, so their cost does not grow with the days answered.",
  actions: quizActions,
  config,
  makeCtx: makeQuizCtx,
  sdk: require('wx-server-sdk'),
});

export const { main } = quiz;
