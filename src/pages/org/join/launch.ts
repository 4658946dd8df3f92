import { parseInviteCode } from '../../../utils/invite-code';

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v; // a stray % is no code either way; parseInviteCode decides
  }
}

/**
 * The invite code the join page was opened with:
 * - `scene`: a scanned 小程序码 (wxacode.getUnlimited puts the code there, URL-encoded: WeChat's
 *   guide decodes it with decodeURIComponent;
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html);
 * - `code`: a shared link `pages/org/join/index?code=…`.
 */
export function inviteCodeFromParams(params: Partial<Record<string, string>>): string | null {
  for (const key of ['scene', 'code'] as const) {
    const v = params[key];
    if (!v) continue;
    const found = parseInviteCode(`code=${decode(v)}`);
    if (found) return found;
  }
  return null;
}
