/**
 * useSubmit, the one hook behind every tap that writes: a second tap while a request is in flight
 * sends nothing, only the tapped button is busy, a failure that is not the person's offers 重试 which
 * sends the very same request (and what follows it) again, a refusal does not, and the page's own
 * checks show in the same place. Rendered with react-dom in jsdom.
 */
import { act, createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { ApiError, NETWORK_MESSAGE } from '../../src/api/errors';
import { useSubmit, type SubmitState } from '../../src/hooks/use-submit';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

type Key = 'approve' | 'reject';

function mount(options?: Parameters<typeof useSubmit>[0]) {
  const latest: { s?: SubmitState<string, Key> } = {};
  function Probe() {
    latest.s = useSubmit<string, Key>(options);
    return null;
  }
  const root: Root = createRoot(document.createElement('div'));
  act(() => root.render(createElement(Probe)));
  return { get s() { return latest.s!; }, unmount: () => act(() => root.unmount()) };
}

/** a request that stays open until the test settles it */
function deferred() {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

test('a second tap while the first is in flight sends nothing; only the tapped key is busy', async () => {
  const h = mount();
  const d = deferred();
  let calls = 0;
  const request = () => (calls++, d.promise);
  let first!: Promise<string | undefined>;
  let second!: Promise<string | undefined>;
  await act(async () => {
    first = h.s.send(request, 'approve');
    second = h.s.send(request, 'reject');
  });
  expect(calls).toBe(1);
  expect(h.s.busy).toBe(true);
  expect(h.s.busyKey).toBe('approve');
  await expect(second).resolves.toBeUndefined();
  await act(async () => d.resolve('done'));
  await expect(first).resolves.toBe('done');
  expect(h.s.busy).toBe(false);
  expect(h.s.busyKey).toBeNull();
  expect(h.s.error).toBeNull();
  h.unmount();
});

test('a timeout keeps the request for 重试, which sends it again (with what follows it) and clears the error', async () => {
  const h = mount();
  const answers: Array<() => Promise<string>> = [
    () => Promise.reject(new ApiError('DEADLINE_EXCEEDED', '服务响应超时，请重试')),
    () => Promise.resolve('stored'),
  ];
  const done: string[] = [];
  let calls = 0;
  // what follows a success lives in the request, so 重试 repeats it too
  const request = () => answers[calls++]().then((r) => (done.push(r), r));
  await act(async () => {
    await h.s.send(request, 'reject');
  });
  expect(h.s.error?.message).toBe('服务响应超时，请重试');
  expect(h.s.canRetry).toBe(true);
  expect(done).toEqual([]);

  let retried!: Promise<string | undefined>;
  await act(async () => {
    retried = h.s.retry();
    await retried;
  });
  expect(calls).toBe(2);
  await expect(retried).resolves.toBe('stored');
  expect(done).toEqual(['stored']);
  expect(h.s.error).toBeNull();
  expect(h.s.canRetry).toBe(false);
  expect(h.s.busyKey).toBeNull();
  h.unmount();
});

test('the retry runs under the key of the failed request', async () => {
  const h = mount();
  const d = deferred();
  let calls = 0;
  const request = () => (++calls === 1 ? Promise.reject(new ApiError('INTERNAL', '服务出了点问题，请重试')) : d.promise);
  await act(async () => {
    await h.s.send(request, 'approve');
  });
  await act(async () => {
    void h.s.retry();
  });
  expect(h.s.busyKey).toBe('approve');
  await act(async () => d.resolve('ok'));
  expect(h.s.busy).toBe(false);
  h.unmount();
});

test('a refusal (the person\'s own business) shows its message without 重试', async () => {
  const h = mount();
  await act(async () => {
    await h.s.send(() => Promise.reject(new ApiError('FAILED_PRECONDITION', '邀请码已用完')));
  });
  expect(h.s.error?.code).toBe('FAILED_PRECONDITION');
  expect(h.s.error?.message).toBe('邀请码已用完');
  expect(h.s.canRetry).toBe(false);
});

test('anything else thrown reads as the network in plain Chinese, and may be retried', async () => {
  const h = mount();
  await act(async () => {
    await h.s.send(() => Promise.reject(new TypeError('Failed to fetch')));
  });
  expect(h.s.error?.code).toBe('UNAVAILABLE');
  expect(h.s.error?.message).toBe(NETWORK_MESSAGE);
  expect(h.s.canRetry).toBe(true);
});

test('fail() shows the page\'s own message in the same place, without 重试; the next send clears it', async () => {
  const h = mount();
  let calls = 0;
  await act(async () => {
    await h.s.send(() => (calls++, Promise.reject(new ApiError('UNAVAILABLE', NETWORK_MESSAGE))));
  });
  act(() => h.s.fail('还有 2 道题没有作答'));
  expect(h.s.error?.message).toBe('还有 2 道题没有作答');
  expect(h.s.canRetry).toBe(false);
  // the failed request is dropped: 重试 cannot resend what the page has since refused to send
  await act(async () => {
    await expect(h.s.retry()).resolves.toBeUndefined();
  });
  expect(calls).toBe(1);
  expect(h.s.error?.message).toBe('还有 2 道题没有作答');
  await act(async () => {
    await h.s.send(() => Promise.resolve('ok'));
  });
  expect(h.s.error).toBeNull();
});

test('onError hears every failure, for pages that report it as a notice', async () => {
  const heard: string[] = [];
  const h = mount({ onError: (e) => heard.push(`${e.code}:${e.message}`) });
  await act(async () => {
    await h.s.send(() => Promise.reject(new ApiError('RESOURCE_EXHAUSTED', '今天已经提醒过了')));
    await h.s.send(() => Promise.resolve('fine'));
  });
  expect(heard).toEqual(['RESOURCE_EXHAUSTED:今天已经提醒过了']);
});
