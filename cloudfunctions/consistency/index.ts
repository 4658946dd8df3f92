/** The consistency function: its actions and timer in ./actions.ts, served by the one spine (core/fn/serve.ts). */
import { serve } from '../../core/fn/serve';
import { consistencyActions, consistencyTimers, makeConsistencyCtx } from './actions';
import config from './config.json';

export const consistency = serve({
  name: 'consistency',
  about:
    '计数核对 (consistency): recomputes every stored counter from the records it counts — quiz and points counters on org_members, ' +
    '学时 totals and lesson progress, activity attendance counts, invite uses — and reports (or repairs) differences. See docs/consistency.md.',
  actions: consistencyActions,
  timers: consistencyTimers,
  config,
  makeCtx: makeConsistencyCtx,
  sdk: require('wx-server-sdk'),
});

export const { main } = consistency;
