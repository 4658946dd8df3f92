import { ApiError, NETWORK_MESSAGE, plainMessage, unwrapResult, type ApiErrorCode } from './errors';

type FetchLike = (url: string, init: { method: string; credentials: 'include'; headers: Record<string, string>; body: string }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/**
 * H5 transport: the local gateway at `/api/functions/<name>` answers `200 { result, requestId }`
 * or `4xx/5xx { error: { code, message }, requestId }`; `result` is the function's own answer.
 * The session is a cookie set by the gateway's dev sign-in page, hence `credentials: 'include'`.
 */
export async function callViaGateway<T>(
  name: string,
  action: string,
  payload: unknown,
  fetchImpl: FetchLike = (globalThis as unknown as { fetch: FetchLike }).fetch,
): Promise<T> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchImpl('/api/functions/' + encodeURIComponent(name), {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action, payload }),
    });
  } catch (err) {
    throw new ApiError('UNAVAILABLE', NETWORK_MESSAGE, String(err));
  }
  type Envelope = { result?: unknown; error?: { code?: string; message?: string; details?: unknown } };
  let body: Envelope | null;
  try {
    body = (await res.json()) as Envelope | null;
  } catch {
    body = null;
  }
  if (!res.ok || !body || body.error) {
    const e = body?.error;
    if (e?.code) throw new ApiError(e.code as ApiErrorCode, plainMessage(e.code, e.message), e.details);
    // A proxy or a stopped gateway answers without our envelope: treat as the network.
    throw new ApiError('UNAVAILABLE', NETWORK_MESSAGE, `HTTP ${res.status}`);
  }
  return unwrapResult<T>(body.result);
}

/**
 * wx.requestSubscribeMessage on H5: the local gateway's dev client records one grant of each
 * template for the signed-in person (as tapping 允许 does on WeChat) and answers in wx's shape,
 * `{ [templateId]: 'accept' }`. Rejects like Taro does when the prompt fails.
 */
export async function requestSubscribeViaGateway(
  tmplIds: string[],
  fetchImpl: FetchLike = (globalThis as unknown as { fetch: FetchLike }).fetch,
): Promise<Record<string, string>> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchImpl('/api/dev/subscribe', {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tmplIds }),
    });
  } catch (err) {
    throw new ApiError('UNAVAILABLE', NETWORK_MESSAGE, String(err));
  }
  const body = (await res.json().catch(() => null)) as Record<string, string> | null;
  if (!res.ok || !body) throw new ApiError('UNAVAILABLE', NETWORK_MESSAGE, String(body?.errMsg ?? `HTTP ${res.status}`));
  return body;
}
