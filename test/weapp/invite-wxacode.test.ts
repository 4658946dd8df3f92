/**
 * Invites that open the mini-program: the 小程序码 request the org function sends, the emulator's
 * wxacode.getUnlimited answer (a real PNG, WeChat's errors for bad arguments), and the join page
 * reading the code from `scene` (a scanned 小程序码) as well as from `code` (a shared link) and from
 * what the in-app scanner returns.
 */
import zlib from 'zlib';
import { wxacodeGetUnlimited } from '../../emulator/openapi/wxacode';
import { INVITE_PAGE, inviteQrCloudPath, inviteQrRequest } from '../../core/org/invite';
import { inviteCodeFromParams } from '../../src/pages/org/join/launch';
import { parseInviteCode } from '../../src/utils/invite-code';
import { loadAppConfig } from './wx-double';

/** width, height, colour type and the decoded grayscale rows of a PNG made of IHDR, IDAT, IEND */
function readPng(png: Buffer): { width: number; height: number; colourType: number; pixel(x: number, y: number): number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let off = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colourType = data[9];
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((width + 1) * height);
  return { width, height, colourType, pixel: (x, y) => raw[y * (width + 1) + 1 + x] };
}

describe('the request the org function sends', () => {
  it('scene is the code, the page is the join page with no query, in the main package', () => {
    const req = inviteQrRequest('AB23CD45');
    expect(req).toEqual({ scene: 'AB23CD45', page: 'pages/org/join/index', checkPath: false, envVersion: 'release', width: 430 });
    expect(loadAppConfig().pages).toContain(INVITE_PAGE);
    expect(inviteQrCloudPath('AB23CD45')).toBe('org-invites/AB23CD45.png');
  });
});

describe('emulator wxacode.getUnlimited', () => {
  it('answers a real PNG of the requested width with a code in it', () => {
    const r = wxacodeGetUnlimited({ scene: 'AB23CD45', page: 'pages/org/join/index', check_path: false, width: 430 });
    expect(r.contentType).toBe('image/png');
    const img = readPng(r.respData);
    expect([img.width, img.height, img.colourType]).toEqual([430, 430, 0]);
    let dark = 0;
    for (let y = 0; y < img.height; y += 2) for (let x = 0; x < img.width; x += 2) if (img.pixel(x, y) === 0) dark++;
    expect(dark).toBeGreaterThan(1000);
    // the quiet zone stays white
    expect([img.pixel(0, 0), img.pixel(429, 429), img.pixel(5, 215)]).toEqual([255, 255, 255]);
  });

  it('the default width is 430 px', () => {
    expect(readPng(wxacodeGetUnlimited({ scene: 'AB23CD45' }).respData).width).toBe(430);
  });

  it.each([
    [{ page: 'pages/org/join/index' }, 40169],
    [{ scene: 'x'.repeat(33) }, 40169],
    [{ scene: '邀请码' }, 40169],
    [{ scene: 'AB23CD45', page: '/pages/org/join/index' }, 41030],
    [{ scene: 'AB23CD45', page: 'pages/org/join/index?code=AB23CD45' }, 41030],
    [{ scene: 'AB23CD45', width: 100 }, 40097],
  ])('%j → errcode %d as JSON', (params, errcode) => {
    const r = wxacodeGetUnlimited(params);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(r.respData.toString()).errcode).toBe(errcode);
  });
});

describe('the join page finds the code', () => {
  it('in scene (decodeURIComponent), in code, or neither', () => {
    expect(inviteCodeFromParams({ scene: 'AB23CD45' })).toBe('AB23CD45');
    expect(inviteCodeFromParams({ scene: encodeURIComponent('ab23cd45') })).toBe('AB23CD45');
    expect(inviteCodeFromParams({ code: 'AB23CD45' })).toBe('AB23CD45');
    expect(inviteCodeFromParams({ scene: '%E0%A4%A', code: 'AB23CD45' })).toBe('AB23CD45');
    expect(inviteCodeFromParams({ scene: 'AB23CD4O' })).toBeNull();
    expect(inviteCodeFromParams({})).toBeNull();
  });

  it('in what wx.scanCode returns for a 小程序码 (path with scene) and for a shared link', () => {
    expect(parseInviteCode('pages/org/join/index?scene=AB23CD45')).toBe('AB23CD45');
    expect(parseInviteCode('pages/org/join/index?code=AB23CD45')).toBe('AB23CD45');
    expect(parseInviteCode('pages/org/join/index?xcode=AB23CD45')).toBeNull();
  });
});
