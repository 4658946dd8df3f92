/**
 * What a subscribe-message send became: delivered, refused for good (43101: no grant), or refused
 * "not now" (45009 frequency limit, -1 busy) — the last to be tried again, never marked sent.
 */
import { sendSubscribe } from '../../core/subscribe/send';

const msg = { touser: 'o-1', templateId: 't', page: 'p', data: { thing1: { value: 'x' } } };
const throws = (errCode: unknown) => async () => {
  throw Object.assign(new Error('openapi.subscribeMessage.send:fail'), { errCode });
};

test('an accepted send is ok, whether the SDK answers a code 0 or nothing', async () => {
  expect(await sendSubscribe(async () => ({ errCode: 0, errMsg: 'ok' }), msg)).toEqual({ ok: true });
  expect(await sendSubscribe(async () => undefined, msg)).toEqual({ ok: true });
});

test('the refusal code comes back, thrown or answered; 45009 and -1 are to be retried, 43101 is not', async () => {
  expect(await sendSubscribe(throws(45009), msg)).toEqual({ ok: false, errCode: 45009, retry: true });
  expect(await sendSubscribe(async () => ({ errcode: 45009 }), msg)).toEqual({ ok: false, errCode: 45009, retry: true });
  expect(await sendSubscribe(throws(-1), msg)).toEqual({ ok: false, errCode: -1, retry: true });
  expect(await sendSubscribe(throws(43101), msg)).toEqual({ ok: false, errCode: 43101, retry: false });
  expect(await sendSubscribe(async () => ({ errCode: '43101' }), msg)).toEqual({ ok: false, errCode: 43101, retry: false });
});

test('a failure without a code (network, timeout) is not retried: the message may have gone out', async () => {
  expect(await sendSubscribe(async () => Promise.reject(new Error('ETIMEDOUT')), msg)).toEqual({ ok: false, errCode: null, retry: false });
});

test('the message goes out as the formal version, in Chinese', async () => {
  let sent: Record<string, unknown> = {};
  await sendSubscribe(async (o) => {
    sent = o;
    return {};
  }, msg);
  expect(sent).toMatchObject({ ...msg, miniprogramState: 'formal', lang: 'zh_CN' });
});
