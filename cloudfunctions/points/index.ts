/** The points function: its actions in ./actions.ts, served by the one spine (core/fn/serve.ts). */
import { serve } from '../../core/fn/serve';
import { makePointsCtx, pointsActions } from './actions';
import config from './config.json';

export const points = serve({
  name: 'points',
  about:
    "积分 (points): the member's ledger (红色手账) and the org's points rules. Awards are written by the features that earn them (core/points/ledger.ts), not here.",
  actions: pointsActions,
  config,
  makeCtx: makePointsCtx,
  sdk: require('wx-server-sdk'),
});

export const { main } = points;
