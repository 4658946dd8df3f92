/**
 * The H5 app's stand-in for `wx.cloud.uploadFile`: on WeChat the mini-program asks CloudBase for an
 * upload ticket and PUTs the bytes to COS; in the browser it asks the gateway here for the same
 * ticket (`POST /api/storage/upload-url {cloudPath}` → `{ fileID, url }`) and PUTs the bytes to
 * `url`, which the emulator's storage serves (admin/storage.ts). A signed-in session is required,
 * and a browser may only write into a folder named by its own openid (`<folder>/…/<openid>/<file>`,
 * e.g. imports/quiz/<openid>/bank.xlsx): stricter than CloudBase's default "creator may write",
 * never kinder. Which folders mean what is the project's business, not the emulator's.
 */
import type http from 'http';
import type { CloudBackend } from './admin';

const PATH_RE = /^((?:[A-Za-z0-9_-]{1,40}\/){1,4})([A-Za-z0-9_-]{1,64})\/[A-Za-z0-9._-]{1,80}$/;

function reply(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: http.IncomingMessage, limit: number): Promise<any> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) return null;
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

export async function handleUploadUrl(req: http.IncomingMessage, res: http.ServerResponse, deps: { openid: string; env: string; backend: Pick<CloudBackend, 'handleAdmin'> }): Promise<void> {
  if (req.method !== 'POST') return reply(res, 405, { error: { code: 'INVALID_ARGUMENT', message: '请用 POST 申请上传' } });
  if (!deps.openid) return reply(res, 401, { error: { code: 'UNAUTHENTICATED', message: '请先登录后再上传文件' } });
  const body = await readJson(req, 4096);
  const cloudPath = typeof body?.cloudPath === 'string' ? body.cloudPath : '';
  const m = PATH_RE.exec(cloudPath);
  if (!m || m[2] !== deps.openid.replace(/[^A-Za-z0-9._-]/g, '_')) {
    return reply(res, 403, { error: { code: 'PERMISSION_DENIED', message: '只能上传到以自己身份命名的文件夹' } });
  }
  const r = await deps.backend.handleAdmin({ action: 'storage.getUploadMetadata', path: cloudPath }, { env: deps.env });
  const data = r.json?.data;
  if (!data?.url) return reply(res, 500, { error: { code: 'INTERNAL', message: '暂时无法上传，请稍后重试' } });
  // same origin as the page: the browser PUTs to the path, whatever host name it used
  const url = new URL(data.url);
  reply(res, 200, { fileID: data.fileId, url: url.pathname });
}
