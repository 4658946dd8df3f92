import Taro from '@tarojs/taro';
import { ApiError, INTERNAL_MESSAGE, NETWORK_MESSAGE, TIMEOUT_MESSAGE, toApiError, unwrapResult } from './errors';
import { callViaGateway } from './transport-h5';

export { ApiError, isApiError, isRetryable, toApiError } from './errors';
export type { ApiErrorCode } from './errors';

let cloudReady = false;

/** Called once from app.ts on weapp; H5 has no Taro.cloud (it throws "暂时不支持"). */
export function initCloud(): void {
  if (process.env.TARO_ENV !== 'weapp' || cloudReady) return;
  Taro.cloud.init(CLOUD_ENV ? { env: CLOUD_ENV, traceUser: true } : { traceUser: true });
  cloudReady = true;
}

/**
 * THE one way the app talks to cloud functions. Resolves with the action's data or throws an
 * ApiError { code, message } — the same on WeChat (Taro.cloud.callFunction) and on H5 (the local
 * gateway over HTTP).
 */
export async function callFunction<T>(name: string, action: string, payload: unknown = {}): Promise<T> {
  if (process.env.TARO_ENV === 'h5') {
    return callViaGateway<T>(name, action, payload);
  }
  initCloud();
  let res: { result?: unknown };
  try {
    res = (await Taro.cloud.callFunction({ name, data: { action, payload } })) as { result?: unknown };
  } catch (err) {
    // Taro.cloud rejects for transport problems, for a function that crashed (errCode -504002) and
    // for one that ran out of time (-504003).
    const msg = String((err as { errMsg?: string })?.errMsg ?? err);
    if (/-504003|timed? ?out/i.test(msg)) throw new ApiError('DEADLINE_EXCEEDED', TIMEOUT_MESSAGE, msg);
    if (/-504002|functions execute fail/i.test(msg)) throw new ApiError('INTERNAL', INTERNAL_MESSAGE, msg);
    throw new ApiError('UNAVAILABLE', NETWORK_MESSAGE, msg);
  }
  try {
    return unwrapResult<T>(res.result);
  } catch (err) {
    throw toApiError(err);
  }
}
