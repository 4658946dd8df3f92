/**
 * Source of the worker thread that holds one warm function instance. It is plain JavaScript run with
 * `eval: true` so the same file works under tsx, ts-jest and compiled builds without a loader.
 *
 * One call at a time: the parent only posts `call` after the previous `done`. Identity is written into
 * this thread's own copy of process.env right before `main` runs, because wx-server-sdk's getWXContext()
 * reads nothing else.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('worker_threads');
const IDENTITY_KEYS = ['WX_OPENID', 'WX_APPID', 'WX_UNIONID', 'WX_SOURCE', 'WX_CLIENTIP', 'WX_CLIENTIPV6'];
let mod = null;
let loadError = null;

function load() {
  if (mod || loadError) return;
  try {
    // NODE_PATH of this instance (the function's folder, as SCF sets it): module paths are read at
    // start-up, and a worker thread's start-up was its parent's
    require('module')._initPaths();
    mod = require(workerData.entry);
  } catch (e) {
    loadError = e;
  }
}

function describe(e) {
  if (e instanceof Error) return { message: e.message, stack: e.stack || '', name: e.name, code: e.code };
  return { message: typeof e === 'string' ? e : JSON.stringify(e), stack: '', name: 'Error' };
}

// A promise a function forgot to await must not kill the warm instance (CloudBase logs it too).
process.on('unhandledRejection', (reason) => {
  const d = describe(reason);
  console.error('[' + workerData.fnName + '] unhandled rejection: ' + (d.stack || d.message));
});

parentPort.on('message', async (msg) => {
  if (!msg || msg.type !== 'call') return;
  for (const key of IDENTITY_KEYS) delete process.env[key];
  const caller = msg.caller || {};
  const keys = [];
  for (const key of IDENTITY_KEYS) {
    const short = key.slice(3);
    if (caller[short] !== undefined && caller[short] !== null) {
      process.env[key] = String(caller[short]);
    }
    keys.push(key);
  }
  process.env.WX_CONTEXT_KEYS = keys.join(',');
  load();
  if (loadError) {
    parentPort.postMessage({ type: 'done', id: msg.id, ok: false, error: describe(loadError), phase: 'load' });
    return;
  }
  if (!mod || typeof mod.main !== 'function') {
    parentPort.postMessage({
      type: 'done', id: msg.id, ok: false, phase: 'load',
      error: { message: 'function does not export main', stack: '', name: 'Error' },
    });
    return;
  }
  try {
    const result = await mod.main(msg.event, msg.context);
    let json;
    try {
      json = result === undefined ? 'null' : JSON.stringify(result);
    } catch (e) {
      parentPort.postMessage({ type: 'done', id: msg.id, ok: false, error: describe(e), phase: 'serialize' });
      return;
    }
    parentPort.postMessage({ type: 'done', id: msg.id, ok: true, json: json === undefined ? 'null' : json });
  } catch (e) {
    parentPort.postMessage({ type: 'done', id: msg.id, ok: false, error: describe(e), phase: 'main' });
  }
});
// Load at start so a cold start is not charged to the first call's timeout (SCF initialises separately too).
load();
parentPort.postMessage({ type: 'ready' });
`;
