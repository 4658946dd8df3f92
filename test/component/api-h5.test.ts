/**
 * The H5 transport of the one callFunction wrapper, against a fake fetch that answers like the local
 * gateway, and the invite-code parser used by the join page's scan and query handling. A failed
 * write for a reason that is not the person's (a timeout, a crashed instance, the network) reads in
 * plain Chinese and offers 重试; a business refusal does not.
 */
import { ApiError, isRetryable, plainMessage, TIMEOUT_MESSAGE } from '../../src/api/errors';
import { callViaGateway } from '../../src/api/transport-h5';
import { parseInviteCode } from '../../src/utils/invite-code';

type Reply = { status: number; body?: unknown; throws?: boolean; badJson?: boolean };

function fakeFetch(reply: Reply) {
  const calls: { url: string; init: { method: string; credentials: string; headers: Record<string, string>; body: string } }[] = [];
  const impl = async (url: string, init: (typeof calls)[number]['init']) => {
    calls.push({ url, init });
    if (reply.throws) throw new TypeError('Failed to fetch');
    return {
      ok: reply.status >= 200 && reply.status < 300,
      status: reply.status,
      json: async () => {
        if (reply.badJson) throw new SyntaxError('Unexpected token <');
        return reply.body;
      },
    };
  };
  return { impl, calls };
}

async function caught(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

describe('callViaGateway', () => {
  it('posts { action, payload } with the session cookie and returns the data', async () => {
    const f = fakeFetch({ status: 200, body: { result: { ok: true, data: { n: 1 } }, requestId: 'r1' } });
    await expect(callViaGateway('org', 'me', { a: 1 }, f.impl)).resolves.toEqual({ n: 1 });
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0].url).toBe('/api/functions/org');
    expect(f.calls[0].init.method).toBe('POST');
    expect(f.calls[0].init.credentials).toBe('include');
    expect(f.calls[0].init.headers['content-type']).toBe('application/json');
    expect(JSON.parse(f.calls[0].init.body)).toEqual({ action: 'me', payload: { a: 1 } });
  });

  it('throws the function error carried in a 200 result', async () => {
    const f = fakeFetch({ status: 200, body: { result: { ok: false, error: { code: 'NOT_FOUND', message: '邀请码不存在' } } } });
    const err = await caught(callViaGateway('org', 'inviteInfo', {}, f.impl));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toBe('邀请码不存在');
  });

  it('throws the gateway error envelope of a 4xx answer', async () => {
    const f = fakeFetch({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: '请先登录' }, requestId: 'r2' } });
    const err = await caught(callViaGateway('org', 'me', {}, f.impl));
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).toBe('请先登录');
  });

  it('maps a failed network and a non-JSON answer to UNAVAILABLE', async () => {
    const down = await caught(callViaGateway('org', 'me', {}, fakeFetch({ status: 0, throws: true }).impl));
    expect(down.code).toBe('UNAVAILABLE');
    expect(down.message).toBe('网络不太好，请稍后重试');
    const proxy = await caught(callViaGateway('org', 'me', {}, fakeFetch({ status: 502, badJson: true }).impl));
    expect(proxy.code).toBe('UNAVAILABLE');
  });

  it('reports a result without the { ok } shape as INTERNAL', async () => {
    const err = await caught(callViaGateway('org', 'me', {}, fakeFetch({ status: 200, body: { result: { hello: 1 } } }).impl));
    expect(err.code).toBe('INTERNAL');
  });
});

describe('parseInviteCode', () => {
  it('reads the code from a page path, a URL, or the bare code', () => {
    expect(parseInviteCode('pages/org/join/index?code=AB23CD45')).toBe('AB23CD45');
    expect(parseInviteCode('http://127.0.0.1:8080/#/pages/org/join/index?x=1&code=ab23cd45')).toBe('AB23CD45');
    expect(parseInviteCode(' ab23cd45 ')).toBe('AB23CD45');
  });

  it('rejects text that is not a valid code (look-alike characters, wrong length)', () => {
    expect(parseInviteCode('AB23CD4O')).toBeNull();
    expect(parseInviteCode('code=AB23')).toBeNull();
    expect(parseInviteCode('')).toBeNull();
    expect(parseInviteCode(undefined)).toBeNull();
  });
});

/** a gateway answer as the fetch implementation sees it */
const gateway = (status: number, body: unknown) => async () => ({ ok: status < 300, status, json: async () => body });

describe('a failed write', () => {
  it('a function timeout (504 from the gateway) reads as a Chinese timeout and may be retried', async () => {
    const err = await caught(
      callViaGateway('quiz', 'submit', {}, gateway(504, { error: { code: 'DEADLINE_EXCEEDED', message: 'Invoking task timed out after 3 seconds' } })),
    );
    expect(err.code).toBe('DEADLINE_EXCEEDED');
    expect(err.message).toBe('服务响应超时，请重试');
    expect(isRetryable(err)).toBe(true);
  });

  it('a crashed instance and a function\'s own INTERNAL may be retried; the function\'s Chinese text is kept', async () => {
    const crash = await caught(callViaGateway('quiz', 'submit', {}, gateway(500, { error: { code: 'INTERNAL', message: 'function instance crashed' } })));
    expect(crash.message).toBe('服务出了点问题，请重试');
    expect(isRetryable(crash)).toBe(true);
    const own = await caught(
      callViaGateway('quiz', 'submit', {}, gateway(500, { error: { code: 'INTERNAL', message: '服务暂时出了点问题，请稍后重试' } })),
    );
    expect(own.message).toBe('服务暂时出了点问题，请稍后重试');
    expect(isRetryable(own)).toBe(true);
  });

  it('the network failing may be retried', async () => {
    const down = await caught(
      callViaGateway('activity', 'signIn', {}, async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    expect(down.code).toBe('UNAVAILABLE');
    expect(isRetryable(down)).toBe(true);
  });

  it('a business refusal is shown as it is and offers no 重试', async () => {
    const late = await caught(
      callViaGateway('quiz', 'submit', {}, gateway(409, { error: { code: 'FAILED_PRECONDITION', message: '这一天的答题已经截止' } })),
    );
    expect(late.message).toBe('这一天的答题已经截止');
    expect(isRetryable(late)).toBe(false);
    expect(isRetryable(new Error('x'))).toBe(false);
    expect(plainMessage('INVALID_ARGUMENT', '日期不对')).toBe('日期不对');
  });

  it('a timeout reads the same whichever transport reported it', () => {
    expect(plainMessage('DEADLINE_EXCEEDED', '服务响应超时（云函数运行超过 10 秒），请稍后重试')).toBe(TIMEOUT_MESSAGE);
    expect(plainMessage('DEADLINE_EXCEEDED', 'Invoking task timed out after 10 seconds')).toBe(TIMEOUT_MESSAGE);
  });
});
