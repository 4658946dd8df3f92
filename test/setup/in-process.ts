/**
 * The repository's cloud functions called in-process, through the same spine CloudBase runs
 * (`served.handle`, core/fn/serve.ts), against an emulator's data plane: the real wx-server-sdk in
 * this process talks to the emulator's /admin endpoint exactly as a function instance does (signed
 * requests, the SDK's own wire format), so only the function host — worker threads, bundles, cold
 * starts, the HTTP gateway — is left out. Use it where HTTP adds nothing; the wire contract (status
 * codes, payload limits, timeouts, identity headers) stays with the suites that call over HTTP.
 *
 *   const emu = await startEmulator({ ... });
 *   const cloud = inProcess(emu);
 *   const r = await cloud.call('study', DEMO.memberOpenid, 'start', { lessonId });
 *   r.ok; r.data; r.error; r.status; r.ops.total
 *
 * `status` is what the gateway would answer (scripts/local-cloud.ts gatewayError). `ops` counts the
 * data-plane requests made while the call ran, as the emulator's `x-db-ops` header does; calls that
 * overlap in time share their counts, so measure ops on calls made one at a time.
 */
import path from 'path';
import { gatewayError, type Emulator } from '../../scripts/local-cloud';
import { addOps, countAction, emptyOps, type OpCounts } from '../../emulator/host/ops';
import type { ServedFunction } from '../../core/fn/serve';
import { REPO_FUNCTIONS } from './functions';

export interface InProcessReply {
  /** the HTTP status the gateway would answer with */
  status: number;
  ok: boolean;
  data: any;
  error?: { code: string; message: string; details?: unknown };
  ops: OpCounts;
}

export interface InProcessCloud {
  call(fn: string, openid: string | null, action: string, payload?: unknown): Promise<InProcessReply>;
  /** a timer trigger as the platform starts it (no caller, SOURCE wx_trigger) */
  timer(fn: string, trigger: string): Promise<unknown>;
  /** puts back the process environment and the data plane as they were */
  close(): void;
}

function loadServed(fn: string): ServedFunction<any> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the function's own entry module, by name
  const mod = require(path.join(REPO_FUNCTIONS, fn, 'index.ts')) as Record<string, unknown>;
  const served = Object.values(mod).find((v): v is ServedFunction<any> => !!v && typeof (v as ServedFunction<any>).handle === 'function');
  if (!served) throw new Error(`cloudfunctions/${fn}/index.ts exports no served function`);
  return served;
}

export function inProcess(emu: Emulator): InProcessCloud {
  // What the host hands an instance (emulator/host/index.ts spawn), so wx-server-sdk in this process
  // signs its requests and sends them to this emulator.
  const env: Record<string, string> = {
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${emu.url}/admin` }),
    TENCENTCLOUD_SECRETID: emu.credentials.secretId,
    TENCENTCLOUD_SECRETKEY: emu.credentials.secretKey,
    TENCENTCLOUD: 'true',
    TCB_ENV: emu.host.env,
    SCF_NAMESPACE: emu.host.env,
    WX_CONTEXT_KEYS: '',
    ...emu.secrets,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);

  const seen = emptyOps();
  const backend = emu.backend;
  const handleAdmin = backend.handleAdmin;
  backend.handleAdmin = (body, meta) => {
    if (body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.action === 'string') countAction(seen, body.action);
    return handleAdmin.call(backend, body, meta);
  };
  const since = (before: OpCounts): OpCounts => {
    const d = emptyOps();
    addOps(d, seen);
    d.reads -= before.reads;
    d.writes -= before.writes;
    d.transactions -= before.transactions;
    d.total -= before.total;
    for (const [k, v] of Object.entries(before.byAction)) d.byAction[k] -= v;
    return d;
  };
  const snapshot = (): OpCounts => {
    const s = emptyOps();
    addOps(s, seen);
    return s;
  };

  const served = new Map<string, ServedFunction<any>>();
  const fnOf = (fn: string) => {
    if (!served.has(fn)) served.set(fn, loadServed(fn));
    return served.get(fn)!;
  };

  return {
    async call(fn, openid, action, payload = {}) {
      const before = snapshot();
      const result = (await fnOf(fn).handle({ action, payload }, openid ? { OPENID: openid } : {})) as any;
      const ops = since(before);
      const failed = gatewayError(result);
      if (failed) return { status: failed.status, ok: false, data: undefined, error: failed.error, ops };
      return { status: 200, ok: true, data: result?.data, ops };
    },
    timer(fn, trigger) {
      return fnOf(fn).handle({ Type: 'Timer', TriggerName: trigger, Time: new Date().toISOString() }, { SOURCE: 'wx_trigger' });
    },
    close() {
      backend.handleAdmin = handleAdmin;
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
