/**
 * The privacy-authorisation flow WeChat requires since 2023-09-15: a call to any API covered by the
 * 用户隐私保护指引 (location, chooseMessageFile, chooseMedia, the clipboard, …) stays pending while the
 * person has not agreed, and WeChat fires `wx.onNeedPrivacyAuthorization(resolve, { referrer })`.
 * The app then shows its own sheet; only a tap on `<button open-type="agreePrivacyAuthorization">`
 * counts as agreement (WeChat checks that the button with the id passed to resolve was tapped), after
 * which `resolve({ event: 'agree', buttonId })` lets the pending call go on;
 * `resolve({ event: 'disagree' })` makes it fail with "privacy permission is not authorized".
 * https://developers.weixin.qq.com/miniprogram/dev/api/open-api/privacy/wx.onNeedPrivacyAuthorization.html
 * https://developers.weixin.qq.com/miniprogram/dev/framework/user-privacy/PrivacyAuthorize.html
 *
 * One listener for the whole app (registered once in app.ts); every page renders <PrivacySheet/>
 * (src/components/page.tsx) and the sheet of the page on screen answers.
 */

export type PrivacyEvent = 'exposureAuthorization' | 'agree' | 'disagree';
export type PrivacyResolve = (o: { event: PrivacyEvent; buttonId?: string }) => void;

export interface PrivacyApi {
  onNeedPrivacyAuthorization?: (listener: (resolve: PrivacyResolve, info: { referrer: string }) => void) => void;
  openPrivacyContract?: (o?: { fail?: (e: { errMsg: string }) => void }) => void;
}

/** The id of the agree button: WeChat checks resolve's buttonId against the button tapped. */
export const PRIVACY_AGREE_BUTTON_ID = 'privacy-agree';

/** What a person is asked, by the API that asked (eventInfo.referrer). */
const PURPOSE: Record<string, string> = {
  getLocation: '在活动地点签到时核对您的位置',
  chooseLocation: '在地图上选择活动地点',
  chooseMessageFile: '从聊天记录中选择要导入的名册、题库，或会议记录的附件',
  chooseMedia: '拍摄或选择会议现场照片、要上传的课程视频',
  setClipboardData: '复制邀请链接或导入模板',
  getClipboardData: '读取您复制的邀请码',
};

export function privacyPurpose(referrer: string): string {
  return PURPOSE[referrer] ?? '完成您刚才的操作';
}

export interface PrivacyRequest {
  referrer: string;
  purpose: string;
}

type Listener = (req: PrivacyRequest | null) => void;

export interface PrivacyFlow {
  /** the request waiting for an answer, if any */
  current(): PrivacyRequest | null;
  subscribe(l: Listener): () => void;
  /** call from the agree button's onAgreePrivacyAuthorization (the tap WeChat checks) */
  agree(): void;
  disagree(): void;
  /** the sheet is on screen (WeChat wants the exposure reported before the answer) */
  shown(): void;
}

/**
 * Registers the one listener. Several pending calls (e.g. two taps) each get an answer: WeChat gives
 * each its own resolve, and all of them are settled by the person's one decision.
 */
export function installPrivacyFlow(api: PrivacyApi): PrivacyFlow {
  let pending: PrivacyResolve[] = [];
  let request: PrivacyRequest | null = null;
  let exposed = false;
  const listeners = new Set<Listener>();
  const emit = () => listeners.forEach((l) => l(request));
  const settle = (answer: { event: PrivacyEvent; buttonId?: string }) => {
    const all = pending;
    pending = [];
    request = null;
    exposed = false;
    all.forEach((r) => r(answer));
    emit();
  };
  // base library < 2.32.3 has no privacy flow (and no privacy check): nothing to register
  api.onNeedPrivacyAuthorization?.((resolve, info) => {
    pending.push(resolve);
    request = { referrer: info?.referrer ?? '', purpose: privacyPurpose(info?.referrer ?? '') };
    emit();
  });
  return {
    current: () => request,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    agree: () => settle({ event: 'agree', buttonId: PRIVACY_AGREE_BUTTON_ID }),
    disagree: () => settle({ event: 'disagree' }),
    shown() {
      if (exposed || !pending.length) return;
      exposed = true;
      pending.forEach((r) => r({ event: 'exposureAuthorization' }));
    },
  };
}

let appFlow: PrivacyFlow | null = null;

/** Called once from app.ts on WeChat. */
export function startPrivacyFlow(api: PrivacyApi): PrivacyFlow {
  appFlow ??= installPrivacyFlow(api);
  return appFlow;
}

export function privacyFlow(): PrivacyFlow | null {
  return appFlow;
}
