import crypto from 'crypto';
import fs from 'fs';
import { Worker } from 'worker_threads';
import path from 'path';
import { discoverFunctions, readManifest, type FunctionInfo, type ManifestFunction } from './config';
import { addOps, countAction, emptyOps, type OpCounts } from './ops';
import { WORKER_SOURCE } from './worker-source';
import { randomCredentials } from '../admin/signature';
import { faultEffect, landsWrite, type Fault, type FaultEffect } from './faults';

export { discoverFunctions, readFunctionConfig, readManifest, FunctionConfigError, DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S, DEFAULT_MEMORY_MB } from './config';
export type { FunctionInfo, FunctionConfig, TriggerConfig, ManifestFunction } from './config';
export { emptyOps, countAction, addOps } from './ops';
export type { OpCounts } from './ops';
export { parseFault, formatFault, faultEffect, landsWrite, FaultBoard } from './faults';
export type { Fault, FaultKind, FaultEffect, ArmedFault } from './faults';

/** What getWXContext() returns for the call, minus ENV (which comes from TCB_ENV). */
export interface Caller {
  OPENID?: string;
  APPID?: string;
  UNIONID?: string;
  SOURCE?: string;
  /** the caller's address, for a call from the app (getWXContext()'s CLIENTIP / CLIENTIPV6) */
  CLIENTIP?: string;
  CLIENTIPV6?: string;
}

export type HostErrorCode = 'FUNCTION_NOT_FOUND' | 'DEADLINE_EXCEEDED' | 'INTERNAL';

export class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly requestId: string,
    readonly ops: OpCounts = emptyOps(),
  ) {
    super(message);
    this.name = 'HostError';
  }
}

export interface InvokeResult {
  result: unknown;
  requestId: string;
  ops: OpCounts;
  ms: number;
}

export interface CallRecord {
  requestId: string;
  fn: string;
  at: string;
  ms: number;
  outcome: 'ok' | 'error' | 'timeout';
  errorCode?: string;
  ops: OpCounts;
  /** how the call arrived: http, timer, function (cloud.callFunction) or direct */
  via: string;
}

export interface FunctionStats {
  calls: number;
  errors: number;
  timeouts: number;
  totalMs: number;
  ops: OpCounts;
}

export interface HostStats {
  functions: Record<string, FunctionStats>;
  recent: CallRecord[];
}

export interface FunctionHostOptions {
  functionsDir: string;
  /** Admin URL one instance's SDK talks to; the instance id in it attributes DB requests to calls. */
  adminUrl: (instanceId: string) => string;
  env?: string;
  /** max warm instances per function (default 4) */
  pool?: number;
  /** how many recent calls /api/stats keeps (default 200) */
  recentLimit?: number;
  /** where function crashes and console output of the host go (default stderr) */
  log?: (line: string) => void;
  /**
   * The TENCENTCLOUD_SECRETID/SECRETKEY every instance signs its /admin requests with (the data
   * plane checks the signature); default: fresh random ones for this host.
   */
  credentials?: { secretId: string; secretKey: string };
  /** extra environment variables of every instance, e.g. the function secrets */
  functionEnv?: Record<string, string>;
  /**
   * The deploy manifest (cloudbaserc.json): each function's timeout, memorySize and envVariables
   * (`{{env.X}}` filled from the process environment and `functionEnv`). Without it every function
   * runs with CloudBase's defaults (3 s, 256 MB, no variables of its own).
   */
  manifest?: string;
}

interface InFlight {
  requestId: string;
  fn: string;
  caller: Caller;
  ops: OpCounts;
  /** test-only fault injection: the fault, and how many database requests / landing writes so far */
  fault?: Fault;
  dbOps: number;
  landedWrites: number;
  /** ends the call now as if its timeout had passed */
  expire?: () => void;
}

interface Instance {
  id: string;
  fn: string;
  worker: Worker;
  entryMtime: number;
  busy: boolean;
  current?: InFlight;
  retired: boolean;
  settle?: (msg: any) => void;
  ready: Promise<void>;
}

interface Waiter {
  resolve: (inst: Instance) => void;
  reject: (e: Error) => void;
}

interface Pool {
  instances: Instance[];
  waiters: Waiter[];
}

/** Loading a module (wx-server-sdk alone takes ~0.4 s) is not charged to the call's timeout, but is capped. */
const INIT_TIMEOUT_MS = 30_000;

