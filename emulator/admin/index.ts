/**
 * The /admin dispatcher: answers wx-server-sdk 4.0.2's own wire protocol (every SDK call is a POST
 * to `<TCB_CONTEXT_CNFG.URL>?env=…&seqId=…` with an `action`) from the durable store.
 *
 * How answers are read by the SDK (node-sdk src/utils/tcbapirequester.ts): any HTTP status but 200
 * becomes a generic error, and a 200 body carrying `code` is thrown as `{code, message}`;
 * wx-server-sdk then maps `code` to its numeric errCode. So every error here is HTTP 200 with
 * `{ code, message, requestId }` and never a stack trace.
 */
import crypto from 'crypto';
import type http from 'http';
import { Store } from '../db/store';
import { CloudError } from '../db/errors';
import type { Schema } from '../db/schema';
import { DatabaseActions } from './database';
import { StorageActions } from './storage';
import { decodeCommApiData, encodeCommOpenApiResp, parseAdminBody } from './wire';
import { invalidField } from './subscribe-rules';
import { wxacodeGetUnlimited } from '../openapi/wxacode';

export { TCB_ERR_CODE } from '../db/errors';
export { parseAdminBody } from './wire';

export interface CloudBackendOptions {
  /** Folder for db.sqlite and storage/. */
  dataDir: string;
  /** Unknown collections answer -502005 like production (default: auto-create). */
  strict?: boolean;
  durability?: 'normal' | 'full';
  /** Base URL the SDK's process can reach this server at, e.g. http://127.0.0.1:9000 (for storage links). */
  publicUrl: () => string;
  /** functions.invokeFunction (cloud.callFunction from inside a function). */
  invokeFunction?: (name: string, event: unknown, caller: Record<string, string>) => Promise<unknown>;
  /** Collections and indexes to create (db/schema.ts); default none, so collections appear on first write. */
  schema?: Schema;
  /** Injectable clock (db.serverDate(), outbox timestamps, link expiry). */
  now?: () => number;
  /**
   * The mini-program's subscribe-message templates (the console's 我的模板), by template id, with
   * their keywords. subscribeMessage.send refuses any other id (40037) and data whose keywords are
   * not the template's (47003). Absent: the account has no templates, so every send is refused.
   */
  subscribeTemplates?: SubscribeTemplates;
  /**
   * Where the data plane's warnings go: a filtered query on a collection of more than a few thousand
   * documents with no supporting declared index (db/index-advisor.ts). No warnings without it.
   */
  log?: (line: string) => void;
  /** documents above which an unindexed query warns (default LARGE_COLLECTION_DOCS, 5000) */
  largeCollectionDocs?: number;
}

/** Template id → its keywords (`thing1`, `time2`, …), as the console lists them. */
export type SubscribeTemplates = Record<string, { keywords: readonly string[]; title?: string }>;

export interface AdminMeta {
  /** `env` query parameter of /admin (falls back to body.envName). */
  env?: string;
  /** Content-Type of the request, needed only when `body` is a raw Buffer/string. */
  contentType?: string;
  /** Identity of the function instance making the call (WX_OPENID, WX_APPID, …), if the host knows it. */
  caller?: Record<string, string>;
}

/** Either a JSON answer or, for wx.openApi, a raw protobuf body. */
export interface AdminResponse {
  status: number;
  json?: any;
  body?: Buffer;
  contentType?: string;
}

export interface OutboxMessage {
  id: number;
  /** Epoch ms when the function sent it. */
  at: number;
  appid?: string;
  openid: string;
  templateId: string;
  page?: string;
  data: Record<string, unknown>;
  miniprogramState?: string;
  lang?: string;
  /** e.g. 'subscribeMessage.send' */
  apiName: string;
  /** WeChat's refusal when the message was not sent (e.g. 47003 for a value breaking its keyword's rule) */
  refused?: { errcode: number; errmsg: string };
}

