/** The org function: its actions in ./actions.ts, served by the one spine (core/fn/serve.ts). */
import { serve } from '../../core/fn/serve';
import { makeOrgCtx, orgActions } from './actions';
import config from './config.json';

export const org = serve({
  name: 'org',
  about: '组织与党员 (org & membership): the org tree, invites, applications, roster import, 流动党员转接.',
  actions: orgActions,
  config,
  makeCtx: makeOrgCtx,
  sdk: require('wx-server-sdk'),
});

export const { main } = org;
