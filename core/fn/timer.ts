/**
 * Which calls may run a function's timer. CloudBase starts a timer trigger with the event
 * `{ Type: 'Timer', TriggerName, Time, Message }` and no WeChat caller: getWXContext() has no OPENID,
 * and SOURCE (when the platform reports one) is `wx_trigger` (wx-server-sdk getWXContext: SOURCE is
 * TCB_SOURCE). Anyone can send the same event shape through callFunction, so the shape proves
 * nothing. A timer runs only when all of these hold:
 *   - no OPENID: a mini-program user always has one;
 *   - SOURCE absent or exactly `wx_trigger`: a call from a client, another function (`…,scf`) or any
 *     other platform entry names itself there;
 *   - TriggerName is one of the function's own triggers in its config.json, and has a handler.
 * Any other timer-shaped event is refused with PERMISSION_DENIED before anything is read or written.
 *
 * What remains open: a call with neither OPENID nor SOURCE naming one of the function's triggers,
 * e.g. the console's 云端测试 or an Invoke through the Tencent Cloud API if the platform reports no
 * SOURCE for them. Only someone holding the cloud account can make those, and they can run the
 * function anyway: it runs the timer, as the platform's own admin surface allows.
 */
import type { Result } from './errors';

export const TIMER_SOURCE = 'wx_trigger';
export const TIMER_REFUSED_MESSAGE = '定时任务只能由系统按时触发，您无权调用';

/** What getWXContext() says about the caller, as far as the guard is concerned. */
export interface TimerCaller {
  OPENID?: unknown;
  SOURCE?: unknown;
}

export type TimerRoute<H> =
  /** not timer-shaped: an ordinary action call */
  | { kind: 'action' }
  /** the platform's timer: run this handler */
  | { kind: 'timer'; trigger: string; handler: H }
  /** timer-shaped but not the platform's: answer `result`; `reason` is for the log */
  | { kind: 'refused'; result: Result<never>; reason: string };

/** An event shaped like CloudBase's timer event (Type "Timer", any case). */
export function isTimerShaped(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || !Object.prototype.hasOwnProperty.call(event, 'Type')) return false;
  const type = (event as { Type?: unknown }).Type;
  return typeof type === 'string' && type.toLowerCase() === 'timer';
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/**
 * Routes one invocation: an action call, the function's own timer, or a refusal.
 * `triggers` are the function's config.json triggers; `handlers` its timer code by trigger name.
 */
export function routeTimer<H>(
  event: unknown,
  caller: TimerCaller,
  triggers: ReadonlyArray<{ name: string }>,
  handlers: Readonly<Record<string, H>>,
): TimerRoute<H> {
  if (!isTimerShaped(event)) return { kind: 'action' };
  const refuse = (reason: string): TimerRoute<H> => ({
    kind: 'refused',
    reason,
    result: { ok: false, error: { code: 'PERMISSION_DENIED', message: TIMER_REFUSED_MESSAGE } },
  });
  if (present(caller.OPENID)) return refuse('a WeChat user sent a timer event');
  if (present(caller.SOURCE) && caller.SOURCE !== TIMER_SOURCE) return refuse(`timer event from source ${String(caller.SOURCE).slice(0, 60)}`);
  const name = (event as { TriggerName?: unknown }).TriggerName;
  if (typeof name !== 'string' || !triggers.some((t) => t.name === name)) return refuse('not one of this function\'s triggers');
  if (!Object.prototype.hasOwnProperty.call(handlers, name)) return refuse(`trigger ${name} has no handler`);
  return { kind: 'timer', trigger: name, handler: handlers[name] };
}
