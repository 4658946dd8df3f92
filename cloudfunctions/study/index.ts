/** The study function: its actions and timers in ./actions.ts, served by the one spine (core/fn/serve.ts). */
import { dispatcher, serve } from '../../core/fn/serve';
import { makeStudyCtx, studyActions, studyTimers } from './actions';
import config from './config.json';

export const study = serve({
  name: 'study',
  about:
    '学习与学时 (study): lessons, honest heartbeat crediting, live lessons, offline records, targets, progress and branch tables. The 学时 ledger itself is core/study/credit.ts (`creditStudy`).',
  opsNote:
    "`beat` does not read the caller: its one read is the member's session (`study_sessions/<openid>`, written by `start` after the full caller check, carrying the caller's snapshot).",
  actions: studyActions,
  // CloudBase allows one timer trigger per function: `tick` (config.json) runs every due job
  timers: { tick: dispatcher({ liveReminders: studyTimers.liveReminders, sweepSessions: { ...studyTimers.sweepSessions, everyMinutes: 5 } }) },
  config,
  makeCtx: makeStudyCtx,
  sdk: require('wx-server-sdk'),
});

export const { main } = study;
