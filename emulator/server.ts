import crypto from 'crypto';
import fs from 'fs';
import http from 'http';
import net, { type AddressInfo } from 'net';
import path from 'path';
import { createCloudBackend, parseAdminBody as parseMultipartAdminBody, UnknownTemplateError, type SubscribeGrants, type SubscribeTemplates } from './admin';
import { verifySignature, type Credentials } from './admin/signature';
import { readDatabaseFile, schemaFromFile, type DatabaseFile, type Schema } from './db/schema';
import { renderDevPage, renderNoH5Page, type DevUser } from './dev-page';
import { FaultBoard, FunctionHost, HostError, formatFault, parseFault, type Caller, type Fault, type HostStats, type OpCounts } from './host';
import { ensureLocalSecrets } from './secrets';
import { handleUploadUrl } from './gateway-upload';
import { TriggerScheduler, type ScheduledTrigger } from './triggers';

/** The slice of the data plane (emulator/admin) the server relies on. */
export interface CloudBackend {
  handleAdmin(
    body: any,
    meta: { env?: string; contentType?: string; caller?: Record<string, string> },
  ): Promise<{ status: number; json?: any; body?: Buffer; contentType?: string }>;
  handleStorageHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** stores a file without an upload (the seed's files); absent in a test backend: the seed gets no storage */
  putFile?(env: string, cloudPath: string, bytes: Buffer): string;
  outbox: { list(): unknown[] | Promise<unknown[]>; clear(): void | Promise<void> };
  /** one-time subscribe grants (absent in a test backend: the dev grant endpoint answers 404) */
  grants?: SubscribeGrants;
  store: any;
  close(): void | Promise<void>;
}

export interface CreateBackendOptions {
  dataDir: string;
  /** collections and indexes to create (from EmulatorOptions.database) */
  schema?: Schema;
  strict?: boolean;
  durability?: 'normal' | 'full';
  publicUrl: () => string;
  invokeFunction?: (name: string, event: unknown, caller: Record<string, string>) => Promise<unknown>;
  subscribeTemplates?: SubscribeTemplates;
  /** the data plane's warnings (an unindexed query on a large collection) */
  log?: (line: string) => void;
}

/**
 * A project's demo data, handed in by its start script: the emulator calls `seed` on an empty store
 * when asked to (`seed` option, `--seed <name>`), and the dev sign-in page lists `users`.
 */
/** Cloud storage for the seed: `put` stores bytes at a cloud path and returns the file id (cloud://…). */
export interface SeedFiles {
  put(cloudPath: string, bytes: Buffer): string;
}

export interface Seeder {
  /**
   * Fills the empty store with the data set `name` (whatever the project calls its sizes); returns a
   * line for the log. `grants` records subscribe grants the demo's people gave, through the same
   * path as the dev client's wx.requestSubscribeMessage.
   */
  seed(store: any, name: string, grants?: SubscribeGrants, files?: SeedFiles): Promise<string | void> | string | void;
  /** People the dev sign-in page offers, in the order shown. */
  users?(store: any): DevUser[] | Promise<DevUser[]>;
  /** Lines the dev sign-in page shows above the fresh-identity button (e.g. an invite code to try). */
  tips?(store: any): string[] | Promise<string[]>;
}

/** An HTTP error the gateway answers instead of `200 { result }` (see EmulatorOptions.gatewayError). */
export interface GatewayError {
  status: number;
  error: { code: string; message: string; details?: unknown };
}

export interface EmulatorOptions {
  functionsDir: string;
  dataDir: string;
  /** 0 = any free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  strict?: boolean;
  /**
   * The project's collections and indexes: the path of its declarative database file (db/schema.ts:
   * the CloudBase Framework database plugin's form, as set up in the console) or that file parsed.
   * Without it no collection exists up front and no index is enforced.
   */
  database?: string | DatabaseFile;
  /**
   * Dev mode, for the local demo (npm start) and tests: the dev sign-in (/dev, /api/dev/signin and
   * its session cookie), /api/dev/triggers, /api/outbox, /api/stats and GET /api/functions. Anyone
   * who reaches them can act as any user, so dev mode listens on a loopback address only and
   * answers only requests addressed to one (Host header). Off by default.
   */
  dev?: boolean;
  /**
   * accept the x-wx-openid header as the caller's identity (tests only); also enables test fault
   * injection: the `x-fault` header and /api/dev/faults. Implies dev mode.
   */
  testIdentityHeader?: boolean;
  /**
   * Names of function secrets to generate: a random value each, kept per data folder in
   * `<dataDir>/secrets.json`, handed to every function instance as an environment variable.
   */
  secrets?: readonly string[];
  /**
   * The deploy manifest (cloudbaserc.json, @cloudbase/cli 2.x): each function's timeout (default 3 s),
   * memorySize and envVariables (`{{env.X}}` filled from the process environment and `secrets`).
   */
  manifest?: string;
  /** H5 build to serve; default dist-h5 in the working directory */
  h5Dir?: string;
  /** the data set to seed into an empty store, by the seeder's name for it ('none' or absent: nothing) */
  seed?: string;
  /** the project's demo data (required when `seed` names a data set) */
  seeder?: Seeder;
  /** wipe the store before seeding */
  reseed?: boolean;
  /**
   * How the gateway answers a function's result. CloudBase's callFunction hands any result back as
   * it is, and so does the gateway by default (`200 { result, requestId }`). A project whose
   * functions answer errors as values may map them here to an HTTP error (`status { error, requestId }`)
   * for its web client and tests; `undefined` keeps the default.
   */
  gatewayError?: (result: unknown) => GatewayError | undefined;
  /** the app's name on the dev sign-in page */
  appName?: string;
  /** max warm instances per function */
  pool?: number;
  /** run timer triggers on their schedule (default true) */
  triggers?: boolean;
  /** CloudBase env id the functions see (default local-env) */
  env?: string;
  durability?: 'normal' | 'full';
  /** AppID functions see in getWXContext() */
  appId?: string;
  /**
   * The mini-program's subscribe-message templates by id, with their keywords (the console's 我的模板).
   * subscribeMessage.send refuses any other id (40037); absent, every send is refused.
   */
  subscribeTemplates?: SubscribeTemplates;
  log?: (line: string) => void;
  /** for tests: a backend factory instead of emulator/admin */
  createBackend?: (opts: CreateBackendOptions) => CloudBackend;
}

export interface Emulator {
  url: string;
  port: number;
  /** whether dev mode (and its endpoints) is on */
  dev: boolean;
  /** what the function instances sign /admin requests with; /admin refuses anything else */
  credentials: Credentials;
  /** the function secrets of this data folder, by name (see EmulatorOptions.secrets) */
  secrets: Record<string, string>;
  backend: CloudBackend;
  host: FunctionHost;
  triggers: TriggerScheduler;
  scheduled: ScheduledTrigger[];
  stats: () => HostStats;
  fireTrigger: (fn: string, trigger: string) => ReturnType<TriggerScheduler['fire']>;
  close: () => Promise<void>;
}

export const FUNCTION_PAYLOAD_LIMIT = 100 * 1024;
const ADMIN_BODY_LIMIT = 64 * 1024 * 1024;
const SESSION_COOKIE = 'emu_session';
export const DEFAULT_APPID = 'wx-local-appid';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.mp4': 'video/mp4',
  '.mp3': 'audio/mpeg',
  '.wasm': 'application/wasm',
};

