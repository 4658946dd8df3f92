import type { ZodType, ZodTypeDef } from 'zod';
import { AppError, type ErrorBody, type Result } from './errors';
import { loadCaller, narrowCaller, type Audience, type Caller, type CallerDb, type CallerFor, type StoredMember } from './caller';
import type { Db } from './db';

export type { Audience, Caller, CallerMember, MemberRole } from './caller';

/**
 * The database operations one call costs (each SDK request counts one; a transaction's start and
 * commit count too), written next to the action and rendered into docs/db-ops.md. `cases` are the
 * rows for a variant of the call: a retry, a first call of the day, a branch of the handler.
 */
export interface OpsDoc {
  count: string;
  what: string;
  cases?: Readonly<Record<string, { count: string; what: string }>>;
}

/** Whatever a function's context holds, it holds the database and the call's clock. */
export interface BaseCtx {
  /** wx-server-sdk's database (typed loosely, see core/fn/db.ts) */
  db: Db;
  now: Date;
}

/**
 * One action of a function's table, with the caller type its handler receives (`C`) erased to the
 * audience list the router checks. Build them with `actionsFor` so the two stay tied together.
 */
export interface ActionDef<Ctx, In, Out, C> {
  allow: readonly Audience[];
  input: ZodType<In, ZodTypeDef, unknown>;
  ops: OpsDoc;
  /**
   * Loads the caller in place of the member read, for an action whose identity lives elsewhere
   * (study `beat`: the session `start` wrote after the full check). Such an action is open to
   * every guest; whatever it loads must prove the rest.
   */
  load?: (ctx: Ctx, openid: string) => Promise<object>;
  handler: (input: In, ctx: Ctx & { caller: C }) => Promise<Out>;
}

// the table erases each action's own types; `actionsFor` checked them where the action was written
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActionTable<Ctx> = Record<string, ActionDef<Ctx, any, any, any>>;

/**
 * The action builders of one function: `Ctx` is its context, `D` what its stored members hold (the
 * caller's document arrives typed as `D`). A handler of `allow: ['secretary']` receives a
 * SecretaryCaller, of `['member', 'organiser']` a MemberCaller | OrganiserCaller.
 *
 *   const { action } = actionsFor<QuizCtx, QuizMemberDoc>();
 *   branchToday: action({ allow: ['secretary', 'organiser'], input, ops: { count: '4', what: '…' },
 *     handler: async (input, ctx) => … ctx.caller.member … }),
 */
export function actionsFor<Ctx, D = StoredMember>() {
  return {
    action: <A extends Audience, In, Out>(def: {
      allow: readonly A[];
      input: ZodType<In, ZodTypeDef, unknown>;
      ops: OpsDoc;
      handler: (input: In, ctx: Ctx & { caller: CallerFor<A, D> }) => Promise<Out>;
    }): ActionDef<Ctx, In, Out, CallerFor<A, D>> => def,
    /** An action whose caller `load` reads instead of the member (see ActionDef.load). */
    loadingAction: <L extends object, In, Out>(def: {
      allow: readonly ['guest'];
      load: (ctx: Ctx, openid: string) => Promise<L>;
      input: ZodType<In, ZodTypeDef, unknown>;
      ops: OpsDoc;
      handler: (input: In, ctx: Ctx & { caller: L & { openid: string } }) => Promise<Out>;
    }): ActionDef<Ctx, In, Out, L & { openid: string }> => def,
  };
}

export interface FunctionEvent {
  action?: unknown;
  payload?: unknown;
}

const NOT_IN_AUDIENCE = (caller: Caller<unknown>) =>
  caller.member ? new AppError('PERMISSION_DENIED', '您没有权限进行此操作') : new AppError('PERMISSION_DENIED', '请先加入党支部');

/**
 * Unknown action → authorisation → input validation → handler. Anything that is not an AppError
 * becomes INTERNAL with a plain message; the stack goes to the function log only.
 */
export async function runAction<Ctx extends BaseCtx>(
  actions: ActionTable<Ctx>,
  event: FunctionEvent | null | undefined,
  openid: string,
  ctx: Ctx,
): Promise<Result<unknown>> {
  try {
    const name = event?.action;
    if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(actions, name)) {
      // String() of a hostile object (`{ toString: 1 }`) throws: name only what is safely a string
      throw new AppError('UNKNOWN_ACTION', `未知的操作: ${typeof name === 'string' ? name.slice(0, 40) : typeof name}`);
    }
    const def = actions[name];
    if (!openid) throw new AppError('UNAUTHENTICATED', '请在微信中打开小程序后再试');
    let caller: unknown;
    if (def.load) {
      caller = { ...(await def.load(ctx, openid)), openid };
    } else {
      const loaded = await loadCaller(ctx.db as CallerDb, openid);
      caller = narrowCaller(def.allow, loaded);
      if (!caller) throw NOT_IN_AUDIENCE(loaded);
    }
    const parsed = def.input.safeParse(event?.payload ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new AppError('INVALID_ARGUMENT', first?.message ?? '输入有误', {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    return { ok: true, data: await def.handler(parsed.data, { ...ctx, caller }) };
  } catch (e) {
    if (e instanceof AppError) {
      const error: ErrorBody = { code: e.code, message: e.message };
      if (e.details !== undefined) error.details = e.details;
      return { ok: false, error };
    }
    console.error('[function error]', e);
    return { ok: false, error: { code: 'INTERNAL', message: '服务暂时出了点问题，请稍后重试' } };
  }
}
