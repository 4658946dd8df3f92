/**
 * What a person sees when a write fails for a reason that is not theirs: the platform's English
 * answers (a timeout, a crashed instance) become plain Chinese, and exactly those failures (network,
 * INTERNAL, DEADLINE_EXCEEDED) offer 重试; a business refusal does not.
 */
import { ApiError, isRetryable, plainMessage } from '../../src/api/errors';
import { callViaGateway } from '../../src/api/transport-h5';

const gateway = (status: number, body: unknown) => async () => ({ ok: status < 300, status, json: async () => body });

async function caught(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a rejection');
}

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
});
