/** Invite codes avoid look-alike characters (no I, O, 0, 1); same rule as core/org/contracts. */
const CODE_RE = /^[A-HJ-NP-Z2-9]{8}$/;

/**
 * The code inside whatever a scan or a paste produced: a mini-program path
 * (`pages/org/join/index?code=AB23CD45`), a URL with `code=`, or the bare code.
 */
export function parseInviteCode(text: string | undefined | null): string | null {
  if (!text) return null;
  const m = /[?&#]?code=([A-Za-z0-9]+)/.exec(text);
  const candidate = (m ? m[1] : text).trim().toUpperCase();
  return CODE_RE.test(candidate) ? candidate : null;
}

export const ROLE_LABEL: Record<string, string> = {
  member: '党员',
  secretary: '支部书记',
  organiser: '上级管理员',
};

export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
