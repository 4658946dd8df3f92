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
import { PNG } from 'pngjs';
import QRCode from 'qrcode';

const SCENE_RE = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;

export interface OpenApiAnswer {
  respData: Buffer;
  contentType: string;
}

function json(errcode: number, errmsg: string): OpenApiAnswer {
  return { respData: Buffer.from(JSON.stringify({ errcode, errmsg })), contentType: 'application/json; encoding=utf-8' };
}

/**
 * A grayscale PNG of `size`×`size` pixels; `dark(x, y)` paints a pixel black. Packed as one byte a
 * pixel, so pngjs does not convert (its conversion looks up the global Math per pixel, which is slow
 * inside a vm context such as a jest suite's).
 */
export function encodePng(size: number, dark: (x: number, y: number) => boolean): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) png.data[y * size + x] = dark(x, y) ? 0 : 255;
  }
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: 0 });
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
  const { floor } = Math; // bound once for the per-pixel loop
  const png = encodePng(width, (x, y) => {
    const c = floor((x - offset) / px);
    const r = floor((y - offset) / px);
    return x >= offset && y >= offset && r < qr.modules.size && c < qr.modules.size && !!qr.modules.get(r, c);
  });
  return { respData: png, contentType: 'image/png' };
}
