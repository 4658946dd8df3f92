import { z } from 'zod';
import { actionsFor, type BaseCtx } from '../../core/fn/router';
import { audienceAllows, toCallerMember, type Caller, type StoredMember } from '../../core/fn/caller';
import { AppError, isErrorResult, statusOf } from '../../core/fn/errors';
import { serve, type CloudSdk, type Identity } from '../../core/fn/serve';
import { isTimerShaped, routeTimer, TIMER_REFUSED_MESSAGE } from '../../core/fn/timer';

const memberDoc: StoredMember = { _id: 'm1', name: '张三', role: 'member', status: 'active', branchId: 'b1', path: ['d', 'b1'], openid: 'o-member' };
const secretaryDoc: StoredMember = { ...memberDoc, _id: 'm2', role: 'secretary', openid: 'o-sec' };

/** org_members as the caller read sees them; every read is recorded. */
function fakeDb(docs: StoredMember[]) {
  const reads: Array<{ coll: string; query: Record<string, unknown> }> = [];
  const db = {
    collection: (coll: string) => ({
      where: (query: Record<string, unknown>) => ({
        limit: () => ({
          get: async () => {
            reads.push({ coll, query });
            return { data: docs.filter((d) => Object.entries(query).every(([k, v]) => d[k] === v)) };
          },
        }),
      }),
    }),
  };
  return { db, reads };
}

/** A wx-server-sdk stand-in: counts init, answers getWXContext with `identity`. */
function fakeSdk(db: unknown, identity: Identity = {}) {
  const calls = { init: 0, database: 0 };
  const sdk = {
    DYNAMIC_CURRENT_ENV: 'env',
    init: () => void calls.init++,
    database: () => {
      calls.database++;
      return db;
    },
    getWXContext: () => identity,
  } as unknown as CloudSdk;
  return { sdk, calls, identity };
}

interface Ctx extends BaseCtx {
  tag: string;
}
const { action, loadingAction } = actionsFor<Ctx, StoredMember & { note?: string }>();

const actions = {
  echo: action({
    allow: ['member'],
    input: z.object({ text: z.string().max(5, '太长') }),
    ops: { count: '1', what: 'caller' },
    // typed: a member caller has a branch and a stored document
    handler: async (input, ctx) => ({ text: input.text, by: ctx.caller.member._id, branch: ctx.caller.member.branchId.toUpperCase(), doc: ctx.caller.doc._id, tag: ctx.tag }),
  }),
  secret: action({ allow: ['secretary'], input: z.object({}), ops: { count: '1', what: 'caller' }, handler: async (_in, ctx) => ctx.caller.member.role }),
  boom: action({
    allow: ['guest'],
    input: z.object({}),
    ops: { count: '1', what: 'caller' },
    handler: async () => {
      throw new Error('db down at /srv/x.js:1');
    },
  }),
  denied: action({
    allow: ['guest'],
    input: z.object({}),
    ops: { count: '1', what: 'caller' },
    handler: async () => {
      throw new AppError('NOT_FOUND', '找不到');
    },
  }),
  ticket: loadingAction({
    allow: ['guest'],
    load: async (ctx: Ctx, openid: string) => ({ ticket: `${ctx.tag}:${openid}` }),
    input: z.object({}),
    ops: { count: '1', what: 'the ticket' },
    handler: async (_in, ctx) => ({ ticket: ctx.caller.ticket, openid: ctx.caller.openid }),
  }),
};

function fn(docs: StoredMember[] = [memberDoc, secretaryDoc], timers = {}, triggers: Array<{ name: string }> = []) {
  const { db, reads } = fakeDb(docs);
  const { sdk, calls } = fakeSdk(db);
  const served = serve<Ctx>({
    name: 'sample',
    about: 'a sample',
    actions,
    timers,
    config: { triggers },
    makeCtx: (p) => ({ db: p.db, now: p.now, tag: 'made' }),
    sdk,
  });
  return { served, reads, calls };
}

const call = (event: unknown, openid: string) => {
  const f = fn();
  return { run: f.served.handle(event, { OPENID: openid }), reads: f.reads };
};

