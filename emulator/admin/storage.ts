/**
 * Cloud storage: files live under `<dataDir>/storage/<env>/<cloudPath>`.
 *
 * Protocol (node-sdk src/storage/index.ts):
 *   storage.getUploadMetadata {path} → { data: { url, token, authorization, fileId, cosFileId, download_url } }
 *     then the SDK PUTs the raw bytes to `url` and parses the reply as XML (an empty body is fine;
 *     an <Error> element would be reported). wx-server-sdk 2.6.x instead POSTs a COS form
 *     (multipart/form-data: key, Signature, x-cos-security-token, …, and the bytes as `file`).
 *   storage.batchGetDownloadUrl {file_list:[{fileid,max_age}]} → { data: { download_list: [{ fileID, tempFileURL, code, maxAge }] } }
 *     downloadFile GETs encodeURI(tempFileURL), so the URL we hand out carries the raw cloud path.
 *   storage.batchDeleteFile {fileid_list} → { data: { delete_list: [{ fileID, code }] } }
 *   Per-file `code` is 'SUCCESS' or a TCB code such as STORAGE_FILE_NONEXIST.
 *
 * Upload URLs carry a one-time token; download URLs an HMAC signature with an expiry, like COS
 * temporary links, so a URL cannot be forged to read arbitrary paths.
 */
import fs from 'fs';
import path from 'path';
import crypto from 'crypto';
import type http from 'http';
import busboy from 'busboy';
import { CloudError } from '../db/errors';

/** The file's bytes: the body of a PUT, or the `file` field of a COS POST form upload. */
function uploadedBytes(body: Buffer, contentType: string | undefined): Promise<Buffer> {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return Promise.resolve(body);
  return new Promise((resolve, reject) => {
    let file: Buffer | null = null;
    // the form's `file` part may come without a filename (node `request` sends a Buffer that way):
    // busboy then hands it over as a field, decoded as latin1 so that every byte survives
    const form = busboy({ headers: { 'content-type': contentType }, defCharset: 'latin1', defParamCharset: 'utf8', limits: { fieldSize: 100 * 1024 * 1024 } });
    form.on('file', (name, stream) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        if (name === 'file') file = Buffer.concat(parts);
      });
    });
    form.on('field', (name, value) => {
      if (name === 'file') file = Buffer.from(value, 'latin1');
    });
    form.on('error', reject);
    form.on('close', () => (file ? resolve(file) : reject(new Error('form upload without a file field'))));
    form.end(body);
  });
}

const BUCKET = 'local-bucket';
const UPLOAD_TTL_MS = 10 * 60_000;

export class StorageActions {
  private readonly root: string;
  private readonly secret = crypto.randomBytes(32);
  private readonly uploads = new Map<string, { env: string; cloudPath: string; expires: number }>();

  constructor(
    dataDir: string,
    private readonly publicUrl: () => string,
    private readonly now: () => number = Date.now,
  ) {
    this.root = path.join(dataDir, 'storage');
    fs.mkdirSync(this.root, { recursive: true });
  }

  fileId(env: string, cloudPath: string): string {
    return `cloud://${env}.${BUCKET}/${cloudPath}`;
  }

  /** cloud://<env>.<bucket>/<path> → { env, cloudPath } */
  parseFileId(fileId: string): { env: string; cloudPath: string } | null {
    const m = /^cloud:\/\/([^/]+?)\.([^./]+)\/(.+)$/.exec(fileId);
    if (!m) return null;
    return { env: m[1], cloudPath: m[3] };
  }

  /** Absolute path of a file, refusing anything that escapes the storage root. */
  private filePath(env: string, cloudPath: string): string {
    const clean = cloudPath.replace(/^\/+/, '');
    const full = path.resolve(this.root, env, clean);
    if (!clean || !full.startsWith(path.resolve(this.root, env) + path.sep) || env.includes('/') || env.includes('..')) {
      throw new CloudError('INVALID_PARAM', `invalid cloud path: ${cloudPath}`);
    }
    return full;
  }

  private sign(env: string, cloudPath: string, expires: number): string {
    return crypto.createHmac('sha256', this.secret).update(`${env}\n${cloudPath}\n${expires}`).digest('hex').slice(0, 32);
  }

  private base(): string {
    return this.publicUrl().replace(/\/+$/, '');
  }

  getUploadMetadata(body: any, env: string): any {
    const cloudPath = String(body.path ?? '').replace(/^\/+/, '');
    this.filePath(env, cloudPath); // validates
    const token = crypto.randomBytes(16).toString('hex');
    this.uploads.set(token, { env, cloudPath, expires: this.now() + UPLOAD_TTL_MS });
    const fileId = this.fileId(env, cloudPath);
    return {
      data: {
        url: `${this.base()}/storage/upload/${token}`,
        token,
        authorization: token,
        fileId,
        // Sent back by the SDK as an HTTP header (x-cos-meta-fileid), so it must stay ASCII.
        cosFileId: token,
        download_url: this.downloadUrl(env, cloudPath, 600),
      },
    };
  }

