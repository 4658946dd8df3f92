/**
 * The request signature of the /admin wire, checked the way CloudBase checks it. wx-server-sdk 4.0.2
 * signs every request through @cloudbase/node-sdk (src/utils/tcbapirequester.ts getHeaders) with
 * @cloudbase/signature-nodejs 2.2.0 `sign({ withSignedParams: true })`, TC3-HMAC-SHA256 for the
 * service `tcb`:
 *
 *   Authorization: TC3-HMAC-SHA256 Credential=<secretId>/<yyyy-mm-dd>/tcb/tc3_request,
 *                  SignedParams=<body keys>, SignedHeaders=<header names>, Signature=<hex>
 *   X-Timestamp:   the signing time (seconds); X-Signature-Expires: 600 (not signed)
 *
 *   canonical request = post \n //<host><path> \n <raw query> \n <name:value\n per signed header>
 *                       \n <signed header names ;-joined> \n <hash of the body fields>
 *   string to sign    = TC3-HMAC-SHA256 \n <timestamp> \n <date>/tcb/tc3_request \n sha256hex(canonical)
 *   key               = HMAC(HMAC(HMAC("TC3" + secretKey, date), "tcb"), "tc3_request")
 *
 * Header names are lower-cased and sorted (localeCompare); their values trimmed and lower-cased,
 * except content-type, kept as sent with a multipart boundary cut off. The body hash runs over every
 * top-level field of the JSON (or multipart) body with a non-empty value, keys lower-cased and sorted:
 * `&key=value\r\n` each, a value being the string itself (trimmed), a multipart file part's raw
 * bytes, or JSON.stringify of anything else. So the body, the action and every signed header are
 * bound to the key; a request without it, with another key, or changed in transit is refused.
 */
import crypto from 'crypto';

export const SIGN_ALGORITHM = 'TC3-HMAC-SHA256';
export const SIGN_SERVICE = 'tcb';
/** X-Signature-Expires the SDK sends; a signature older (or further ahead) than this is refused. */
export const SIGNATURE_TTL_S = 600;

export interface Credentials {
  secretId: string;
  secretKey: string;
}

/** What the verifier needs of an HTTP request. */
export interface SignedRequest {
  method: string;
  /** path and query exactly as received, e.g. /admin/i/x?env=e&seqId=1 */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** the parsed body: JSON object, or multipart fields (strings, Buffers for file parts) */
  body: unknown;
}

const camSafe = (s: string) =>
  encodeURIComponent(s).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');

const byLocale = (a: string, b: string) => a.localeCompare(b);

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The body hash and the keys that went into it (what the SDK reports as SignedParams). */
export function paramsHash(body: unknown, multipart: boolean): { hash: string; keys: string[] } {
  const kv: Record<string, string | Buffer> = {};
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (!key || value === undefined) continue;
      const k = camSafe(key.toLowerCase().trim());
      if (Buffer.isBuffer(value)) kv[k] = multipart ? value : JSON.stringify(value).trim();
      else kv[k] = (typeof value === 'string' ? value : JSON.stringify(value)).trim();
    }
  }
  const hash = crypto.createHash('sha256');
  const keys: string[] = [];
  for (const k of Object.keys(kv).sort(byLocale)) {
    if (!kv[k] || kv[k].length === 0) continue;
    keys.push(k);
    hash.update(`&${k}=`);
    hash.update(kv[k]);
    hash.update('\r\n');
  }
  return { hash: hash.digest('hex'), keys };
}

function canonicalHeaders(headers: SignedRequest['headers'], names: string[]): { text: string; contentType: string } | null {
  const pairs: Array<[string, string]> = [];
  let contentType = '';
  for (const name of names) {
    const raw = headerValue(headers[name]);
    if (raw === undefined) return null;
    let value: string;
    if (name === 'content-type') {
      value = raw.startsWith('multipart/form-data') ? 'multipart/form-data' : raw;
      contentType = value;
    } else value = raw.trim().toLowerCase();
    pairs.push([name, value]);
  }
  return { text: `${pairs.map(([k, v]) => `${k}:${v}`).join('\n')}\n`, contentType };
}

function hmac(key: string | Buffer, data: string): Buffer {
  return crypto.createHmac('sha256', key).update(data).digest();
}

/** The day's signing key; derived once per key and day (three HMACs of every request otherwise). */
const signingKeys = new Map<string, Buffer>();
function signingKey(secretKey: string, date: string): Buffer {
  const id = `${date}\n${secretKey}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(`TC3${secretKey}`, date), SIGN_SERVICE), 'tc3_request');
    if (signingKeys.size > 64) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** The signature for a canonical request, as @cloudbase/signature-nodejs computes it. */
function signatureOf(secretKey: string, timestamp: number, date: string, canonical: string): string {
  const scope = `${date}/${SIGN_SERVICE}/tc3_request`;
  const toSign = `${SIGN_ALGORITHM}\n${timestamp}\n${scope}\n${crypto.createHash('sha256').update(canonical).digest('hex')}`;
  return crypto.createHmac('sha256', signingKey(secretKey, date)).update(toSign).digest('hex');
}

const AUTH_RE = /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d\d-\d\d)\/tcb\/tc3_request,(?: SignedParams=([^,]*),)? SignedHeaders=([^,\s]+), Signature=([0-9a-f]{64})$/;

/**
 * Checks one /admin request against the credentials the emulator gave its functions. Returns null
 * when the signature holds, else why not (for the engineer; never includes the key).
 */
export function verifySignature(req: SignedRequest, cred: Credentials, nowMs = Date.now()): string | null {
  const auth = headerValue(req.headers.authorization);
  if (!auth) return 'Authorization 缺失';
  const m = AUTH_RE.exec(auth.trim());
  if (!m) return 'Authorization 格式不对';
  const [, secretId, date, , signedHeaderList, signature] = m;
  if (secretId !== cred.secretId) return 'SecretId 不存在';
  const ts = Number(headerValue(req.headers['x-timestamp']));
  if (!Number.isInteger(ts) || ts <= 0) return 'X-Timestamp 缺失或格式不对';
  if (Math.abs(nowMs / 1000 - ts) > SIGNATURE_TTL_S) return '签名已过期';
  // the credential scope's date is the UTC day of the signing time
  if (new Date(ts * 1000).toISOString().slice(0, 10) !== date) return '签名日期与 X-Timestamp 不符';
  const names = signedHeaderList.split(';');
  // host binds the signature to this server, content-type to the body's encoding
  if (!names.includes('host') || !names.includes('content-type')) return 'SignedHeaders 须包含 host 与 content-type';
  if ([...names].sort(byLocale).join(';') !== signedHeaderList || new Set(names).size !== names.length) return 'SignedHeaders 格式不对';
  const headers = canonicalHeaders(req.headers, names);
  if (!headers) return 'SignedHeaders 中的请求头缺失';
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const host = headerValue(req.headers.host) ?? '';
  const { hash } = paramsHash(req.body, headers.contentType === 'multipart/form-data');
  const canonical = `${req.method.toLowerCase()}\n//${host}${path}\n${query}\n${headers.text}\n${signedHeaderList}\n${hash}`;
  const want = Buffer.from(signatureOf(cred.secretKey, ts, date, canonical));
  if (!crypto.timingSafeEqual(want, Buffer.from(signature))) return '签名不符';
  return null;
}

/** Fresh random credentials for one emulator run (the SDK needs both to be non-empty). */
export function randomCredentials(): Credentials {
  return {
    secretId: `AKIDlocal${crypto.randomBytes(12).toString('hex')}`,
    secretKey: crypto.randomBytes(24).toString('base64url'),
  };
}