async function storeIsEmpty(store: any): Promise<boolean> {
  for (const coll of await store.listCollections()) {
    if ((await store.count(coll, {})) > 0) return false;
  }
  return true;
}

/** Nesting a function event may have (the database's own document limit is 100 levels). */
const MAX_EVENT_DEPTH = 100;

/** Whether a parsed JSON value nests deeper than `max`, measured without recursion. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) return true;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** Whether an address (or host name) is this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** The host name of a Host header, without the port. */
function hostNameOf(header: string | undefined): string {
  const h = (header ?? '').trim();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0];
}

export function devHostRefusal(host: string): string {
  return (
    `开发模式（演示登录 /dev、测试身份头 x-wx-openid）只能监听本机地址（127.0.0.1、::1、localhost），` +
    `不能监听 ${host}：能连上这个地址的任何人都可以冒充任意用户。请去掉 --host，或不用开发模式启动。`
  );
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the body; past `limit` it keeps draining (so the client sees our answer) but keeps nothing. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        if (size > limit * 20 + 10 * 1024 * 1024) req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) reject(new HttpError(413, 'RESOURCE_EXHAUSTED', `请求内容超过 ${limit} 字节`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  sendJson(res, status, { error: { code, message }, ...extra });
}

function noRoute(method: string | undefined, pathname: string): string {
  return `没有这个接口：${String(method).slice(0, 16)} ${pathname.slice(0, 200)}`;
}

/** How the gateway answers a host failure: the status, and a message for the person holding the phone. */
function hostErrorReply(e: HostError, fn: string, timeoutS: number | undefined): { status: number; message: string } {
  if (e.code === 'FUNCTION_NOT_FOUND') return { status: 404, message: `找不到云函数 ${fn.slice(0, 64)}` };
  if (e.code === 'DEADLINE_EXCEEDED') {
    return { status: 504, message: `服务响应超时${timeoutS ? `（云函数运行超过 ${timeoutS} 秒）` : ''}，请稍后重试` };
  }
  // the cause (the function's own error, a crash) is in the emulator's log, not in the answer
  return { status: 500, message: '服务暂时出了点问题，请稍后重试' };
}

function parseJson(buf: Buffer, allowEmpty: boolean): any {
  const text = buf.toString('utf8');
  if (!text.trim()) {
    if (allowEmpty) return {};
    throw new HttpError(400, 'INVALID_ARGUMENT', '请求内容为空');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'INVALID_ARGUMENT', '请求内容不是有效的 JSON');
  }
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

function parseAdminBody(raw: Buffer, contentType: string | undefined): any {
  if (/multipart\/form-data/i.test(contentType ?? '')) return parseMultipartAdminBody(raw, contentType);
  const text = raw.toString('utf8');
  return text.trim() ? JSON.parse(text) : {};
}

const IDENTITY = ['OPENID', 'APPID', 'UNIONID', 'SOURCE'] as const;

function toWxKeys(c: Caller): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of IDENTITY) if (c[k] !== undefined) out[`WX_${k}`] = String(c[k]);
  return out;
}

