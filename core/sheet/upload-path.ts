/**
 * Where the app puts a file to import in cloud storage, and the check the function makes before it
 * reads one: only a file under the caller's own folder, so a fileID cannot be used to read someone
 * else's upload through an import report. Pure: the app and the functions share it.
 */

export type ImportKind = 'quiz' | 'roster';

/** 5 MB and then some: the largest bank or roster a function reads in one import */
export const MAX_IMPORT_BYTES = 12 * 1024 * 1024;

const SAFE = /[^A-Za-z0-9._-]/g;

/** The caller's own folder for an import of `kind` (the function tells the app: it knows the openid). */
export const importDir = (kind: ImportKind, openid: string) => `imports/${kind}/${openid.replace(SAFE, '_')}/`;

/** cloudPath for an upload into `dir`: <time>.<ext>, ASCII only (COS keys travel in headers). */
export function importCloudPath(dir: string, fileName: string, at: number): string {
  const ext = (/\.([A-Za-z0-9]{1,5})$/.exec(fileName)?.[1] ?? 'bin').toLowerCase();
  return `${dir}${at}.${ext}`;
}

/** The cloud path of a fileID (cloud://<env>.<bucket>/<path>), or null. */
export function cloudPathOf(fileID: string): string | null {
  const m = /^cloud:\/\/[^/]+\/(.+)$/.exec(fileID);
  return m ? m[1] : null;
}

/** Is this fileID an upload of `openid` for an import of `kind`? */
export function isOwnImport(fileID: string, kind: ImportKind, openid: string): boolean {
  const p = cloudPathOf(fileID);
  if (!p || p.includes('..') || p.includes('//')) return false;
  const dir = importDir(kind, openid);
  return p.startsWith(dir) && !p.slice(dir.length).includes('/');
}

/** Where a function writes the report file of an import (rows that need changes). */
export const reportCloudPath = (kind: ImportKind, openid: string, runId: string) => `${importDir(kind, openid)}report-${runId.replace(SAFE, '_')}.xlsx`;
