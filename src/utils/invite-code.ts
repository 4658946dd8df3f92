import { formatChina } from '../../core/day';
/** Invite codes avoid look-alike characters (no I, O, 0, 1); same rule as core/org/contracts. */
const CODE_RE = /^[A-HJ-NP-Z2-9]{8}$/;

/**
 * The code inside whatever a scan or a paste produced: the path of a scanned 小程序码
 * (`pages/org/join/index?scene=AB23CD45`), a shared path or URL with `code=`, or the bare code.
 */
export function parseInviteCode(text: string | undefined | null): string | null {
  if (!text) return null;
  const m = /(?:^|[?&#])(?:code|scene)=([A-Za-z0-9]+)/.exec(text);
  const candidate = (m ? m[1] : text).trim().toUpperCase();
  return CODE_RE.test(candidate) ? candidate : null;
}

export const ROLE_LABEL: Record<string, string> = {
  member: '党员',
  secretary: '支部书记',
  organiser: '上级管理员',
};

/** Date and time in China time, whatever zone the phone is set to. */
export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatChina(d, 'YYYY-MM-DD HH:mm');
}
