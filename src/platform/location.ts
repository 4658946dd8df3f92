/**
 * Location on WeChat, with every refusal turned into words a person can act on.
 *
 * What WeChat requires (each checked by test/weapp/app-config.test.ts against src/app.config.ts):
 * - `requiredPrivateInfos` lists getLocation and chooseLocation, or both fail with "the api need to
 *   be declared in the requiredPrivateInfos field in app.json/ext.json" (required since 2022-07-14;
 *   https://developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html#requiredPrivateInfos);
 * - `permission['scope.userLocation'].desc` is the purpose WeChat shows when it asks
 *   (https://developers.weixin.qq.com/miniprogram/dev/reference/configuration/app.html#permission);
 * - the 用户隐私保护指引 declares 位置信息, and the person agrees through the privacy sheet
 *   (src/platform/privacy.ts) before the first call.
 * Once a person refuses scope.userLocation WeChat never asks again: the call fails at once with
 * "…:fail auth deny" and only the settings page (wx.openSetting, which must follow a tap) turns it
 * back on (https://developers.weixin.qq.com/miniprogram/dev/api/open-api/setting/wx.openSetting.html).
 *
 * The wx slice is handed in (Taro on the phone, a faithful double in tests), so this file never
 * touches a global.
 */
import { ApiError } from '../api/errors';

export interface AuthSettingResult {
  authSetting: { 'scope.userLocation'?: boolean };
}

/** The part of wx / Taro these helpers use. */
export interface LocationApi {
  getLocation(o: { type: 'gcj02' | 'wgs84' }): Promise<{ latitude: number; longitude: number; accuracy?: number }>;
  chooseLocation(o: Record<string, never>): Promise<{ latitude: number; longitude: number; name: string; address: string }>;
  openSetting(): Promise<AuthSettingResult>;
}

export type LocationFailure = 'denied' | 'privacy' | 'system' | 'undeclared' | 'cancelled' | 'unavailable';

export const LOCATION_MESSAGES: Record<Exclude<LocationFailure, 'cancelled'>, string> = {
  denied: '您没有允许本小程序使用位置信息。请点“去设置”（或右上角“···”→“设置”），打开“位置信息”后再试。',
  privacy: '您还没有同意《用户隐私保护指引》，无法使用位置信息。请再试一次，并在弹出的说明中点“同意”。',
  system: '手机的定位服务没有打开，或没有允许微信使用位置。请在手机“设置”中打开定位服务并允许微信使用位置，再试一次。',
  undeclared: '定位功能暂不可用，请联系管理员。',
  unavailable: '暂时无法获取您的位置，请到开阔处稍后重试。',
};

/** Which refusal an errMsg describes. WeChat's wording varies by client (auth deny / auth denied). */
export function classifyLocationError(err: unknown): LocationFailure {
  const msg = String((err as { errMsg?: string } | null)?.errMsg ?? (err as Error | null)?.message ?? err ?? '');
  if (/privacy (permission|agreement)|privacy.*not authorized/i.test(msg)) return 'privacy';
  if (/requiredPrivateInfos/i.test(msg)) return 'undeclared';
  if (/fail:? ?cancel/i.test(msg)) return 'cancelled';
  if (/auth den|authorize no response|permission denied by user/i.test(msg)) return 'denied';
  if (/system permission denied|locationswitchoff|location.*(off|disabled)|ERROR_NOCELL/i.test(msg)) return 'system';
  return 'unavailable';
}

/**
 * The error a page shows: FAILED_PRECONDITION (no 重试: trying again changes nothing until the person
 * acts) with the way out in the message; `details.openSettings` says a 去设置 button would help.
 */
export function locationError(kind: Exclude<LocationFailure, 'cancelled'>, raw?: unknown): ApiError {
  const errMsg = String((raw as { errMsg?: string } | null)?.errMsg ?? '');
  return new ApiError('FAILED_PRECONDITION', LOCATION_MESSAGES[kind], { kind, openSettings: kind === 'denied', errMsg });
}

/** The person's position (GCJ-02, what the map and the server's geofence use), or a Chinese ApiError. */
export async function getCurrentLocation(api: LocationApi): Promise<{ lat: number; lng: number; accuracy?: number }> {
  try {
    const r = await api.getLocation({ type: 'gcj02' });
    return { lat: r.latitude, lng: r.longitude, accuracy: r.accuracy };
  } catch (err) {
    const kind = classifyLocationError(err);
    throw locationError(kind === 'cancelled' ? 'unavailable' : kind, err);
  }
}

/** A point picked on the map; null when the person closed the map (nothing to say). */
export async function chooseMapPoint(api: LocationApi): Promise<{ lat: number; lng: number; name: string; address: string } | null> {
  try {
    const r = await api.chooseLocation({});
    return { lat: r.latitude, lng: r.longitude, name: r.name, address: r.address };
  } catch (err) {
    const kind = classifyLocationError(err);
    if (kind === 'cancelled') return null;
    throw locationError(kind, err);
  }
}

/** Opens the settings page (call it from a tap); true when location is allowed on return. */
export async function openLocationSettings(api: LocationApi): Promise<boolean> {
  try {
    const r = await api.openSetting();
    return r.authSetting['scope.userLocation'] === true;
  } catch {
    return false;
  }
}
