/**
 * The two non-JSON encodings on the /admin wire.
 *
 * 1. `wx.openApi` (cloud.openapi.*) is POSTed as multipart/form-data (node-sdk
 *    callCompatibleWxOpenApi, isFormData) whose `requestData` part is a protobuf `CommApiData`
 *    (wx-server-sdk src/protobuf/openapi.js):
 *       CommApiData  { 1: apiType int32, 2: openapiData OpenApiData, 6: appid string }
 *       OpenApiData  { 1: pairs repeated KeyValuePair }
 *       KeyValuePair { 1: key string, 2: value bytes (JSON text), 3: contenttype, 4: filename }
 *    Its answer must be a raw protobuf `CommOpenApiResp` body (not JSON):
 *       CommOpenApiResp { 1: respData bytes, 2: contentType string, 3: errorCode int32, 4: httpCode uint32 }
 *    respData holds WeChat's JSON answer, e.g. {"errcode":0,"errmsg":"ok"}.
 * 2. multipart itself, parsed here so the gateway can hand us raw bytes.
 *
 * Only the handful of protobuf features these messages use are implemented (varint and
 * length-delimited fields).
 */

// ------------------------------------------------------------------ protobuf

interface PbField {
  no: number;
  wire: number;
  value: number | Buffer;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
  }
}

export function decodePb(buf: Buffer): PbField[] {
  const out: PbField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      pos = p2;
      out.push({ no, wire, value: v });
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      out.push({ no, wire, value: buf.subarray(p2, p2 + len) });
      pos = p2 + len;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.readUInt32LE(pos) });
      pos += 4;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return out;
}

function varint(n: number): Buffer {
  // Negative int32 values are sign-extended to 64 bits (10 bytes), as protobuf does.
  let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    bytes.push(byte);
  } while (v);
  return Buffer.from(bytes);
}

function pbBytes(no: number, b: Buffer): Buffer {
  return Buffer.concat([varint(no * 8 + 2), varint(b.length), b]);
}

function pbVarint(no: number, n: number): Buffer {
  return Buffer.concat([varint(no * 8), varint(n)]);
}

export interface OpenApiCall {
  appid?: string;
  /** Request parameters, snake_case as WeChat's HTTP API names them (touser, template_id, …). */
  params: Record<string, unknown>;
}

/** Decodes the `requestData` of a wx.openApi call. */
export function decodeCommApiData(buf: Buffer): OpenApiCall {
  const call: OpenApiCall = { params: {} };
  for (const f of decodePb(buf)) {
    if (f.no === 6 && Buffer.isBuffer(f.value)) call.appid = f.value.toString('utf8');
    if (f.no === 2 && Buffer.isBuffer(f.value)) {
      for (const pair of decodePb(f.value)) {
        if (pair.no !== 1 || !Buffer.isBuffer(pair.value)) continue;
        let key = '';
        let value: Buffer = Buffer.alloc(0);
        let contentType: string | undefined;
        for (const kv of decodePb(pair.value)) {
          if (kv.no === 1 && Buffer.isBuffer(kv.value)) key = kv.value.toString('utf8');
          if (kv.no === 2 && Buffer.isBuffer(kv.value)) value = kv.value;
          if (kv.no === 3 && Buffer.isBuffer(kv.value)) contentType = kv.value.toString('utf8');
        }
        if (contentType) {
          call.params[key] = { contentType, bytes: value.length };
          continue;
        }
        const text = value.toString('utf8');
        try {
          call.params[key] = JSON.parse(text);
        } catch {
          call.params[key] = text;
        }
      }
    }
  }
  return call;
}

/** Encodes the answer of a wx.openApi call. */
export function encodeCommOpenApiResp(resp: { respData: Buffer; contentType: string; errorCode?: number; httpCode?: number }): Buffer {
  const parts = [pbBytes(1, resp.respData), pbBytes(2, Buffer.from(resp.contentType))];
  if (resp.errorCode) parts.push(pbVarint(3, resp.errorCode));
  parts.push(pbVarint(4, resp.httpCode ?? 200));
  return Buffer.concat(parts);
}

/** For tests: encodes a CommApiData the way wx-server-sdk does. */
export function encodeCommApiData(call: { appid?: string; params: Record<string, unknown> }): Buffer {
  const pairs = Object.entries(call.params).map(([k, v]) =>
    pbBytes(1, Buffer.concat([pbBytes(1, Buffer.from(k)), pbBytes(2, Buffer.from(JSON.stringify(v)))])),
  );
  const parts = [pbVarint(1, 0), pbBytes(2, Buffer.concat(pairs))];
  if (call.appid) parts.push(pbBytes(6, Buffer.from(call.appid)));
  return Buffer.concat(parts);
}

// ------------------------------------------------------------------ request bodies

/**
 * Parses an /admin POST body. JSON for everything but wx.openApi / wx.wxPayApi, which arrive as
 * multipart/form-data: text parts become strings, binary parts (requestData) Buffers.
 */
export function parseAdminBody(raw: Buffer, contentType: string | undefined): any {
  const ct = contentType ?? '';
  const m = /multipart\/form-data;\s*boundary=("?)([^";]+)\1/i.exec(ct);
  if (m) return parseMultipart(raw, m[2]);
  const text = raw.toString('utf8');
  if (!text.trim()) return {};
  return JSON.parse(text);
}

function parseMultipart(raw: Buffer, boundary: string): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  const delim = Buffer.from(`--${boundary}`);
  let pos = raw.indexOf(delim);
  while (pos !== -1) {
    pos += delim.length;
    if (raw[pos] === 0x2d && raw[pos + 1] === 0x2d) break; // closing "--"
    if (raw[pos] === 0x0d && raw[pos + 1] === 0x0a) pos += 2;
    const headerEnd = raw.indexOf('\r\n\r\n', pos);
    if (headerEnd === -1) break;
    const headers = raw.subarray(pos, headerEnd).toString('utf8');
    const next = raw.indexOf(delim, headerEnd + 4);
    if (next === -1) break;
    const content = raw.subarray(headerEnd + 4, next - 2); // strip the CRLF before the delimiter
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) {
      const isBinary = /content-type:\s*application\/octet-stream/i.test(headers) || /filename="/i.test(headers);
      out[name] = isBinary ? Buffer.from(content) : content.toString('utf8');
    }
    pos = next;
  }
  return out;
}
