/**
 * Reads the permission table, docs/permissions.md: one row per `fn.action`, one column per kind of
 * caller, ✓ (allowed) or ✗ (refused). The same table is copied into the README between the
 * `permissions:start` / `permissions:end` markers by `npm run docs:permissions`.
 */
import fs from 'fs';
import path from 'path';
import { CALLER_KINDS, type CallerKind } from './harness';

export const PERMISSIONS_FILE = path.join(__dirname, '..', '..', 'docs', 'permissions.md');
export const README_FILE = path.join(__dirname, '..', '..', 'README.md');
export const START_MARK = '<!-- permissions:start -->';
export const END_MARK = '<!-- permissions:end -->';

export type Verdict = 'allow' | 'deny';
export interface MatrixRow {
  key: string;
  verdicts: Record<CallerKind, Verdict>;
  note: string;
}

const ROW = /^\|\s*`([a-z]+\.[A-Za-z]+)`\s*\|(.*)\|\s*$/;

export function parsePermissions(text: string): { rows: Map<string, MatrixRow>; problems: string[] } {
  const rows = new Map<string, MatrixRow>();
  const problems: string[] = [];
  for (const line of text.split('\n')) {
    const m = ROW.exec(line.trim());
    if (!m) continue;
    const cells = m[2].split('|').map((c) => c.trim());
    const marks = cells.slice(0, CALLER_KINDS.length);
    if (marks.length !== CALLER_KINDS.length || marks.some((c) => c !== '✓' && c !== '✗')) {
      problems.push(`${m[1]}: expected ${CALLER_KINDS.length} cells of ✓ or ✗, got "${marks.join(' | ')}"`);
      continue;
    }
    if (rows.has(m[1])) problems.push(`${m[1]}: listed twice`);
    const verdicts = Object.fromEntries(
      CALLER_KINDS.map((k, i) => [k, marks[i] === '✓' ? 'allow' : 'deny']),
    ) as Record<CallerKind, Verdict>;
    rows.set(m[1], { key: m[1], verdicts, note: cells.slice(CALLER_KINDS.length).join(' | ') });
  }
  return { rows, problems };
}

export function readPermissions() {
  return parsePermissions(fs.readFileSync(PERMISSIONS_FILE, 'utf8'));
}

/** The part of docs/permissions.md that the README carries: from the first heading on. */
export function permissionsForReadme(text: string): string {
  const from = text.indexOf('\n## ');
  return (from >= 0 ? text.slice(from + 1) : text).trim();
}

/** The README with its permission section replaced by the current table. */
export function renderIntoReadme(readme: string, permissions: string): string {
  const a = readme.indexOf(START_MARK);
  const b = readme.indexOf(END_MARK);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START_MARK} … ${END_MARK} section`);
  return `${readme.slice(0, a + START_MARK.length)}\n${permissionsForReadme(permissions)}\n${readme.slice(b)}`;
}