function fromWxKeys(r: Record<string, string>): Caller {
  const out: Caller = {};
  for (const k of IDENTITY) {
    const v = r[`WX_${k}`] ?? r[k];
    if (v !== undefined) out[k] = String(v);
  }
  return out;
}

/**
 * getWXContext()'s CLIENTIP (IPv4) and CLIENTIPV6 for a call from the app: the address the gateway
 * sees on the socket (never a forwarded-for header, which the caller writes). Each address fills only
 * its own key: whether CloudBase also fills the other one is not documented, so none is invented.
 */
export function clientAddress(remote: string | undefined): Pick<Caller, 'CLIENTIP' | 'CLIENTIPV6'> {
  if (!remote) return {};
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remote);
  const v4 = mapped ? mapped[1] : net.isIPv4(remote) ? remote : undefined;
  if (v4) return { CLIENTIP: v4 };
  return net.isIPv6(remote) ? { CLIENTIPV6: remote } : {};
}

const OPENID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function sessionSecret(dataDir: string): Buffer {
  // Kept on disk so a restart of the emulator does not sign everyone out.
  const file = path.join(dataDir, '.session-secret');
  try {
    const s = fs.readFileSync(file);
    if (s.length >= 32) return s;
  } catch {
    /* first start */
  }
  const s = crypto.randomBytes(32);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, s, { mode: 0o600 });
  } catch {
    /* read-only data dir: sessions last until restart */
  }
  return s;
}

function freshOpenid(): string {
  // Same shape as a real mini-program openid: 28 chars starting with "o".
  return 'o' + crypto.randomBytes(21).toString('base64url').slice(0, 27);
}