describe('the router', () => {
  it('runs a valid call with the stored caller, read once', async () => {
    const { run, reads } = call({ action: 'echo', payload: { text: 'hi' } }, 'o-member');
    expect(await run).toEqual({ ok: true, data: { text: 'hi', by: 'm1', branch: 'B1', doc: 'm1', tag: 'made' } });
    expect(reads).toEqual([{ coll: 'org_members', query: { openid: 'o-member', status: 'active' } }]);
  });

  it('rejects unknown and inherited action names without loading the caller', async () => {
    for (const name of ['nope', 'toString', '__proto__', 42, undefined, { toString: 1, valueOf: 1 }, Object.create(null)]) {
      const { run, reads } = call({ action: name }, 'o-member');
      const r = await run;
      expect(isErrorResult(r) && r.error.code).toBe('UNKNOWN_ACTION');
      expect(reads).toEqual([]);
    }
  });

  it('checks authorisation before validating input', async () => {
    const r = await call({ action: 'echo', payload: { text: 123 } }, 'o-guest').run;
    expect(isErrorResult(r) && r.error).toEqual({ code: 'PERMISSION_DENIED', message: '请先加入党支部' });
    const s = await call({ action: 'secret' }, 'o-member').run;
    expect(isErrorResult(s) && s.error.code).toBe('PERMISSION_DENIED');
    expect(await call({ action: 'secret' }, 'o-sec').run).toEqual({ ok: true, data: 'secretary' });
  });

  it('answers UNAUTHENTICATED without an OPENID, before any read', async () => {
    const { run, reads } = call({ action: 'boom' }, '');
    const r = await run;
    expect(isErrorResult(r) && r.error.code).toBe('UNAUTHENTICATED');
    expect(reads).toEqual([]);
  });

  it('answers bad input with the schema message and the failing path', async () => {
    const r = await call({ action: 'echo', payload: { text: 'too long' } }, 'o-member').run;
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: '太长' } });
    expect(isErrorResult(r) && r.error.details).toEqual({ issues: [{ path: 'text', message: '太长' }] });
  });

  it('turns unexpected errors into INTERNAL without leaking the message', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const r = await call({ action: 'boom' }, 'o-guest').run;
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
    expect(isErrorResult(r) && r.error.code).toBe('INTERNAL');
    expect(JSON.stringify(r)).not.toContain('/srv/x.js');
  });

  it('passes AppErrors through', async () => {
    expect(await call({ action: 'denied' }, 'o-guest').run).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: '找不到' } });
  });

  it('lets an action load its own caller instead of the member read', async () => {
    const { run, reads } = call({ action: 'ticket' }, 'o-anyone');
    expect(await run).toEqual({ ok: true, data: { ticket: 'made:o-anyone', openid: 'o-anyone' } });
    expect(reads).toEqual([]);
  });
});

describe('serve', () => {
  it('initialises the SDK once per instance, builds a context per call, and reads identity from getWXContext', async () => {
    const { db, reads } = fakeDb([memberDoc]);
    const { sdk, calls, identity } = fakeSdk(db, { OPENID: 'o-member' });
    const seen: Date[] = [];
    const served = serve<Ctx>({
      name: 'sample',
      about: 'a sample',
      actions,
      config: {},
      makeCtx: (p) => {
        seen.push(p.now);
        return { db: p.db, now: p.now, tag: 'made' };
      },
      sdk,
    });
    expect(calls).toEqual({ init: 0, database: 0 });
    expect(await served.main({ action: 'echo', payload: { text: 'a' } })).toMatchObject({ ok: true, data: { by: 'm1' } });
    identity.OPENID = 'o-nobody';
    expect(await served.main({ action: 'echo', payload: { text: 'b' } })).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(calls).toEqual({ init: 1, database: 1 });
    expect(seen).toHaveLength(2);
    expect(reads.map((r) => r.query.openid)).toEqual(['o-member', 'o-nobody']);
  });

  it('handle() runs the pipeline in-process with the given deps laid over the context, without the SDK', async () => {
    const { served, calls } = fn([]);
    const { db } = fakeDb([memberDoc]);
    const now = new Date('2026-03-01T00:00:00Z');
    const r = await served.handle({ action: 'echo', payload: { text: 'x' } }, { OPENID: 'o-member' }, { db, now, tag: 'test' });
    expect(r).toEqual({ ok: true, data: { text: 'x', by: 'm1', branch: 'B1', doc: 'm1', tag: 'test' } });
    expect(calls).toEqual({ init: 0, database: 0 });
  });

  it('runs a timer only for the platform, through the guard, and never through the action table', async () => {
    const ran: unknown[] = [];
    const run = async (ctx: Ctx) => {
      ran.push(ctx.tag);
      return { done: true };
    };
    const timers = { nightly: { run, ops: { what: 'nothing' } } };
    const { served, reads } = fn([memberDoc], timers, [{ name: 'nightly' }]);
    const event = { Type: 'Timer', TriggerName: 'nightly' };
    expect(await served.handle(event, { SOURCE: 'wx_trigger' })).toEqual({ done: true });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(await served.handle(event, { OPENID: 'o-member' })).toEqual({ ok: false, error: { code: 'PERMISSION_DENIED', message: TIMER_REFUSED_MESSAGE } });
    expect(await served.handle({ ...event, TriggerName: 'other' }, {})).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    warn.mockRestore();
    expect(ran).toEqual(['made']);
    expect(reads).toEqual([]);
  });

  it('refuses a timer-shaped event in a function without timers', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const r = await fn().served.handle({ Type: 'Timer', TriggerName: 'echo' }, {});
    warn.mockRestore();
    expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });
});

describe('audiences', () => {
  const caller = (doc: StoredMember | null, openid = 'o-x'): Caller => ({
    openid,
    member: doc ? toCallerMember(doc) : null,
    doc,
  });

  it('excludes members who have left and members with no branch', () => {
    expect(audienceAllows(['member'], caller({ ...memberDoc, status: 'left' }))).toBe(false);
    expect(audienceAllows(['member'], caller({ ...memberDoc, branchId: null }))).toBe(false);
    expect(audienceAllows(['member'], caller(memberDoc))).toBe(true);
    expect(audienceAllows(['guest'], caller(null))).toBe(true);
    expect(audienceAllows(['guest'], caller(null, ''))).toBe(false);
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
