/**
 * Location and the privacy-authorisation flow on WeChat, run against a wx double that refuses as
 * the client does (test/weapp/wx-double.ts) and is configured from the app's own src/app.config.ts.
 */
import { ApiError } from '../../src/api/errors';
import { chooseMapPoint, classifyLocationError, getCurrentLocation, LOCATION_MESSAGES, openLocationSettings } from '../../src/platform/location';
import { installPrivacyFlow, PRIVACY_AGREE_BUTTON_ID } from '../../src/platform/privacy';
import { loadAppConfig, WxDouble } from './wx-double';

const config = loadAppConfig();

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}

/** lets the double's pending promise reach the listener */
const tick = () => new Promise((r) => setImmediate(r));

describe('location with the declarations of src/app.config.ts', () => {
  it('a member who allows location gets a GCJ-02 position, asked once', async () => {
    const wx = new WxDouble({ config, privacyAgreed: true, position: { latitude: 34.7, longitude: 113.6, accuracy: 20 } });
    await expect(getCurrentLocation(wx)).resolves.toEqual({ lat: 34.7, lng: 113.6, accuracy: 20 });
    await getCurrentLocation(wx);
    expect(wx.asked).toEqual(['scope.userLocation']);
  });

  it('a refusal is a Chinese message with the way to allow it, and 去设置 brings location back', async () => {
    const wx = new WxDouble({ config, privacyAgreed: true, answers: { 'scope.userLocation': 'deny' } });
    const e = await rejection(getCurrentLocation(wx));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('FAILED_PRECONDITION');
    expect(e.message).toBe(LOCATION_MESSAGES.denied);
    expect(e.message).toMatch(/去设置.*位置信息/);
    expect((e.details as { openSettings: boolean }).openSettings).toBe(true);
    // WeChat does not ask again: the next call fails at once the same way
    expect((await rejection(getCurrentLocation(wx))).message).toBe(LOCATION_MESSAGES.denied);
    // the settings page opens only from a tap
    wx.settingsChoice = { 'scope.userLocation': true };
    await expect(openLocationSettings(wx)).resolves.toBe(false);
    await expect(wx.tap('location-settings', () => openLocationSettings(wx))).resolves.toBe(true);
    await expect(getCurrentLocation(wx)).resolves.toMatchObject({ lat: 34.75 });
  });

  it('the secretary closing the map is not an error; a refusal on the map is', async () => {
    const closed = new WxDouble({ config, privacyAgreed: true, chooseLocationResult: 'cancel' });
    await expect(chooseMapPoint(closed)).resolves.toBeNull();
    const refused = new WxDouble({ config, privacyAgreed: true, answers: { 'scope.userLocation': 'deny' } });
    expect((await rejection(chooseMapPoint(refused))).message).toBe(LOCATION_MESSAGES.denied);
    const ok = new WxDouble({ config, privacyAgreed: true });
    await expect(chooseMapPoint(ok)).resolves.toEqual({ lat: 34.75, lng: 113.62, name: '社区党群服务中心', address: '中原路 1 号' });
  });

  it('a phone with location switched off says so', async () => {
    const wx = new WxDouble({ config, privacyAgreed: true, systemLocationOn: false });
    expect((await rejection(getCurrentLocation(wx))).message).toBe(LOCATION_MESSAGES.system);
  });

  it('without the requiredPrivateInfos declaration both calls fail (what the app did before)', async () => {
    const bare = new WxDouble({ config: { ...config, requiredPrivateInfos: [] }, privacyAgreed: true });
    expect((await rejection(getCurrentLocation(bare))).message).toBe(LOCATION_MESSAGES.undeclared);
    expect((await rejection(chooseMapPoint(bare))).message).toBe(LOCATION_MESSAGES.undeclared);
  });

  it('classifies the wordings WeChat clients use', () => {
    expect(classifyLocationError({ errMsg: 'getLocation:fail auth deny' })).toBe('denied');
    expect(classifyLocationError({ errMsg: 'getLocation:fail:auth denied' })).toBe('denied');
    expect(classifyLocationError({ errMsg: 'getLocation:fail authorize no response' })).toBe('denied');
    expect(classifyLocationError({ errMsg: 'chooseLocation:fail cancel' })).toBe('cancelled');
    expect(classifyLocationError({ errMsg: 'getLocation:fail privacy permission is not authorized', errno: 104 })).toBe('privacy');
    expect(classifyLocationError({ errMsg: 'getLocation:fail system permission denied' })).toBe('system');
    expect(classifyLocationError({ errMsg: 'getLocation:fail timeout' })).toBe('unavailable');
  });
});

describe('privacy authorisation (wx.onNeedPrivacyAuthorization + agreePrivacyAuthorization button)', () => {
  it('a first location call waits for the sheet; agreeing with the button lets it go on', async () => {
    const wx = new WxDouble({ config });
    const flow = installPrivacyFlow(wx);
    const seen: (string | null)[] = [];
    flow.subscribe((r) => seen.push(r?.referrer ?? null));
    const pending = getCurrentLocation(wx);
    await tick();
    expect(flow.current()).toEqual({ referrer: 'getLocation', purpose: expect.stringContaining('签到') });
    flow.shown();
    wx.tap(PRIVACY_AGREE_BUTTON_ID, () => flow.agree());
    await expect(pending).resolves.toMatchObject({ lat: 34.75 });
    expect(flow.current()).toBeNull();
    expect(seen).toEqual(['getLocation', null]);
    // agreed once: the next call does not ask again
    await getCurrentLocation(wx);
    expect(seen).toHaveLength(2);
  });

  it('declining fails the call with the privacy message, and the person can be asked again later', async () => {
    const wx = new WxDouble({ config });
    const flow = installPrivacyFlow(wx);
    const pending = getCurrentLocation(wx);
    await tick();
    flow.disagree();
    const e = await rejection(pending);
    expect(e.message).toBe(LOCATION_MESSAGES.privacy);
    const again = getCurrentLocation(wx);
    await tick();
    expect(flow.current()?.referrer).toBe('getLocation');
    wx.tap(PRIVACY_AGREE_BUTTON_ID, () => flow.agree());
    await expect(again).resolves.toMatchObject({ lat: 34.75 });
  });

  it('two calls waiting at once are both answered by one decision', async () => {
    const wx = new WxDouble({ config });
    const flow = installPrivacyFlow(wx);
    const a = getCurrentLocation(wx);
    const b = chooseMapPoint(wx);
    await tick();
    wx.tap(PRIVACY_AGREE_BUTTON_ID, () => flow.agree());
    await expect(a).resolves.toMatchObject({ lat: 34.75 });
    await expect(b).resolves.toMatchObject({ name: '社区党群服务中心' });
  });

  it('agreement counts only from the agreePrivacyAuthorization button the app resolves with', async () => {
    const wx = new WxDouble({ config });
    const flow = installPrivacyFlow(wx);
    const pending = getCurrentLocation(wx);
    await tick();
    wx.tap('some-other-button', () => flow.agree());
    expect((await rejection(pending)).message).toBe(LOCATION_MESSAGES.privacy);
  });

  it('an old base library without the privacy API is left alone', () => {
    const flow = installPrivacyFlow({});
    expect(flow.current()).toBeNull();
    expect(() => flow.agree()).not.toThrow();
  });
});