const INHERITED_ENV_BLOCKLIST = /^(NODE_TEST_CONTEXT|NODE_OPTIONS|WX_.*|TCB_.*|TENCENTCLOUD_.*|SCF_.*)$/;

export class FunctionHost {
  private functions = new Map<string, FunctionInfo>();
  private pools = new Map<string, Pool>();
  private byInstance = new Map<string, Instance>();
  private stat = new Map<string, FunctionStats>();
  private recent: CallRecord[] = [];
  private seq = 0;
  private closed = false;
  readonly env: string;
  readonly poolSize: number;
  readonly credentials: { secretId: string; secretKey: string };
  private readonly log: (line: string) => void;

  constructor(private readonly opts: FunctionHostOptions) {
    this.env = opts.env ?? 'local-env';
    this.credentials = opts.credentials ?? randomCredentials();
    this.poolSize = Math.max(1, opts.pool ?? 4);
    this.log = opts.log ?? ((line) => process.stderr.write(line.endsWith('\n') ? line : line + '\n'));
    this.rescan();
  }

  /** Re-reads the functions folder (new folders, changed config.json). */
  rescan(): void {
    let manifest: Map<string, ManifestFunction> | undefined;
    if (this.opts.manifest) manifest = readManifest(this.opts.manifest, { ...process.env, ...(this.opts.functionEnv ?? {}) });
    this.functions = discoverFunctions(this.opts.functionsDir, manifest);
  }

  list(): FunctionInfo[] {
    return [...this.functions.values()];
  }

  get(name: string): FunctionInfo | undefined {
    return this.functions.get(name);
  }

  /** The call currently running on an instance, so a backend request can be tied to it. */
  callOnInstance(instanceId: string): { fn: string; requestId: string; caller: Caller } | undefined {
    const cur = this.byInstance.get(instanceId)?.current;
    return cur ? { fn: cur.fn, requestId: cur.requestId, caller: { ...cur.caller } } : undefined;
  }

  /** Counts one backend request against the call in flight on that instance. */
  recordAdminRequest(instanceId: string, action: unknown): boolean {
    const cur = this.byInstance.get(instanceId)?.current;
    if (!cur || typeof action !== 'string') return false;
    countAction(cur.ops, action);
    return true;
  }

  /**
   * Counts one database operation of the call on that instance and says what a test fault wants
   * done with it (nothing when the call carries no fault).
   */
  faultFor(instanceId: string, action: unknown, inTransaction = false): FaultEffect | undefined {
    const cur = this.byInstance.get(instanceId)?.current;
    if (!cur || typeof action !== 'string' || !action.startsWith('database.')) return undefined;
    cur.dbOps++;
    const isWrite = landsWrite(action, inTransaction);
    if (isWrite) cur.landedWrites++;
    return faultEffect(cur.fault, { op: cur.dbOps, write: cur.landedWrites }, isWrite);
  }

  /** Kills the call in flight on that instance as its timeout would (test faults). */
  expire(instanceId: string): void {
    this.byInstance.get(instanceId)?.current?.expire?.();
  }

  async invoke(
    name: string,
    event: unknown,
    caller: Caller = {},
    via = 'direct',
    opts: { fault?: Fault } = {},
  ): Promise<InvokeResult> {
    if (this.closed) throw new HostError('INTERNAL', 'emulator is shutting down', '');
    const requestId = crypto.randomUUID();
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new HostError('FUNCTION_NOT_FOUND', `function not found: ${name}`, requestId);
    }
    let info = this.functions.get(name);
    if (!info) {
      this.rescan();
      info = this.functions.get(name);
    }
    if (!info) throw new HostError('FUNCTION_NOT_FOUND', `function not found: ${name}`, requestId);

