/**
 * Transactions that survive contention. On CloudBase a write inside a transaction to a document
 * another transaction holds fails at that write (WeChat's 数据库事务 guide: "其它事务的写入会直接
 * 失败"), and wx-server-sdk 4.0.2 hands that failure to the callback as
 * `{ errCode: -501001, errMsg: '…[ResourceUnavailable.TransactionBusy] Transaction is busy…' }`
 * without the `code` @cloudbase/database's runTransaction retries on. So the SDK's own retry never
 * runs for it: every product transaction goes through `retryingTransactions`, which runs the whole
 * callback again in a fresh transaction after a short random pause. A callback must therefore be
 * safe to run more than once: it reads what it decides on inside the transaction and has no effect
 * outside it (the SDK's own contract for runTransaction).
 */
import type { Db } from './db';

/** Tries of one transaction before the conflict reaches the caller. */
export const TX_ATTEMPTS = 8;

/** Whether an error is the platform's answer to a write on a document another transaction holds. */
export function isTransactionConflict(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { code?: unknown; errCode?: unknown; errMsg?: unknown; message?: unknown };
  if (err.code === 'DATABASE_TRANSACTION_CONFLICT') return true;
  const text = String(err.errMsg ?? err.message ?? '');
  return /TransactionBusy|TransactionConflict|DATABASE_TRANSACTION_CONFLICT|WriteConflict/i.test(text);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it does not fail with a transaction conflict (at most TX_ATTEMPTS times). */
export async function withConflictRetry<T>(attempt: () => Promise<T>, opts: { attempts?: number; baseMs?: number } = {}): Promise<T> {
  const attempts = opts.attempts ?? TX_ATTEMPTS;
  const base = opts.baseMs ?? 15;
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (i >= attempts || !isTransactionConflict(e)) throw e;
      // random pauses that grow, so racing callers do not collide again in step (≤ ~1.5 s in all)
      await pause(base * 2 ** Math.min(i - 1, 4) * (0.5 + Math.random()));
    }
  }
}

const WRAPPED = Symbol('retryingTransactions');

/**
 * The database handle with `runTransaction` retried on conflicts (see above); everything else is
 * the handle itself. Wrapping twice is harmless.
 */
export function retryingTransactions(db: Db): Db {
  if (!db || typeof db.runTransaction !== 'function' || db[WRAPPED]) return db;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === WRAPPED) return true;
      if (prop === 'runTransaction') {
        return (callback: (tx: unknown) => Promise<unknown>, times?: number) =>
          withConflictRetry(() => target.runTransaction(callback, times));
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}