export async function startEmulator(opts: EmulatorOptions): Promise<Emulator> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line.endsWith('\n') ? line : line + '\n'));
  const listenHost = opts.host ?? '127.0.0.1';
  const dev = !!(opts.dev || opts.testIdentityHeader);
  if (dev && !isLoopbackHost(listenHost)) throw new Error(devHostRefusal(listenHost));
  const seeding = opts.seed !== undefined && opts.seed !== 'none';
  if (seeding && !opts.seeder) throw new Error(`--seed ${opts.seed}: no seeder was handed to the emulator (the project's start script passes one)`);
  const schema =
    opts.database === undefined ? undefined : typeof opts.database === 'string' ? readDatabaseFile(opts.database) : schemaFromFile(opts.database);
  const env = opts.env ?? 'local-env';
  const appId = opts.appId ?? DEFAULT_APPID;
  const h5Dir = path.resolve(opts.h5Dir ?? 'dist-h5');
  const functionsDir = path.resolve(opts.functionsDir);
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = sessionSecret(dataDir);
  const functionSecrets = ensureLocalSecrets(dataDir, opts.secrets ?? []);
  let port = 0;
  const loopback = () => {
    const h = listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost;
    return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
  };

  const host = new FunctionHost({
    functionsDir,
    adminUrl: (id) => `${loopback()}/admin/i/${id}`,
    env,
    pool: opts.pool,
    log,
    functionEnv: functionSecrets,
    manifest: opts.manifest,
  });

  // cloud.callFunction inside a function: the data plane hands back the identity of the calling
  // instance (WX_* keys, as we passed it), so the called function sees the same user; its SOURCE
  // gains ",scf" as on CloudBase (wx_client → wx_client,scf).
  const invokeFromFunction = async (name: string, event: unknown, caller: Record<string, string> = {}) => {
    const inner = fromWxKeys(caller);
    inner.SOURCE = inner.SOURCE ? `${inner.SOURCE},scf` : 'scf';
    const r = await host.invoke(name, event, inner, 'function');
    return r.result;
  };

  const backend = (opts.createBackend ?? createCloudBackend)({
    dataDir,
    schema,
    strict: opts.strict,
    durability: opts.durability,
    publicUrl: loopback,
    invokeFunction: invokeFromFunction,
    subscribeTemplates: opts.subscribeTemplates,
    log,
  });

  try {
    if (opts.reseed) await backend.store.clear();
    if (seeding && opts.seeder && (await storeIsEmpty(backend.store))) {
      const put = backend.putFile?.bind(backend);
      const files: SeedFiles | undefined = put ? { put: (cloudPath, bytes) => put(env, cloudPath, bytes) } : undefined;
      const summary = await opts.seeder.seed(backend.store, opts.seed!, backend.grants, files);
      log(`[seed] ${opts.seed}${summary ? `: ${summary}` : ''}`);
    }
  } catch (e) {
    await host.close();
    await backend.close();
    throw e;
  }

  const triggers = new TriggerScheduler(host, log);
  const faults = new FaultBoard();

  /** The test fault for one gateway call: the x-fault header, else one armed through /api/dev/faults. */
  const faultOf = (req: http.IncomingMessage, fn: string, event: any): Fault | undefined => {
    if (!opts.testIdentityHeader) return undefined;
    const h = req.headers['x-fault'];
    if (typeof h === 'string' && h) {
      try {
        return parseFault(h);
      } catch (e) {
        throw new HttpError(400, 'INVALID_ARGUMENT', `x-fault 格式不对：${(e as Error).message}`);
      }
    }
    return faults.take(fn, event?.action);
  };

  const identityOf = (req: http.IncomingMessage): Caller => {
    let openid = '';
    let unionid: string | undefined;
    // the dev sign-in's cookie is an identity only in dev mode
    const cookie = dev ? parseCookies(req.headers.cookie)[SESSION_COOKIE] : undefined;
    if (cookie) {
      const dot = cookie.lastIndexOf('.');
      const id = cookie.slice(0, dot);
      const mac = cookie.slice(dot + 1);
      const want = crypto.createHmac('sha256', secret).update(id).digest('base64url');
      if (dot > 0 && mac.length === want.length && crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(want))) {
        openid = id;
      }
    }
    if (opts.testIdentityHeader) {
      const h = req.headers['x-wx-openid'];
      if (typeof h === 'string' && h) openid = h;
      const u = req.headers['x-wx-unionid'];
      if (typeof u === 'string' && u) unionid = u;
    }
    const caller: Caller = { OPENID: openid, APPID: appId, SOURCE: 'wx_client', ...clientAddress(req.socket.remoteAddress) };
    if (unionid) caller.UNIONID = unionid;
    return caller;
  };

  const sessionCookie = (openid: string, maxAge: number) => {
    const mac = crypto.createHmac('sha256', secret).update(openid).digest('base64url');
    return `${SESSION_COOKIE}=${encodeURIComponent(`${openid}.${mac}`)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}`;
  };

  async function handleFunction(req: http.IncomingMessage, res: http.ServerResponse, name: string) {
    // The app shows these messages to the person holding the phone, so they are Chinese.
    let event: any;
    try {
      event = parseJson(await readBody(req, FUNCTION_PAYLOAD_LIMIT), true);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      throw new HttpError(e.status, e.code, e.status === 413 ? '提交的内容超过 100 KB，请删减后重试' : '请求格式不对，请更新小程序后重试');
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new HttpError(400, 'INVALID_ARGUMENT', '请求格式不对，请更新小程序后重试');
    }
    // Deeper than any real request; structured-cloning it into the worker would overflow the stack.
    if (nestedDeeperThan(event, MAX_EVENT_DEPTH)) {
      throw new HttpError(400, 'INVALID_ARGUMENT', '请求内容层级过深');
    }
    const caller = identityOf(req);
    const fault = faultOf(req, name, event);
    // Like callFunction from a mini-program: CloudBase adds userInfo to the event.
    const fullEvent = caller.OPENID ? { ...event, userInfo: { appId: caller.APPID, openId: caller.OPENID } } : event;
    // The cost of the call travels in headers so the body stays exactly CloudBase's shape; a call that
    // failed, timed out or crashed still spent its database requests, so its answer carries them too.
    const costHeaders = (requestId: string, ops: OpCounts, ms?: number) => {
      const { reads, writes, transactions, total } = ops;
      const h: Record<string, string> = { 'x-request-id': requestId, 'x-db-ops': JSON.stringify({ reads, writes, transactions, total }) };
      if (ms !== undefined) h['x-duration-ms'] = String(Math.round(ms * 10) / 10);
      return h;
    };
    try {
      const r = await host.invoke(name, fullEvent, caller, 'http', { fault });
      const headers = costHeaders(r.requestId, r.ops, r.ms);
      const failed = opts.gatewayError?.(r.result);
      if (failed) {
        sendJson(res, failed.status, { error: failed.error, requestId: r.requestId }, headers);
        return;
      }
      sendJson(res, 200, { result: r.result, requestId: r.requestId }, headers);
    } catch (e) {
      if (e instanceof HostError) {
        const { status, message } = hostErrorReply(e, name, host.get(name)?.config.timeout);
        sendJson(res, status, { error: { code: e.code, message }, requestId: e.requestId }, costHeaders(e.requestId, e.ops));
        return;
      }
      throw e;
    }
  }

  /** Transactions each instance has open (for the fault harness). */
  const openTx = new Map<string, Set<string>>();
  function trackTransaction(instanceId: string, body: any, answer: any) {
    if (body.action === 'database.startTransaction' && typeof answer?.transactionId === 'string') {
      const set = openTx.get(instanceId) ?? new Set<string>();
      set.add(answer.transactionId);
      openTx.set(instanceId, set);
    } else if (/^database\.(commit|abort|rollback)Transaction$/.test(String(body.action))) {
      openTx.get(instanceId)?.delete(String(body.transactionId));
    }
  }

  async function handleAdminHttp(req: http.IncomingMessage, res: http.ServerResponse, url: URL, instanceId?: string) {
    const raw = await readBody(req, ADMIN_BODY_LIMIT);
    const contentType = req.headers['content-type'];
    let body: any;
    try {
      body = parseAdminBody(raw, contentType);
    } catch {
      body = raw; // the data plane answers malformed bodies in the SDK's own error shape
    }
    // CloudBase checks the TC3 signature of every request before anything else (admin/signature.ts)
    const refused = verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, host.credentials);
    if (refused) {
      log(`[admin] refused ${req.url}: ${refused}`);
      sendJson(res, 200, { code: 'SIGN_PARAM_INVALID', message: `签名校验失败：${refused}`, requestId: crypto.randomUUID() });
      return;
    }
    const call = instanceId ? host.callOnInstance(instanceId) : undefined;
    let effect: ReturnType<FunctionHost['faultFor']>;
    if (instanceId && body && typeof body === 'object' && !Buffer.isBuffer(body)) {
      host.recordAdminRequest(instanceId, body.action);
      effect = host.faultFor(instanceId, body.action, !!body.transactionId);
    }
    if (effect === 'fail') {
      // CloudBase's shape for a request that failed on its side: HTTP 200 with a code, nothing executed.
      sendJson(res, 200, { code: 'DATABASE_REQUEST_FAILED', message: 'database request failed (injected fault)', requestId: crypto.randomUUID() });
      return;
    }
    const r = await backend.handleAdmin(body, {
      env: url.searchParams.get('env') ?? undefined,
      contentType,
      caller: call ? toWxKeys(call.caller) : undefined,
    });
    if (instanceId && body && typeof body === 'object' && !Buffer.isBuffer(body)) trackTransaction(instanceId, body, r.json);
    // The operation took effect; the function dies before it can see the answer.
    if (effect === 'timeout-after') {
      // Test faults only: the dead call's open transactions end now rather than at the end of
      // their lifetime, so the retry a fault test makes at once is not held up by their locks.
      for (const txId of openTx.get(instanceId!) ?? []) {
        await backend.handleAdmin({ action: 'database.abortTransaction', transactionId: txId }, {});
      }
      openTx.delete(instanceId!);
      host.expire(instanceId!);
    }
    if (r.body) {
      // wx.openApi answers protobuf; a JSON content type would make node-sdk try to parse it.
      res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/octet-stream', 'content-length': r.body.length });
      res.end(r.body);
      return;
    }
    sendJson(res, r.status, r.json ?? {});
  }

  async function handleDev(req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
    if (pathname === '/api/dev/signin' && req.method === 'POST') {
      const body = parseJson(await readBody(req, 16 * 1024), true);
      const openid = body.fresh ? freshOpenid() : body.openid;
      if (typeof openid !== 'string' || !OPENID_RE.test(openid)) {
        throw new HttpError(400, 'INVALID_ARGUMENT', 'openid 须为 1–64 位字母、数字、- 或 _');
      }
      sendJson(res, 200, { openid }, { 'set-cookie': sessionCookie(openid, 30 * 24 * 3600) });
      return;
    }
    if (pathname === '/api/dev/signout' && req.method === 'POST') {
      sendJson(res, 200, { ok: true }, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
      return;
    }
    // wx.requestSubscribeMessage for the web build: the signed-in person accepts every template asked
    // for, one grant each, answered in wx's own shape ({ errMsg, [templateId]: 'accept' })
    if (pathname === '/api/dev/subscribe' && req.method === 'POST' && backend.grants) {
      const openid = identityOf(req).OPENID;
      if (!openid) throw new HttpError(401, 'UNAUTHENTICATED', '请先登录');
      const body = parseJson(await readBody(req, 16 * 1024), false);
      const ids: unknown = body.tmplIds;
      // wx.requestSubscribeMessage takes 1–3 template ids of one kind per prompt
      if (!Array.isArray(ids) || !ids.length || ids.length > 3 || !ids.every((i) => typeof i === 'string' && i)) {
        throw new HttpError(400, 'INVALID_ARGUMENT', 'tmplIds 须为 1–3 个模板 id');
      }
      try {
        backend.grants.accept(openid, ids as string[]);
      } catch (e) {
        if (!(e instanceof UnknownTemplateError)) throw e;
        return sendJson(res, 400, { errMsg: `requestSubscribeMessage:fail ${e.message}`, errCode: e.errCode });
      }
      sendJson(res, 200, { errMsg: 'requestSubscribeMessage:ok', ...Object.fromEntries((ids as string[]).map((i) => [i, 'accept'])) });
      return;
    }
    if (pathname === '/api/dev/whoami' && req.method === 'GET') {
      const c = identityOf(req);
      sendJson(res, 200, { openid: c.OPENID || null, appId: c.APPID, env });
      return;
    }
    if (pathname === '/api/dev/faults' && opts.testIdentityHeader) {
      if (req.method === 'GET') {
        sendJson(res, 200, { faults: faults.list().map((a) => ({ ...a, fault: formatFault(a.fault) })) });
        return;
      }
      if (req.method === 'DELETE') {
        faults.clear();
        sendJson(res, 200, { ok: true });
        return;
      }
      if (req.method === 'POST') {
        const body = parseJson(await readBody(req, 16 * 1024), false);
        if (typeof body.fn !== 'string' || !body.fn || (body.action !== undefined && typeof body.action !== 'string')) {
          throw new HttpError(400, 'INVALID_ARGUMENT', '须指定云函数 fn（字符串）；action 须为字符串');
        }
        let fault: Fault;
        try {
          fault = parseFault(String(body.fault ?? ''));
        } catch (e) {
          throw new HttpError(400, 'INVALID_ARGUMENT', `fault 格式不对：${(e as Error).message}`);
        }
        const times = body.times === undefined ? 1 : Number(body.times);
        if (!Number.isInteger(times) || times < 1 || times > 1000) throw new HttpError(400, 'INVALID_ARGUMENT', 'times 须为 1–1000 的整数');
        faults.arm({ fn: body.fn, action: body.action, fault, remaining: times });
        sendJson(res, 200, { ok: true });
        return;
      }
    }
    const m = /^\/api\/dev\/triggers\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (m && req.method === 'POST') {
      const [fn, trig] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      try {
        const r = await triggers.fire(fn, trig);
        sendJson(res, 200, { result: r.result, requestId: r.requestId, ops: r.ops, ms: r.ms });
      } catch (e) {
        if (e instanceof HostError) {
          const { status, message } = hostErrorReply(e, fn, host.get(fn)?.config.timeout);
          sendJson(res, status, { error: { code: e.code, message }, requestId: e.requestId });
        } else if ((e as { code?: string }).code === 'NOT_FOUND') {
          sendError(res, 404, 'NOT_FOUND', (e as Error).message);
        } else throw e;
      }
      return;
    }
    if (pathname === '/api/dev/triggers' && req.method === 'GET') {
      sendJson(res, 200, {
        triggers: triggers.list().map((t) => ({ fn: t.fn, name: t.trigger.name, config: t.trigger.config, next: t.nextRun() })),
        fired: triggers.fired,
      });
      return;
    }
    sendError(res, 404, 'NOT_FOUND', noRoute(req.method, pathname));
  }

  async function handleDevPage(req: http.IncomingMessage, res: http.ServerResponse) {
    let users: DevUser[] = [];
    let tips: string[] = [];
    let hint: string | undefined;
    try {
      users = (await opts.seeder?.users?.(backend.store)) ?? [];
      tips = (await opts.seeder?.tips?.(backend.store)) ?? [];
    } catch (e) {
      hint = (e as Error).message;
    }
    const html = renderDevPage(users, { current: identityOf(req).OPENID || undefined, seedHint: hint, tips, appName: opts.appName });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  }

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
    if (!fs.existsSync(path.join(h5Dir, 'index.html'))) {
      if (pathname === '/' || pathname === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(renderNoH5Page(path.relative(process.cwd(), h5Dir) || h5Dir, opts.appName));
      } else sendError(res, 404, 'NOT_FOUND', '尚未构建 H5 应用（npm run build:h5）');
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      sendError(res, 400, 'INVALID_ARGUMENT', '路径格式不对');
      return;
    }
    const file = path.resolve(h5Dir, '.' + rel);
    const inside = file === h5Dir || file.startsWith(h5Dir + path.sep);
    let target = inside && fs.existsSync(file) && fs.statSync(file).isFile() ? file : '';
    if (!target) {
      // SPA fallback only for page routes; a missing asset stays a 404.
      if (path.extname(rel) && path.extname(rel) !== '.html') {
        sendError(res, 404, 'NOT_FOUND', `找不到文件：${pathname.slice(0, 200)}`);
        return;
      }
      target = path.join(h5Dir, 'index.html');
    }
    const type = CONTENT_TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
    const stat = fs.statSync(target);
    res.writeHead(200, {
      'content-type': type,
      'content-length': stat.size,
      'cache-control': path.basename(target) === 'index.html' ? 'no-cache' : 'public, max-age=300',
    });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(target).pipe(res);
  }

  function cors(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    // Lets `taro build --type h5 --watch` on another local port call the gateway with the session cookie.
    const origin = req.headers.origin;
    if (origin && /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET,POST,DELETE,OPTIONS',
          'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type',
          'access-control-max-age': '600',
        });
        res.end();
        return true;
      }
    }
    return false;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    // A web page may point its own host name at 127.0.0.1 (DNS rebinding) and reach the dev sign-in
    // from the browser: in dev mode only requests addressed to this machine are served.
    if (dev && !isLoopbackHost(hostNameOf(req.headers.host))) {
      return sendError(res, 403, 'PERMISSION_DENIED', '开发模式只接受发往本机地址（127.0.0.1、localhost）的请求');
    }
    if (p === '/admin' && req.method === 'POST') return handleAdminHttp(req, res, url);
    const adminInst = /^\/admin\/i\/([A-Za-z0-9_-]+)$/.exec(p);
    if (adminInst && req.method === 'POST') return handleAdminHttp(req, res, url, adminInst[1]);
    if (p.startsWith('/storage/')) {
      if (backend.handleStorageHttp(req, res)) return;
      return sendError(res, 404, 'NOT_FOUND', '文件不存在');
    }
    if (cors(req, res)) return;
    if (p === '/api/storage/upload-url') return handleUploadUrl(req, res, { openid: identityOf(req).OPENID ?? '', env, backend });
    const fnMatch = /^\/api\/functions\/([^/]+)$/.exec(p);
    if (fnMatch) {
      if (req.method !== 'POST') return sendError(res, 405, 'INVALID_ARGUMENT', '请用 POST 调用云函数');
      return handleFunction(req, res, decodeURIComponent(fnMatch[1]));
    }
    if (dev) {
      // the local demo's and the tests' own surfaces; none of them exists without dev mode
      if (p === '/api/functions' && req.method === 'GET') {
        host.rescan();
        return sendJson(res, 200, {
          functions: host.list().map((f) => ({ name: f.name, timeout: f.config.timeout, triggers: f.config.triggers })),
        });
      }
      if (p === '/api/outbox') {
        if (req.method === 'GET') return sendJson(res, 200, { messages: await backend.outbox.list() });
        if (req.method === 'DELETE') {
          await backend.outbox.clear();
          return sendJson(res, 200, { ok: true });
        }
      }
      if (p === '/api/stats' && req.method === 'GET') {
        const s = host.stats();
        const limit = Math.max(0, Math.min(1000, Number(url.searchParams.get('limit') ?? 50) || 50));
        return sendJson(res, 200, { functions: s.functions, recent: s.recent.slice(-limit), instances: host.instanceCount() });
      }
      if (p === '/api/stats/reset' && req.method === 'POST') {
        host.resetStats();
        return sendJson(res, 200, { ok: true });
      }
      if (p.startsWith('/api/dev/')) return handleDev(req, res, p);
      if (p === '/dev' || p === '/dev/') return handleDevPage(req, res);
    } else if (p === '/dev' || p === '/dev/') {
      return sendError(res, 404, 'NOT_FOUND', '开发登录页只在开发模式下提供（npm start）');
    }
    if (p.startsWith('/api/')) return sendError(res, 404, 'NOT_FOUND', noRoute(req.method, p));
    if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(req, res, p);
    sendError(res, 405, 'INVALID_ARGUMENT', `不支持 ${String(req.method).slice(0, 16)} 请求`);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((e) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof HttpError) sendError(res, e.status, e.code, e.message);
      else {
        log(`[server] ${req.method} ${req.url}: ${(e as Error)?.stack ?? e}`);
        sendError(res, 500, 'INTERNAL', '服务暂时出了点问题，请稍后重试');
      }
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8787, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  const scheduled = opts.triggers === false ? [] : triggers.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      triggers.stop();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await host.close();
      server.closeAllConnections();
      await stopped;
      await backend.close();
    })();
    return closing;
  };

  return {
    url: loopback(),
    port,
    dev,
    credentials: { ...host.credentials },
    secrets: { ...functionSecrets },
    backend,
    host,
    triggers,
    scheduled,
    stats: () => host.stats(),
    fireTrigger: (fn, trigger) => triggers.fire(fn, trigger),
    close,
  };
}
