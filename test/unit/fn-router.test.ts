import { z } from 'zod';
import { action, audienceAllows, runAction, type Caller } from '../../core/fn/router';
import { AppError, isErrorResult, statusOf } from '../../core/fn/errors';

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