    const inst = await this.acquire(info);
    try {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([
        inst.ready,
        new Promise((_, reject) => {
          t = setTimeout(() => reject(new Error('init timeout')), INIT_TIMEOUT_MS);
        }),
      ]).finally(() => clearTimeout(t));
    } catch {
      inst.retired = true;
      this.release(inst);
      throw new HostError('INTERNAL', `function ${name} failed to start`, requestId);
    }
    const flight: InFlight = { requestId, fn: name, caller, ops: emptyOps(), fault: opts.fault, dbOps: 0, landedWrites: 0 };
    inst.current = flight;
    const started = Date.now();
    const timeoutMs = info.config.timeout * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      memory_limit_in_mb: info.config.memorySize,
      time_limit_in_ms: timeoutMs,
      request_id: requestId,
      function_name: name,
      function_version: '$LATEST',
      namespace: this.env,
      environ: '',
      environment: JSON.stringify({ TCB_ENV: this.env, SCF_NAMESPACE: this.env }),
    };

    let msg: any;
    try {
      msg = await new Promise<any>((resolve, reject) => {
        const expire = () => {
          clearTimeout(timer);
          flight.expire = undefined;
          inst.settle = undefined;
          this.kill(inst);
          reject(
            new HostError('DEADLINE_EXCEEDED', `Invoking task timed out after ${info!.config.timeout} seconds`, requestId),
          );
        };
        const timer = setTimeout(expire, timeoutMs);
        flight.expire = expire;
        inst.settle = (m) => {
          clearTimeout(timer);
          flight.expire = undefined;
          inst.settle = undefined;
          if (m.type === 'crash') reject(new HostError('INTERNAL', 'function instance crashed', requestId));
          else resolve(m);
        };
        try {
          inst.worker.postMessage({ type: 'call', id: requestId, event, context, caller });
        } catch {
          // An event that cannot be cloned (e.g. nested too deep) never reached the instance: stop
          // its timer too, or the timeout would later kill a healthy instance.
          clearTimeout(timer);
          flight.expire = undefined;
          inst.settle = undefined;
          reject(new HostError('INTERNAL', 'the event could not be passed to the function', requestId));
        }
      });
    } catch (e) {
      const he = e as HostError;
      const ms = Date.now() - started;
      this.finish(inst, flight, ms, he.code === 'DEADLINE_EXCEEDED' ? 'timeout' : 'error', via, he.code);
      throw new HostError(he.code, he.message, requestId, flight.ops);
    }
    const ms = Date.now() - started;
    if (!msg.ok) {
      const err = msg.error ?? {};
      this.log(`[${name}] ${requestId} ${msg.phase === 'load' ? 'failed to load' : 'threw'}: ${err.stack || err.message}`);
      this.finish(inst, flight, ms, 'error', via, 'INTERNAL');
      throw new HostError('INTERNAL', String(err.message ?? 'function failed'), requestId, flight.ops);
    }
    this.finish(inst, flight, ms, 'ok', via);
    return { result: JSON.parse(msg.json), requestId, ops: flight.ops, ms };
  }

  stats(): HostStats {
    const functions: Record<string, FunctionStats> = {};
    for (const [k, v] of this.stat) functions[k] = JSON.parse(JSON.stringify(v));
    return { functions, recent: this.recent.slice() };
  }

  resetStats(): void {
    this.stat.clear();
    this.recent = [];
  }

  /** Warm instances per function, for tests and /api/stats. */
  instanceCount(name?: string): number {
    if (name) return this.pools.get(name)?.instances.length ?? 0;
    let n = 0;
    for (const p of this.pools.values()) n += p.instances.length;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.byInstance.values()];
    for (const pool of this.pools.values()) {
      for (const w of pool.waiters.splice(0)) w.reject(new HostError('INTERNAL', 'emulator is shutting down', ''));
    }
    await Promise.all(all.map((inst) => this.kill(inst)));
  }

  private finish(inst: Instance, flight: InFlight, ms: number, outcome: CallRecord['outcome'], via: string, errorCode?: string) {
    inst.current = undefined;
    let s = this.stat.get(flight.fn);
    if (!s) {
      s = { calls: 0, errors: 0, timeouts: 0, totalMs: 0, ops: emptyOps() };
      this.stat.set(flight.fn, s);
    }
    s.calls++;
    s.totalMs += ms;
    if (outcome === 'error') s.errors++;
    if (outcome === 'timeout') s.timeouts++;
    addOps(s.ops, flight.ops);
    this.recent.push({
      requestId: flight.requestId,
      fn: flight.fn,
      at: new Date(Date.now() - ms).toISOString(),
      ms,
      outcome,
      errorCode,
      ops: flight.ops,
      via,
    });
    const limit = this.opts.recentLimit ?? 200;
    if (this.recent.length > limit) this.recent.splice(0, this.recent.length - limit);
    this.release(inst);
  }

  private pool(name: string): Pool {
    let p = this.pools.get(name);
    if (!p) {
      p = { instances: [], waiters: [] };
      this.pools.set(name, p);
    }
    return p;
  }

  private entryMtime(info: FunctionInfo): number {
    try {
      return fs.statSync(info.entry).mtimeMs;
    } catch {
      return 0;
    }
  }

  private acquire(info: FunctionInfo): Promise<Instance> {
    const pool = this.pool(info.name);
    const mtime = this.entryMtime(info);
    // A rebuilt index.js retires the instances that loaded the old code.
    for (const inst of pool.instances) {
      if (inst.entryMtime !== mtime && !inst.retired) {
        inst.retired = true;
        if (!inst.busy) void this.kill(inst);
      }
    }
    const free = pool.instances.find((i) => !i.busy && !i.retired);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (pool.instances.filter((i) => !i.retired).length < this.poolSize) {
      const inst = this.spawn(info, mtime);
      inst.busy = true;
      return Promise.resolve(inst);
    }
    return new Promise((resolve, reject) => pool.waiters.push({ resolve, reject }));
  }

  private release(inst: Instance): void {
    inst.busy = false;
    const pool = this.pool(inst.fn);
    if (inst.retired || !pool.instances.includes(inst)) {
      void this.kill(inst);
      this.serveWaiter(inst.fn);
      return;
    }
    const next = pool.waiters.shift();
    if (next) {
      inst.busy = true;
      next.resolve(inst);
    }
  }

  /** After an instance died, a queued call gets a fresh one. */
  private serveWaiter(fn: string): void {
    const pool = this.pool(fn);
    if (!pool.waiters.length || this.closed) return;
    const info = this.functions.get(fn);
    if (!info) {
      for (const w of pool.waiters.splice(0)) w.reject(new HostError('FUNCTION_NOT_FOUND', `function not found: ${fn}`, ''));
      return;
    }
    const free = pool.instances.find((i) => !i.busy && !i.retired);
    const live = pool.instances.filter((i) => !i.retired).length;
    if (!free && live >= this.poolSize) return;
    const inst = free ?? this.spawn(info, this.entryMtime(info));
    inst.busy = true;
    pool.waiters.shift()!.resolve(inst);
  }

  private spawn(info: FunctionInfo, entryMtime: number): Instance {
    const id = `${info.name}-${++this.seq}-${crypto.randomBytes(3).toString('hex')}`;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !INHERITED_ENV_BLOCKLIST.test(k)) env[k] = v;
    }
    // SCF puts the function's own folder on NODE_PATH, so `require('x')` finds its node_modules and files
    const nodePath = [info.dir, path.join(info.dir, 'node_modules'), env.NODE_PATH].filter(Boolean).join(path.delimiter);
    // with a manifest a function gets only the variables it declares there
    Object.assign(env, this.opts.manifest ? {} : (this.opts.functionEnv ?? {}), info.config.env, {
      NODE_PATH: nodePath,
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: this.opts.adminUrl(id) }),
      TENCENTCLOUD_SECRETID: this.credentials.secretId,
      TENCENTCLOUD_SECRETKEY: this.credentials.secretKey,
      TENCENTCLOUD: 'true',
      TCB_ENV: this.env,
      SCF_NAMESPACE: this.env,
      SCF_FUNCTIONNAME: info.name,
      WX_CONTEXT_KEYS: '',
    });
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env,
      // A clean Node: no tsx/jest loaders inherited from the emulator process.
      execArgv: [],
      workerData: { entry: info.entry, fnName: info.name },
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    ready.catch(() => undefined);
    const inst: Instance = { id, fn: info.name, worker, entryMtime, busy: false, retired: false, ready };
    worker.on('message', (m: any) => {
      if (m && m.type === 'ready') readyResolve();
      if (m && m.type === 'done' && inst.settle && inst.current && m.id === inst.current.requestId) inst.settle(m);
    });
    worker.on('error', (e) => {
      this.log(`[${info.name}] instance ${id} crashed: ${e?.stack ?? e}`);
    });
    worker.on('exit', () => {
      readyReject(new Error('instance exited'));
      this.forget(inst);
      if (inst.settle) inst.settle({ type: 'crash' });
    });
    worker.unref();
    this.pool(info.name).instances.push(inst);
    this.byInstance.set(id, inst);
    return inst;
  }

  private forget(inst: Instance): void {
    const pool = this.pool(inst.fn);
    const i = pool.instances.indexOf(inst);
    if (i >= 0) pool.instances.splice(i, 1);
    this.byInstance.delete(inst.id);
    inst.retired = true;
  }

  private async kill(inst: Instance): Promise<void> {
    this.forget(inst);
    try {
      await inst.worker.terminate();
    } catch {
      /* already gone */
    }
    if (!inst.busy) this.serveWaiter(inst.fn);
  }
}

export function createFunctionHost(opts: FunctionHostOptions): FunctionHost {
  return new FunctionHost(opts);
}
