/**
 * Raw calls and the properties every reply must keep, however hostile the request: a correct result,
 * or a 4xx from the error vocabulary with a plain Chinese message — never a crash, a stack trace, a
 * file path, or a slow answer.
 */
import { ERROR_STATUS } from '../../../core/fn/errors';
import type { Harness } from '../harness';

export interface RawReply {
  status: number;
  text: string;
  body: any;
  ms: number;
  ops: { reads: number; writes: number } | null;
}

/** Slower than this is a failure: the gateway must never hang on garbage. */
export const MAX_REPLY_MS = 4000;

/** Codes a hostile request may get: everything but a crash or a timeout. */
const CLIENT_CODES = new Set(Object.keys(ERROR_STATUS).filter((c) => c !== 'INTERNAL' && c !== 'DEADLINE_EXCEEDED'));

const HAN = /[\u4e00-\u9fff]/;
/** What leaks from a crash: stack frames, source paths, error class names. */
const LEAK = /\n\s+at\s|\bat\s+[\w.<>]+\s+\(|\.(ts|js|cjs|mjs):\d+|node_modules|\/tmp\/|\/work\/|\/home\/|[A-Za-z]*Error:|Maximum call stack/;

export async function post(h: Harness, fn: string, body: string | Buffer, openid: string | null): Promise<RawReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) headers['x-wx-openid'] = openid;
  const t0 = performance.now();
  const res = await fetch(`${h.emu.url}/api/functions/${fn}`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  const ms = performance.now() - t0;
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const opsHeader = res.headers.get('x-db-ops');
  return { status: res.status, text, body: parsed, ms, ops: opsHeader ? JSON.parse(opsHeader) : null };
}

export function callRaw(h: Harness, fn: string, event: unknown, openid: string | null): Promise<RawReply> {
  return post(h, fn, JSON.stringify(event), openid);
}

/** Everything wrong with one reply (empty: fine). */
export function replyProblems(r: RawReply): string[] {
  const p: string[] = [];
  if (r.ms > MAX_REPLY_MS) p.push(`took ${Math.round(r.ms)} ms`);
  if (r.body === undefined) return [...p, `status ${r.status}, body is not JSON: ${r.text.slice(0, 120)}`];
  if (r.status === 200) {
    if (r.body.error || !('result' in r.body)) p.push(`200 without a result: ${r.text.slice(0, 200)}`);
    if (r.body.result?.ok === false) p.push(`200 carrying an error: ${r.text.slice(0, 200)}`);
    if (/\n\s+at\s|\.(ts|js):\d+:\d+|node_modules/.test(r.text)) p.push(`result leaks a stack: ${r.text.slice(0, 200)}`);
    return p;
  }
  const e = r.body.error;
  if (r.status < 400 || r.status >= 500) p.push(`status ${r.status}`);
  if (!e || typeof e.code !== 'string') return [...p, `no error code: ${r.text.slice(0, 200)}`];
  if (!CLIENT_CODES.has(e.code)) p.push(`code ${e.code}`);
  // The gateway answers an oversized body with 413 (as HTTP has it) before any function runs.
  else if ((ERROR_STATUS as Record<string, number>)[e.code] !== r.status && !(e.code === 'RESOURCE_EXHAUSTED' && r.status === 413)) p.push(`code ${e.code} with status ${r.status}`);
  if (typeof e.message !== 'string' || !HAN.test(e.message)) p.push(`message is not plain Chinese: ${JSON.stringify(e.message)}`);
  if (LEAK.test(r.text)) p.push(`body leaks internals: ${r.text.slice(0, 300)}`);
  // A refusal before the handler ran must not have written anything.
  if ((e.code === 'UNKNOWN_ACTION' || (e.code === 'INVALID_ARGUMENT' && e.details?.issues)) && r.ops && r.ops.writes > 0) {
    p.push(`${e.code} after ${r.ops.writes} write(s)`);
  }
  return p;
}

/**
 * Every key in a stored document that looks smuggled: an operator or a prototype key. (Dotted keys
 * are not flagged: the points rules store their own rule keys, e.g. `quiz.correct`, on purpose.)
 */
export function badKeys(doc: unknown, path = '', out: string[] = [], depth = 0): string[] {
  if (depth > 200 || typeof doc !== 'object' || doc === null) return out;
  if (doc instanceof Date) return out;
  for (const k of Object.keys(doc)) {
    const here = path ? `${path}.${k}` : k;
    if (k.startsWith('$') || k.includes('__proto__') || k === 'constructor' || k === 'prototype') out.push(here);
    badKeys((doc as Record<string, unknown>)[k], here, out, depth + 1);
  }
  if (Object.getPrototypeOf(doc) !== Object.prototype && Object.getPrototypeOf(doc) !== Array.prototype && Object.getPrototypeOf(doc) !== null) {
    out.push(`${path || '(root)'} has a foreign prototype`);
  }
  return out;
}
