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
}

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
}

export interface CloudBackend {
  handleAdmin(body: any, meta: AdminMeta): Promise<AdminResponse>;
  /** Reads, parses and answers a whole /admin request; env comes from the query string. */
  handleAdminHttp(req: http.IncomingMessage, res: http.ServerResponse, caller?: Record<string, string>): Promise<void>;
  /** Serves upload/download URLs (paths under /storage/); false if the request is not ours. */
  handleStorageHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  outbox: { list(): OutboxMessage[]; clear(): void };
  store: Store;
  close(): void;
}

const OUTBOX_TABLE = '_emu_outbox';

export function createCloudBackend(opts: CloudBackendOptions): CloudBackend {
  const now = opts.now ?? Date.now;
  const store = new Store({ dataDir: opts.dataDir, strict: opts.strict, durability: opts.durability, schema: opts.schema });
  const db = new DatabaseActions(store, now);
  const storage = new StorageActions(opts.dataDir, opts.publicUrl, now);
  store.db.exec(`CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, msg TEXT NOT NULL)`);
  const insertOutbox = store.db.prepare(`INSERT INTO ${OUTBOX_TABLE} (at, msg) VALUES (?, ?)`);

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
        insertOutbox.run(now(), JSON.stringify(msg));
        answer = { errcode: 0, errmsg: 'ok', msgid: Date.now() };
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
        case 'database.insertDocument': json = db.insertDocument(body); break;
        case 'database.modifyDocument': json = db.modifyDocument(body); break;
        case 'database.removeDocument': json = db.removeDocument(body); break;
        case 'database.calculateDocument': json = db.calculateDocument(body); break;
        case 'database.aggregateDocuments': json = db.aggregateDocuments(body); break;
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
    handleAdmin,
    handleAdminHttp,
    handleStorageHttp: (req, res) => storage.handleHttp(req, res),
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
