/**
 * The spine of every cloud function. A function's index.ts is
 *
 *   export const quiz = serve({ name: 'quiz', about, actions: quizActions, config, makeCtx, sdk: require('wx-server-sdk') });
 *   export const { main } = quiz;
 *
 * and `main` does, per invocation: the timer guard (core/fn/timer.ts) with the function's own
 * config.json triggers; a fresh context from `makeCtx`; then the action router (core/fn/router.ts):
 * unknown action → identity → caller (one read of org_members, or the action's own `load`) →
 * audience → zod input → handler, with errors mapped to `{ ok: false, error }`. The SDK is
 * initialised once per instance, on the first call, so importing a function starts nothing.
 *
 * In-process calls (tests, benchmarks): `handle(event, identity, deps)` runs the same pipeline with
 * an explicit identity instead of getWXContext(), and `deps` laid over the context makeCtx builds:
 *
 *   const r = await quiz.handle({ action: 'today' }, { OPENID: 'o-1' }, { db, now, sendSubscribe });
 *   const t = await study.handle(timerEvent('sweepSessions'), { SOURCE: 'wx_trigger' }, { db });
 *
 * With `deps.db` given the SDK is never initialised; without it the SDK's own database is used
 * (e.g. pointed at the local emulator through TCB_CONTEXT_CNFG). Whatever makeCtx builds on the SDK
 * (subscribe messages, storage) stays the real SDK unless `deps` replaces it. The answer is what
 * `main` answers: `{ ok, data | error }` for an action, the timer's own result for a timer.
 */
import type { Db } from './db';
import type { Result } from './errors';
import { runAction, type ActionTable, type BaseCtx, type FunctionEvent } from './router';
import { routeTimer } from './timer';
import { retryingTransactions } from './transaction';

/** The slice of wx-server-sdk the functions use, typed structurally (core/ never imports the SDK). */
export interface CloudSdk {
  DYNAMIC_CURRENT_ENV: unknown;
  init(options: { env: unknown }): void;
  database(options: { throwOnNotFound: boolean }): Db;
  getWXContext(): Identity;
  uploadFile(o: { cloudPath: string; fileContent: Buffer }): Promise<{ fileID: string }>;
  getTempFileURL(o: { fileList: string[] }): Promise<{ fileList: { fileID: string; tempFileURL: string }[] }>;
  openapi: { subscribeMessage: { send(o: Record<string, unknown>): Promise<unknown> } };
}

/** Who is calling, as getWXContext() reports it: OPENID for a WeChat user, SOURCE for the platform. */
export interface Identity {
  OPENID?: string;
  SOURCE?: string;
}

/** What makeCtx builds a call's context from. */
export interface Platform {
  cloud: CloudSdk;
  db: Db;
  now: Date;
  env: Record<string, string | undefined>;
}

export interface TimerDef<Ctx> {
  run: (ctx: Ctx) => Promise<unknown>;
  /** database operations per run (docs/db-ops.md); the schedule comes from config.json (one trigger) */
  ops: { count?: string; what: string };
}

/** One job of a function's single timer: its code and how often it is due. */
export interface TimerJob<Ctx> extends TimerDef<Ctx> {
  /** due on minutes that are a multiple of this (1 = every minute, 5 = :00, :05, …); default 1 */
  everyMinutes?: number;
}

/**
 * The one timer trigger a function may have on CloudBase (定时触发器: 目前仅支持一个触发器) runs
 * every job that is due at its start, one after another; a job that fails does not stop the others
 * (it is logged and reported in the result, and runs again at its next due minute).
 */
export function dispatcher<Ctx extends { now: Date }>(jobs: Readonly<Record<string, TimerJob<Ctx>>>): TimerDef<Ctx> {
  const names = Object.keys(jobs);
  return {
    ops: {
      count: names.map((n) => jobs[n].ops.count ?? '—').join(' + '),
      what: `runs each due job: ${names.map((n) => `\`${n}\`${(jobs[n].everyMinutes ?? 1) > 1 ? ` (every ${jobs[n].everyMinutes} min)` : ''} — ${jobs[n].ops.what}`).join('; ')}`,
    },
    run: async (ctx) => {
      const minute = Math.floor(ctx.now.getTime() / 60_000);
      const ran: Record<string, unknown> = {};
      const failed: string[] = [];
      for (const name of names) {
        const every = Math.max(1, jobs[name].everyMinutes ?? 1);
        if (minute % every !== 0) continue;
        try {
          ran[name] = (await jobs[name].run(ctx)) ?? null;
        } catch (e) {
          failed.push(name);
          console.error(`[timer] job ${name} failed:`, e);
        }
      }
      return { jobs: ran, failed };
    },
  };
}

export interface FunctionDef<Ctx extends BaseCtx> {
  /** the folder under cloudfunctions/ */
  name: string;
  /** what the function is for (docs/db-ops.md) */
  about: string;
  /** what every row of its operations table assumes beyond the caller read (caches, exceptions) */
  opsNote?: string;
  actions: ActionTable<Ctx>;
  /** timer code by trigger name; only triggers listed in config.json ever run */
  timers?: Readonly<Record<string, TimerDef<Ctx>>>;
  /** the function's config.json: its open-API permissions and its one timer trigger (timeouts live in cloudbaserc.json) */
  config: { permissions?: { openapi?: readonly string[] }; triggers?: ReadonlyArray<{ name: string; config?: string }> };
  makeCtx: (p: Platform) => Ctx;
  /** `require('wx-server-sdk')`, handed in so core/ never imports it */
  sdk: CloudSdk;
}

export interface ServedFunction<Ctx extends BaseCtx> {
  /** the CloudBase entry point */
  main: (event: unknown, context?: unknown) => Promise<unknown>;
  /** the same pipeline in-process, with an explicit identity and context overrides */
  handle: (event: unknown, identity: Identity, deps?: Partial<Ctx>) => Promise<unknown>;
  def: FunctionDef<Ctx>;
}

export function serve<Ctx extends BaseCtx>(def: FunctionDef<Ctx>): ServedFunction<Ctx> {
  const triggers = def.config.triggers ?? [];
  const timers = def.timers ?? {};
  let db: Db | null = null;
  // once per instance: CloudBase keeps a warm instance's module state between calls
  const instanceDb = (): Db => {
    if (!db) {
      def.sdk.init({ env: def.sdk.DYNAMIC_CURRENT_ENV });
      // a missing document reads as `data: null` instead of throwing: "not found" is an answer here
      db = def.sdk.database({ throwOnNotFound: false });
    }
    return db;
  };

  const handle = async (event: unknown, identity: Identity, deps?: Partial<Ctx>): Promise<unknown> => {
    // timers run only when the platform started them; never through the action table
    const timer = routeTimer(event, identity, triggers, timers);
    if (timer.kind === 'refused') {
      console.warn('[timer] refused:', timer.reason);
      return timer.result satisfies Result<never>;
    }
    // every transaction of every action retries a write conflict (core/fn/transaction.ts)
    const db = retryingTransactions(deps?.db ?? instanceDb());
    const platform: Platform = { cloud: def.sdk, db, now: deps?.now ?? new Date(), env: process.env };
    const ctx: Ctx = { ...def.makeCtx(platform), ...deps, db };
    if (timer.kind === 'timer') return timer.handler.run(ctx);
    return runAction(def.actions, event as FunctionEvent | null | undefined, identity.OPENID ?? '', ctx);
  };

  return { main: (event) => handle(event, def.sdk.getWXContext()), handle, def };
}