/**
 * One-time subscriptions (一次性订阅): each `accept` a person gives in wx.requestSubscribeMessage
 * lets the mini-program send that person ONE message of that template; WeChat counts them per
 * person and template, and a send with none left answers 43101.
 */
export interface SubscribeGrants {
  /** Records an accepted prompt: one grant of each template for `openid`. Unknown ids throw (20001). */
  accept(openid: string, templateIds: readonly string[]): void;
  /** Grants `openid` has left for `templateId`. */
  count(openid: string, templateId: string): number;
}

export interface CloudBackend {
  grants: SubscribeGrants;
  handleAdmin(body: any, meta: AdminMeta): Promise<AdminResponse>;
  /** Reads, parses and answers a whole /admin request; env comes from the query string. */
  handleAdminHttp(req: http.IncomingMessage, res: http.ServerResponse, caller?: Record<string, string>): Promise<void>;
  /** Serves upload/download URLs (paths under /storage/); false if the request is not ours. */
  handleStorageHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Puts a file in cloud storage without an upload (the seed's demo media); returns its file id. */
  putFile(env: string, cloudPath: string, bytes: Buffer): string;
  outbox: { list(): OutboxMessage[]; clear(): void };
  store: Store;
  close(): void;
}

const OUTBOX_TABLE = '_emu_outbox';
const GRANTS_TABLE = '_emu_subscribe_grants';

/** wx.requestSubscribeMessage's answer for a template id the account does not have. */
export class UnknownTemplateError extends Error {
  readonly errCode = 20001;
  constructor(readonly templateId: string) {
    super(`No template data return, verify the template id exist: ${templateId}`);
  }
}

export function createCloudBackend(opts: CloudBackendOptions): CloudBackend {
  const now = opts.now ?? Date.now;
  const store = new Store({
    dataDir: opts.dataDir,
    strict: opts.strict,
    durability: opts.durability,
    schema: opts.schema,
    onUnindexedQuery: opts.log,
    largeCollectionDocs: opts.largeCollectionDocs,
  });
  const db = new DatabaseActions(store, now);
  const storage = new StorageActions(opts.dataDir, opts.publicUrl, now);
  store.db.exec(`CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, msg TEXT NOT NULL)`);
  const insertOutbox = store.db.prepare(`INSERT INTO ${OUTBOX_TABLE} (at, msg) VALUES (?, ?)`);
  store.db.exec(`CREATE TABLE IF NOT EXISTS ${GRANTS_TABLE} (openid TEXT NOT NULL, template_id TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (openid, template_id))`);
  const addGrant = store.db.prepare(`INSERT INTO ${GRANTS_TABLE} (openid, template_id, n) VALUES (?, ?, 1) ON CONFLICT (openid, template_id) DO UPDATE SET n = n + 1`);
  const grantsLeft = store.db.prepare(`SELECT n FROM ${GRANTS_TABLE} WHERE openid = ? AND template_id = ?`);
  const useGrant = store.db.prepare(`UPDATE ${GRANTS_TABLE} SET n = n - 1 WHERE openid = ? AND template_id = ? AND n > 0`);
  const templates = opts.subscribeTemplates ?? {};

  const grants: SubscribeGrants = {
    accept(openid, templateIds) {
      for (const id of templateIds) if (!Object.prototype.hasOwnProperty.call(templates, id)) throw new UnknownTemplateError(id);
      store.db.transaction(() => {
        for (const id of templateIds) addGrant.run(openid, id);
      })();
    },
    count(openid, templateId) {
      return (grantsLeft.get(openid, templateId) as { n: number } | undefined)?.n ?? 0;
    },
  };

  /** WeChat's answer to one subscribeMessage.send, checked in its order: template, data, grant. */
  function checkSend(openid: string, templateId: string, data: unknown): { errcode: number; errmsg: string } | undefined {
    const template = Object.prototype.hasOwnProperty.call(templates, templateId) ? templates[templateId] : undefined;
    if (!template) return { errcode: 40037, errmsg: 'invalid template_id' };
    const bad = invalidField(data);
    if (bad) return { errcode: 47003, errmsg: `argument invalid! ${bad === 'data' ? 'data' : `data.${bad}.value`} invalid` };
    const given = Object.keys(data as object);
    const missing = template.keywords.find((k) => !given.includes(k));
    if (missing) return { errcode: 47003, errmsg: `argument invalid! data.${missing}.value is empty` };
    // the grant is spent only by a message WeChat accepts
    if (useGrant.run(openid, templateId).changes !== 1) return { errcode: 43101, errmsg: 'user refuse to accept the msg' };
    return undefined;
  }

  const outbox = {
    list(): OutboxMessage[] {
      const rows = store.db.prepare(`SELECT id, at, msg FROM ${OUTBOX_TABLE} ORDER BY id`).all() as { id: number; at: number; msg: string }[];
      return rows.map((r) => ({ ...(JSON.parse(r.msg) as Omit<OutboxMessage, 'id' | 'at'>), id: r.id, at: r.at }));
    },
    clear(): void {
      store.db.exec(`DELETE FROM ${OUTBOX_TABLE}`);
    },
  };

  /** wx.openApi: decode the protobuf request, record subscribe messages, answer a protobuf. */
  function openApi(body: any, meta: AdminMeta): AdminResponse {
    const apiName = String(body.apiName ?? '');
    const raw = body.requestData;
    const buf = Buffer.isBuffer(raw) ? raw : typeof raw === 'string' ? Buffer.from(raw, 'binary') : Buffer.alloc(0);
    const call = decodeCommApiData(buf);
    if (apiName === 'wxacode.getUnlimited') return { status: 200, contentType: 'application/octet-stream', body: encodeCommOpenApiResp(wxacodeGetUnlimited(call.params)) };
    let answer: Record<string, unknown> = { errcode: 0, errmsg: 'ok' };
    if (apiName === 'subscribeMessage.send') {
      const p = call.params;
      if (!p.touser || !p.template_id) {
        answer = { errcode: 47003, errmsg: 'argument invalid! touser and template_id are required' };
      } else {
        const msg: Omit<OutboxMessage, 'id' | 'at'> = {
          appid: call.appid ?? meta.caller?.WX_APPID,
          openid: String(p.touser),
          templateId: String(p.template_id),
          page: p.page === undefined ? undefined : String(p.page),
          data: (p.data as Record<string, unknown>) ?? {},
          miniprogramState: p.miniprogram_state === undefined ? undefined : String(p.miniprogram_state),
          lang: p.lang === undefined ? undefined : String(p.lang),
          apiName,
        };
        const refused = checkSend(msg.openid, msg.templateId, p.data);
        if (refused) {
          answer = refused;
          msg.refused = refused;
        } else answer = { errcode: 0, errmsg: 'ok', msgid: Date.now() };
        // refusals are kept too, so the outbox shows what the platform would have refused
        insertOutbox.run(now(), JSON.stringify(msg));
      }
    }
    // Other open APIs answer a bare success: the product only sends subscribe messages.
    return {
      status: 200,
      contentType: 'application/octet-stream',
      body: encodeCommOpenApiResp({ respData: Buffer.from(JSON.stringify(answer)), contentType: 'application/json' }),
    };
  }

  async function invoke(body: any, meta: AdminMeta): Promise<any> {
    if (!opts.invokeFunction) throw new CloudError('FUNCTIONS_REQUEST_FAIL', 'functions.invokeFunction is not wired in this emulator');
    const name = String(body.function_name ?? '');
    let event: unknown = {};
    if (typeof body.request_data === 'string' && body.request_data) {
      try {
        event = JSON.parse(body.request_data);
      } catch {
        throw new CloudError('INVALID_PARAM', 'request_data is not JSON');
      }
    }
    let result: unknown;
    try {
      result = await opts.invokeFunction(name, event, meta.caller ?? {});
    } catch (e) {
      if (e instanceof CloudError) throw e;
      throw new CloudError('FUNCTIONS_EXECUTE_FAIL', (e as Error)?.message ?? String(e));
    }
    return { data: { response_data: result === undefined ? '' : JSON.stringify(result) } };
  }

  async function handleAdmin(body: any, meta: AdminMeta): Promise<AdminResponse> {
    const requestId = crypto.randomBytes(8).toString('hex');
    try {
      if (Buffer.isBuffer(body) || typeof body === 'string') {
        body = parseAdminBody(Buffer.isBuffer(body) ? body : Buffer.from(body), meta.contentType);
      }
      if (!body || typeof body !== 'object') throw new CloudError('INVALID_PARAM', 'request body must be an object');
      const env = String(meta.env || body.envName || 'local-env');
      const action = String(body.action ?? '');
      let json: any;
      switch (action) {
        case 'database.getDocument': json = db.getDocument(body); break;
        case 'database.insertDocument': json = await db.insertDocument(body); break;
        case 'database.modifyDocument': json = await db.modifyDocument(body); break;
        case 'database.removeDocument': json = await db.removeDocument(body); break;
        case 'database.calculateDocument': json = db.calculateDocument(body); break;
        case 'database.aggregateDocuments': json = db.aggregateDocuments(body); break;
        case 'database.addCollection': store.addCollection(String(body.collectionName ?? '')); json = {}; break;
        case 'database.startTransaction': json = db.startTransaction(); break;
        case 'database.commitTransaction': json = db.commitTransaction(body); break;
        // @cloudbase/database sends abortTransaction; rollbackTransaction is accepted as an alias.
        case 'database.abortTransaction':
        case 'database.rollbackTransaction': json = db.abortTransaction(body); break;
        case 'storage.getUploadMetadata': json = storage.getUploadMetadata(body, env); break;
        case 'storage.batchGetDownloadUrl': json = storage.batchGetDownloadUrl(body); break;
        case 'storage.batchDeleteFile': json = storage.batchDeleteFile(body); break;
        case 'functions.invokeFunction': json = await invoke(body, meta); break;
        case 'wx.openApi': return openApi(body, meta);
        default:
          throw new CloudError('INVALID_PARAM', `action "${action}" is not supported by the local CloudBase emulator`);
      }
      return { status: 200, json: { requestId, ...json } };
    } catch (e) {
      if (e instanceof CloudError) return { status: 200, json: { code: e.code, message: e.message, requestId } };
      if (e instanceof SyntaxError) return { status: 200, json: { code: 'INVALID_PARAM', message: `malformed request: ${e.message}`, requestId } };
      // mingo and SQLite errors (bad operator, bad expression) are the caller's query problem.
      const message = (e as Error)?.message ?? String(e);
      return { status: 200, json: { code: 'DATABASE_REQUEST_FAILED', message, requestId } };
    }
  }

  async function handleAdminHttp(req: http.IncomingMessage, res: http.ServerResponse, caller?: Record<string, string>): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://local');
    const r = await handleAdmin(Buffer.concat(chunks), {
      env: url.searchParams.get('env') ?? undefined,
      contentType: req.headers['content-type'],
      caller,
    });
    writeAdminResponse(res, r);
  }

  return {
    grants,
    handleAdmin,
    handleAdminHttp,
    handleStorageHttp: (req, res) => storage.handleHttp(req, res),
    putFile: (env, cloudPath, bytes) => storage.writeFile(env, cloudPath, bytes),
    outbox,
    store,
    close: () => store.close(),
  };
}

/** Writes an AdminResponse: JSON normally, a raw protobuf body for wx.openApi. */
export function writeAdminResponse(res: http.ServerResponse, r: AdminResponse): void {
  if (r.body) {
    // Must NOT be 'application/json; charset=utf-8': node-sdk would JSON.parse it (handleWxOpenApiData).
    res.writeHead(r.status, { 'content-type': r.contentType ?? 'application/octet-stream', 'content-length': r.body.length });
    res.end(r.body);
    return;
  }
  const text = JSON.stringify(r.json ?? {});
  res.writeHead(r.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
