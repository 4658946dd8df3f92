/**
 * wxacode.getUnlimited (获取不限制的小程序码) for the local emulator: answers a real PNG, as WeChat
 * does, and WeChat's JSON error for the arguments it rejects.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
 *
 * - `scene`: required, at most 32 visible characters from [0-9A-Za-z!#$&'()*+,/:;=?@\-._~] → else 40169;
 * - `page`: optional, no leading `/` and no query string (parameters go in scene) → else 41030;
 * - `width`: 280–1280 px (default 430) → else 40097;
 * - `check_path` (default true) asks WeChat whether the page is published; no release exists
 *   locally, so it is not checked here (a known difference).
 * The image is an ordinary QR code of `<page>?scene=<scene>` (WeChat draws its round 小程序码, which
 * only the WeChat client reads), `width` pixels square, 8-bit grayscale.
 */
import zlib from 'zlib';
import QRCode from 'qrcode';

const SCENE_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

export interface OpenApiAnswer {
  respData: Buffer;
  contentType: string;
}

function json(errcode: number, errmsg: string): OpenApiAnswer {
  return { respData: Buffer.from(JSON.stringify({ errcode, errmsg })), contentType: 'application/json; encoding=utf-8' };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A grayscale PNG of `size`×`size` pixels; `dark(x, y)` paints a pixel black. */
export function encodePng(size: number, dark: (x: number, y: number) => boolean): Buffer {
  const raw = Buffer.alloc((size + 1) * size, 0xff);
  for (let y = 0; y < size; y++) {
    raw[y * (size + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) if (dark(x, y)) raw[y * (size + 1) + 1 + x] = 0;
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function wxacodeGetUnlimited(params: Record<string, unknown>): OpenApiAnswer {
  const scene = params.scene;
  if (typeof scene !== 'string' || !SCENE_RE.test(scene)) return json(40169, 'invalid length for scene, or the data is not json string');
  const page = params.page === undefined ? '' : params.page;
  if (typeof page !== 'string' || page.startsWith('/') || page.includes('?')) return json(41030, 'invalid page');
  const width = params.width === undefined ? 430 : Number(params.width);
  if (!Number.isInteger(width) || width < 280 || width > 1280) return json(40097, 'invalid args: width');
  const qr = QRCode.create(`${page}?scene=${scene}`, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size + 8; // 4 modules of quiet zone each side
  const px = Math.max(1, Math.floor(width / modules));
  const offset = Math.floor((width - px * qr.modules.size) / 2);
  const png = encodePng(width, (x, y) => {
    const c = Math.floor((x - offset) / px);
    const r = Math.floor((y - offset) / px);
    return x >= offset && y >= offset && r < qr.modules.size && c < qr.modules.size && !!qr.modules.get(r, c);
  });
  return { respData: png, contentType: 'image/png' };
}
