/** The activity function: its actions and timers in ./actions.ts, served by the one spine (core/fn/serve.ts). */
import { dispatcher, serve } from '../../core/fn/serve';
import { activityActions, activityTimers } from './actions';
import { minutesJobs } from './minutes';
import { cadenceJobs } from './cadence';
import { makeActivityCtx } from './context';
import config from './config.json';

export const activity = serve({
  name: 'activity',
  about:
    '组织生活 (branch activity days: 主题党日, 三会一课): notices, read receipts, rotating-QR sign-in, manual sign-in, leave, automatic absence at the close, 补学, the 台账 export and attendance rates.',
  opsNote: '"cached" = the activity read is served from the warm instance for up to 10 s (see store.ts getActivityCached).',
  actions: activityActions,
  // CloudBase allows one timer trigger per function: `tick` (config.json) runs every due job
  timers: { tick: dispatcher({ finalise: activityTimers.finalise, remind: activityTimers.remind, ...minutesJobs, ...cadenceJobs }) },
  config,
  makeCtx: makeActivityCtx,
  sdk: require('wx-server-sdk'),
});

export const { main } = activity;
