import { AppError } from '../fn/errors';

/** No 0/O or 1/I: codes get read aloud and typed by elderly members. 32 symbols, so a byte maps evenly. */
export const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const INVITE_CODE_LENGTH = 8;

/** `randomBytes` is crypto.randomBytes in the function, a seeded source in tests. */
export function generateInviteCode(randomBytes: (size: number) => Uint8Array): string {
  const bytes = randomBytes(INVITE_CODE_LENGTH);
  let out = '';
  for (let i = 0; i < INVITE_CODE_LENGTH; i++) out += INVITE_ALPHABET[bytes[i] & 31];
  return out;
}

/** The page an invite opens (in the main package, so a scan needs no subpackage download). */
export const INVITE_PAGE = 'pages/org/join/index';

/** The mini-program page a shared invite link opens. */
export function invitePath(code: string): string {
  return `${INVITE_PAGE}?code=${code}`;
}

/**
 * The 小程序码 of an invite (wxacode.getUnlimited): the WeChat camera opens the mini-program at
 * INVITE_PAGE with `scene` = the code (8 characters of INVITE_ALPHABET, within the 32 visible
 * characters scene allows). `checkPath: false` so a code can be made before the page is published;
 * `envVersion: 'release'`: a scan opens the published version.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
 */
export function inviteQrRequest(code: string): { scene: string; page: string; checkPath: boolean; envVersion: 'release'; width: number } {
  return { scene: code, page: INVITE_PAGE, checkPath: false, envVersion: 'release', width: 430 };
}

/** Where an invite's 小程序码 is kept in cloud storage: one file per code, made once and reused. */
export function inviteQrCloudPath(code: string): string {
  return `org-invites/${code}.png`;
}

export interface StoredInvite {
  _id: string;
  branchId: string;
  branchName: string;
  pathNames?: string[];
  createdBy?: string;
  createdAt: Date | string;
  expiresAt: Date | string;
  maxUses: number;
  uses: number;
  joined?: number;
  revoked: boolean;
  /** cloud storage fileID of the invite's 小程序码 (inviteQrCloudPath) */
  qrFileID?: string;
}

export type InviteState = 'valid' | 'expired' | 'revoked' | 'used_up';

export function inviteState(invite: StoredInvite, now: Date): InviteState {
  if (invite.revoked) return 'revoked';
  if (new Date(invite.expiresAt).getTime() <= now.getTime()) return 'expired';
  if ((invite.uses ?? 0) >= invite.maxUses) return 'used_up';
  return 'valid';
}

export const INVITE_MESSAGES = {
  notFound: '邀请码不存在，请核对后重新输入',
  expired: '邀请码已过期，请向支部书记索取新的邀请码',
  revoked: '邀请码已被撤销，请向支部书记索取新的邀请码',
  used_up: '邀请码使用人数已满，请向支部书记索取新的邀请码',
} as const;

/** Throws the error a guest should see for an invite that cannot be used; returns it otherwise. */
export function assertInviteUsable(invite: StoredInvite | null | undefined, now: Date): StoredInvite {
  if (!invite) throw new AppError('NOT_FOUND', INVITE_MESSAGES.notFound);
  const state = inviteState(invite, now);
  if (state !== 'valid') throw new AppError('FAILED_PRECONDITION', INVITE_MESSAGES[state], { state });
  return invite;
}

export function inviteExpiry(now: Date, ttlDays: number): Date {
  return new Date(now.getTime() + ttlDays * 24 * 3600 * 1000);
}