  private downloadUrl(env: string, cloudPath: string, maxAgeSec: number): string {
    const expires = this.now() + maxAgeSec * 1000;
    // The cloud path stays raw: downloadFile applies encodeURI() itself.
    return `${this.base()}/storage/file/${env}/${cloudPath}?expires=${expires}&sign=${this.sign(env, cloudPath, expires)}`;
  }

  batchGetDownloadUrl(body: any): any {
    const list: { fileid?: string; max_age?: number }[] = Array.isArray(body.file_list) ? body.file_list : [];
    const download_list = list.map((f) => {
      const fileID = String(f.fileid ?? '');
      const maxAge = Number(f.max_age) > 0 ? Number(f.max_age) : 7200;
      const parsed = this.parseFileId(fileID);
      if (!parsed || !this.exists(parsed.env, parsed.cloudPath)) {
        // `message` is what downloadFile's error text shows for a missing file.
        return { fileID, tempFileURL: '', code: 'STORAGE_FILE_NONEXIST', message: 'storage file not exists', maxAge };
      }
      return { fileID, tempFileURL: this.downloadUrl(parsed.env, parsed.cloudPath, maxAge), code: 'SUCCESS', maxAge };
    });
    return { data: { download_list } };
  }

  batchDeleteFile(body: any): any {
    const list: unknown[] = Array.isArray(body.fileid_list) ? body.fileid_list : [];
    const delete_list = list.map((raw) => {
      const fileID = String(raw);
      const parsed = this.parseFileId(fileID);
      if (!parsed || !this.exists(parsed.env, parsed.cloudPath)) return { fileID, code: 'STORAGE_FILE_NONEXIST' };
      fs.rmSync(this.filePath(parsed.env, parsed.cloudPath));
      return { fileID, code: 'SUCCESS' };
    });
    return { data: { delete_list } };
  }

  private exists(env: string, cloudPath: string): boolean {
    try {
      return fs.statSync(this.filePath(env, cloudPath)).isFile();
    } catch {
      return false;
    }
  }

  /** Programmatic write (the seed's demo media): stores the bytes and returns the file id. */
  writeFile(env: string, cloudPath: string, bytes: Buffer): string {
    const full = this.filePath(env, cloudPath);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, bytes);
    return this.fileId(env, cloudPath);
  }

  /** Programmatic read (tests, seed): the bytes of a file id, or null. */
  readFile(fileId: string): Buffer | null {
    const parsed = this.parseFileId(fileId);
    if (!parsed || !this.exists(parsed.env, parsed.cloudPath)) return null;
    return fs.readFileSync(this.filePath(parsed.env, parsed.cloudPath));
  }

  /** Serves `/storage/upload/<token>` (PUT or POST) and `/storage/file/<env>/<path>` (GET/HEAD). */
  handleHttp(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith('/storage/')) return false;
    const fail = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>local</RequestId><TraceId>local</TraceId></Error>`);
    };
    const up = /^\/storage\/upload\/([0-9a-f]+)$/.exec(url.pathname);
    if (up && (req.method === 'PUT' || req.method === 'POST')) {
      const ticket = this.uploads.get(up[1]);
      if (!ticket || ticket.expires < this.now()) {
        req.resume();
        fail(403, 'AccessDenied', 'upload token unknown or expired');
        return true;
      }
      this.uploads.delete(up[1]);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        try {
          const body = await uploadedBytes(Buffer.concat(chunks), req.headers['content-type']);
          const file = this.filePath(ticket.env, ticket.cloudPath);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
          fs.writeFileSync(tmp, body);
          fs.renameSync(tmp, file);
          res.writeHead(200, { 'content-type': 'application/xml', 'x-cos-request-id': 'local' });
          res.end();
        } catch (e) {
          fail(500, 'InternalError', (e as Error).message);
        }
      });
      return true;
    }
    const dl = /^\/storage\/file\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (dl && (req.method === 'GET' || req.method === 'HEAD')) {
      const env = decodeURIComponent(dl[1]);
      const cloudPath = decodeURIComponent(dl[2]);
      const expires = Number(url.searchParams.get('expires'));
      const sign = url.searchParams.get('sign') ?? '';
      if (!(expires > this.now()) || sign !== this.sign(env, cloudPath, expires)) {
        fail(403, 'AccessDenied', 'signature mismatch or link expired');
        return true;
      }
      let file: string;
      try {
        file = this.filePath(env, cloudPath);
      } catch {
        fail(400, 'InvalidArgument', 'bad path');
        return true;
      }
      if (!this.exists(env, cloudPath)) {
        fail(404, 'NoSuchKey', 'The specified key does not exist.');
        return true;
      }
      const data = fs.readFileSync(file);
      res.writeHead(200, { 'content-type': guessType(cloudPath), 'content-length': data.length });
      res.end(req.method === 'HEAD' ? undefined : data);
      return true;
    }
    fail(404, 'NoSuchKey', 'not a storage URL');
    return true;
  }
}

function guessType(p: string): string {
  const ext = path.extname(p).toLowerCase();
  const map: Record<string, string> = {
    '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
    '.json': 'application/json', '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8',
    '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', '.mp4': 'video/mp4', '.pdf': 'application/pdf',
    '.webm': 'video/webm', '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.m4a': 'audio/mp4',
  };
  return map[ext] ?? 'application/octet-stream';
}
