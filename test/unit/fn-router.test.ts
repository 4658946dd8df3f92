import { z } from 'zod';
import { action, audienceAllows, runAction, type Caller } from '../../core/fn/router';
import { AppError, isErrorResult, statusOf } from '../../core/fn/errors';
import { isTimerShaped, routeTimer, TIMER_REFUSED_MESSAGE } from '../../core/fn/timer';

const member: Caller = {
  openid: 'o-member',
  member: { _id: 'm1', name: '张三', role: 'member', status: 'active', branchId: 'b1', path: ['d', 'b1'] },
};
const guest: Caller = { openid: 'o-guest', member: null };
const secretary: Caller = { openid: 'o-sec', member: { ...member.member!, _id: 'm2', role: 'secretary' } };

const actions = {
  echo: action({
    allow: ['member'],
    input: z.object({ text: z.string().max(5, '太长') }),
    handler: async (input, ctx) => ({ text: input.text, by: ctx.caller.member?._id }),
  }),
  secret: action({ allow: ['secretary'], input: z.object({}), handler: async () => 'ok' }),
  boom: action({
    allow: ['guest'],
    input: z.object({}),
    handler: async () => {
      throw new Error('db down at /srv/x.js:1');
    },
  }),
  denied: action({
    allow: ['guest'],
    input: z.object({}),
    handler: async () => {
      throw new AppError('NOT_FOUND', '找不到');
    },
  }),
};

const call = (event: unknown, caller: Caller, openid = caller.openid) => {
  const loads: string[] = [];
  const run = runAction(actions, event as never, openid, async (o) => {
    loads.push(o);
    return caller;
  }, {});
  return { run, loads };
};

describe('runAction', () => {
  it('runs a valid call with the stored caller', async () => {
    const { run, loads } = call({ action: 'echo', payload: { text: 'hi' } }, member);
    expect(await run).toEqual({ ok: true, data: { text: 'hi', by: 'm1' } });
    expect(loads).toEqual(['o-member']);
  });

  it('rejects unknown and inherited action names without loading the caller', async () => {
    for (const name of ['nope', 'toString', '__proto__', 42, undefined, { toString: 1, valueOf: 1 }, Object.create(null)]) {
      const { run, loads } = call({ action: name }, member);
      const r = await run;
      expect(isErrorResult(r) && r.error.code).toBe('UNKNOWN_ACTION');
      expect(loads).toEqual([]);
    }
  });

  it('checks authorisation before validating input', async () => {
    const r = await call({ action: 'echo', payload: { text: 123 } }, guest).run;
    expect(isErrorResult(r) && r.error.code).toBe('PERMISSION_DENIED');
    const s = await call({ action: 'secret' }, member).run;
    expect(isErrorResult(s) && s.error.code).toBe('PERMISSION_DENIED');
    expect((await call({ action: 'secret' }, secretary).run).ok).toBe(true);
  });

  it('answers UNAUTHENTICATED without an OPENID', async () => {
    const r = await call({ action: 'boom' }, guest, '').run;
    expect(isErrorResult(r) && r.error.code).toBe('UNAUTHENTICATED');
  });

  it('answers bad input with the schema message and the failing path', async () => {
    const r = await call({ action: 'echo', payload: { text: 'too long' } }, member).run;
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: '太长' } });
    expect(isErrorResult(r) && r.error.details).toEqual({ issues: [{ path: 'text', message: '太长' }] });
  });

  it('turns unexpected errors into INTERNAL without leaking the message', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const r = await call({ action: 'boom' }, guest).run;
    spy.mockRestore();
    expect(isErrorResult(r) && r.error.code).toBe('INTERNAL');
    expect(JSON.stringify(r)).not.toContain('/srv/x.js');
  });

  it('passes AppErrors through', async () => {
    expect(await call({ action: 'denied' }, guest).run).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: '找不到' },
    });
  });
});

describe('audiences', () => {
  it('excludes members who have left and members with no branch', () => {
    expect(audienceAllows(['member'], { ...member, member: { ...member.member!, status: 'left' } })).toBe(false);
    expect(audienceAllows(['member'], { ...member, member: { ...member.member!, branchId: null } })).toBe(false);
    expect(audienceAllows(['guest'], guest)).toBe(true);
  });

  it('maps codes to HTTP statuses', () => {
    expect(statusOf('PERMISSION_DENIED')).toBe(403);
    expect(statusOf('whatever')).toBe(500);
  });
});

describe('routeTimer: a timer runs only when the platform started it', () => {
  const triggers = [{ name: 'sweepSessions' }, { name: 'liveReminders' }];
  const sweep = () => 'swept';
  const handlers = { sweepSessions: sweep, liveReminders: () => 'reminded' };
  const timer = (name: unknown, extra: Record<string, unknown> = {}) => ({ Type: 'Timer', TriggerName: name, Time: '2026-03-01T19:00:00Z', Message: '', ...extra });
  const refusedWith = (r: ReturnType<typeof routeTimer>) => (r.kind === 'refused' ? r.result : null);

  it('runs the named trigger for the platform: no OPENID, SOURCE wx_trigger or none', () => {
    expect(routeTimer(timer('sweepSessions'), { SOURCE: 'wx_trigger' }, triggers, handlers)).toEqual({ kind: 'timer', trigger: 'sweepSessions', handler: sweep });
    expect(routeTimer(timer('sweepSessions'), {}, triggers, handlers)).toMatchObject({ kind: 'timer', trigger: 'sweepSessions' });
    expect(routeTimer(timer('liveReminders'), { OPENID: '', SOURCE: '' }, triggers, handlers)).toMatchObject({ kind: 'timer', trigger: 'liveReminders' });
  });

  it('refuses a timer event from a WeChat user, whatever else it says', () => {
    for (const source of ['wx_client', 'wx_trigger', undefined]) {
      const r = routeTimer(timer('sweepSessions'), { OPENID: 'o-member', SOURCE: source }, triggers, handlers);
      expect(refusedWith(r)).toEqual({ ok: false, error: { code: 'PERMISSION_DENIED', message: TIMER_REFUSED_MESSAGE } });
    }
  });

  it('refuses a timer event without OPENID from any other source: a client, another function, the web', () => {
    for (const source of ['wx_client', 'wx_devtools', 'wx_http', 'wx_trigger,scf', 'wx_client,scf', 'scf', 'web']) {
      expect(routeTimer(timer('sweepSessions'), { SOURCE: source }, triggers, handlers).kind).toBe('refused');
    }
  });

  it('refuses a trigger name that is not one of the function\'s own, or has no handler', () => {
    for (const name of ['nightly', 'SWEEPSESSIONS', '', 'toString', '__proto__', 42, undefined, { toString: 1 }]) {
      expect(routeTimer(timer(name), { SOURCE: 'wx_trigger' }, triggers, handlers).kind).toBe('refused');
    }
    expect(routeTimer(timer('liveReminders'), {}, triggers, { sweepSessions: sweep }).kind).toBe('refused');
    expect(routeTimer(timer('extra'), {}, triggers, { ...handlers, extra: sweep }).kind).toBe('refused');
  });

  it('leaves every event that is not timer-shaped to the action table', () => {
    for (const event of [{ action: 'beat' }, { TriggerName: 'sweepSessions' }, { Type: 'Http' }, { Type: 1 }, null, undefined, 'Timer', []]) {
      expect(routeTimer(event, {}, triggers, handlers)).toEqual({ kind: 'action' });
    }
    expect(isTimerShaped({ Type: 'timer' })).toBe(true);
    expect(isTimerShaped(Object.create({ Type: 'Timer' }))).toBe(false);
  });
});
