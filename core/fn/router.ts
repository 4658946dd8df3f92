import type { ZodType, ZodTypeDef } from 'zod';
import { AppError, type ErrorBody, type Result } from './errors';

/**
 * Who may call an action at all. Scope checks (which branch, which subtree) happen inside the
 * handler, because they depend on the input; this gate runs first and never reads the payload.
 *   guest     any WeChat user with an OPENID, member or not (e.g. someone opening an invite)
 *   member    an active member of a branch (secretaries and organisers with a branch included)
 *   secretary a 支部书记
 *   organiser an 上级管理员 of a subtree
 */
export type Audience = 'guest' | 'member' | 'secretary' | 'organiser';

export type MemberRole = 'member' | 'secretary' | 'organiser';

/** The caller as stored: identity from getWXContext().OPENID, role from org_members. */
export interface Caller {
  openid: string;
  member: CallerMember | null;
}

export interface CallerMember {
  _id: string;
  name: string;
  role: MemberRole;
  status: 'active' | 'left';
  branchId: string | null;
  /** ancestors of the member's branch, root first, branch last */
  path: string[];
  /** organiser only: the org node whose subtree they oversee */
  scopeId?: string | null;
}

export interface ActionDef<Ctx, In, Out> {
  allow: readonly Audience[];
  input: ZodType<In, ZodTypeDef, unknown>;
  handler: (input: In, ctx: Ctx & { caller: Caller }) => Promise<Out>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ActionTable<Ctx> = Record<string, ActionDef<Ctx, any, any>>;

/** Keeps each action's input and output types while collecting them into one table. */
export const action = <Ctx, In, Out>(def: ActionDef<Ctx, In, Out>) => def;

export interface FunctionEvent {
  action?: unknown;
  payload?: unknown;
}

export function audienceAllows(allow: readonly Audience[], caller: Caller): boolean {
  const m = caller.member;
  return allow.some((a) => {
    if (a === 'guest') return caller.openid !== '';
    if (!m || m.status !== 'active') return false;
    if (a === 'member') return m.branchId !== null;
    return m.role === a;
  });
}

/**
 * The one entry point of every cloud function: unknown action → authorisation → input validation →
 * handler. Anything that is not an AppError becomes INTERNAL with a plain message; the stack goes to
 * the function log only.
 */
export async function runAction<Ctx>(
  actions: ActionTable<Ctx>,
  event: FunctionEvent | null | undefined,
  openid: string,
  loadCaller: (openid: string) => Promise<Caller>,
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
    const caller = await loadCaller(openid);
    if (!audienceAllows(def.allow, caller)) {
      throw caller.member
        ? new AppError('PERMISSION_DENIED', '你没有权限进行此操作')
        : new AppError('PERMISSION_DENIED', '请先加入党支部');
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
