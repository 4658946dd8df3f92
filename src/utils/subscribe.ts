import Taro from '@tarojs/taro';
import { SUBSCRIBE_TEMPLATES, type TemplateKey } from '../../core/subscribe/templates';
import { requestSubscribeViaGateway } from '../api/transport-h5';

/**
 * WeChat's subscribe prompt for some templates at once (one tap grants one message of each allowed
 * template); answers which ones the person allowed. On H5 the local gateway's dev client stands in
 * for the prompt and records the grants, so the functions' sends are checked as on WeChat.
 * Rejects as Taro does (e.g. subscriptions turned off in settings).
 */
export async function askSubscribe<K extends TemplateKey>(keys: K[]): Promise<Record<K, boolean>> {
  const ids = keys.map((k) => SUBSCRIBE_TEMPLATES[k].id);
  const res =
    process.env.TARO_ENV === 'h5'
      ? await requestSubscribeViaGateway(ids)
      : ((await Taro.requestSubscribeMessage({ tmplIds: ids } as Taro.requestSubscribeMessage.Option)) as unknown as Record<string, string>);
  return Object.fromEntries(keys.map((k, i) => [k, res[ids[i]] === 'accept'])) as Record<K, boolean>;
}
