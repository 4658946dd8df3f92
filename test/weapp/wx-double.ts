/**
 * A `wx` double that behaves as WeChat documents, for the platform wrappers in src/platform/.
 * It is built from the app's own config (src/app.config.ts through loadAppConfig), so a declaration
 * removed there makes the double refuse exactly as the client would:
 *
 * - an API listed by WeChat as needing `requiredPrivateInfos` fails with
 *   "<api>:fail the api need to be declared in the requiredPrivateInfos field in app.json/ext.json"
 *   when it is not declared (app.html#requiredPrivateInfos);
 * - scope.userLocation needs `permission['scope.userLocation'].desc`, or the call fails;
 * - a privacy API while the person has not agreed to the 隐私保护指引 fires the
 *   onNeedPrivacyAuthorization listener and stays pending; resolve({ event: 'agree', buttonId }) lets
 *   it go on only if that very button (open-type agreePrivacyAuthorization) was tapped, disagree
 *   makes it fail with "<api>:fail privacy permission is not authorized"
 *   (api/open-api/privacy/wx.onNeedPrivacyAuthorization.html);
 * - the first use of a scope asks once; after a refusal every call fails at once with
 *   "<api>:fail auth deny" until wx.openSetting turns it back on (open-api/setting/wx.openSetting.html);
 * - wx.openSetting works only from a tap ("openSetting:fail can only be invoked by user TAP gesture");
 * - wx.cloud.downloadFile answers { tempFilePath, statusCode } for a known fileID, and
 *   "downloadFile:fail …" otherwise; wx.openDocument opens doc/xls/ppt/pdf types only.
 */
import path from 'path';

export interface AppConfig {
  pages: string[];
  subPackages?: { root: string; pages: string[] }[];
  requiredPrivateInfos?: string[];
  permission?: Record<string, { desc?: string }>;
  plugins?: Record<string, { version: string; provider: string }>;
  [k: string]: unknown;
}

/** src/app.config.ts as Taro reads it: a module calling the global defineAppConfig. */
export function loadAppConfig(): AppConfig {
  const g = globalThis as unknown as { defineAppConfig?: (c: AppConfig) => AppConfig };
  const had = g.defineAppConfig;
  g.defineAppConfig = (c) => c;
  try {
    const file = path.resolve(__dirname, '../../src/app.config.ts');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config module is evaluated, as Taro does
    return (require(file) as { default: AppConfig }).default;
  } finally {
    g.defineAppConfig = had;
  }
}

/** The APIs WeChat lists as needing a requiredPrivateInfos declaration. */
export const PRIVATE_INFO_APIS = ['getFuzzyLocation', 'getLocation', 'onLocationChange', 'startLocationUpdate', 'startLocationUpdateBackground', 'chooseLocation', 'choosePoi', 'chooseAddress'];

/** A few of the APIs the 隐私保护指引 covers (those this app calls). */
export const PRIVACY_APIS = ['getLocation', 'chooseLocation', 'chooseMessageFile', 'chooseMedia', 'setClipboardData', 'getClipboardData'];

type Answer = 'allow' | 'deny';
type WxErr = { errMsg: string; errno?: number };
type Resolve = (o: { event: string; buttonId?: string }) => void;

export interface WxDoubleOptions {
  config: AppConfig;
  /** the person has already agreed to the privacy guide */
  privacyAgreed?: boolean;
  /** what the person answers when WeChat asks for a scope the first time */
  answers?: Record<string, Answer>;
  /** the phone's own location switch */
  systemLocationOn?: boolean;
  /** the person picks a point (or closes the map) */
  chooseLocationResult?: { latitude: number; longitude: number; name: string; address: string } | 'cancel';
  position?: { latitude: number; longitude: number; accuracy: number };
  /** fileID → bytes in cloud storage */
  cloudFiles?: Record<string, number>;
}

export class WxDouble {
  authSetting: Record<string, boolean | undefined> = {};
  privacyAgreed: boolean;
  readonly asked: string[] = [];
  readonly calls: { api: string; arg?: unknown }[] = [];
  private privacyListener: ((resolve: Resolve, info: { referrer: string }) => void) | null = null;
  private tappedButtons = new Set<string>();
  private inTap = false;
  /** what the person switches in the settings page */
  settingsChoice: Record<string, boolean> = {};
  readonly opened: { filePath: string; fileType?: string; showMenu?: boolean }[] = [];
  private tmp = 0;

  constructor(private readonly opts: WxDoubleOptions) {
    this.privacyAgreed = !!opts.privacyAgreed;
  }

  // ---- the person's side --------------------------------------------------------------

  /** A tap on a button: `open-type="agreePrivacyAuthorization"` buttons are remembered by id. */
  tap<T>(buttonId: string, handler: () => T): T {
    this.tappedButtons.add(buttonId);
    this.inTap = true;
    try {
      return handler();
    } finally {
      this.inTap = false;
    }
  }

  // ---- wx API ---------------------------------------------------------------------------

  onNeedPrivacyAuthorization = (listener: (resolve: Resolve, info: { referrer: string }) => void): void => {
    this.privacyListener = listener;
  };

  openPrivacyContract = (): void => {
    this.calls.push({ api: 'openPrivacyContract' });
  };

  getLocation = async (o: { type: string }): Promise<{ latitude: number; longitude: number; accuracy: number }> => {
    await this.gate('getLocation', 'scope.userLocation');
    if (this.opts.systemLocationOn === false) throw this.err('getLocation:fail system permission denied');
    if (o.type !== 'gcj02' && o.type !== 'wgs84') throw this.err('getLocation:fail invalid type');
    return this.opts.position ?? { latitude: 34.75, longitude: 113.62, accuracy: 30 };
  };

  chooseLocation = async (): Promise<{ latitude: number; longitude: number; name: string; address: string }> => {
    await this.gate('chooseLocation', 'scope.userLocation');
    const r = this.opts.chooseLocationResult ?? { latitude: 34.75, longitude: 113.62, name: '社区党群服务中心', address: '中原路 1 号' };
    if (r === 'cancel') throw this.err('chooseLocation:fail cancel');
    return r;
  };

  getSetting = async (): Promise<{ authSetting: Record<string, boolean | undefined> }> => ({ authSetting: { ...this.authSetting } });

  openSetting = async (): Promise<{ authSetting: Record<string, boolean | undefined> }> => {
    if (!this.inTap) throw this.err('openSetting:fail can only be invoked by user TAP gesture.');
    for (const [scope, on] of Object.entries(this.settingsChoice)) {
      if (scope in this.authSetting) this.authSetting[scope] = on;
    }
    return { authSetting: { ...this.authSetting } };
  };

  openDocument = async (o: { filePath: string; fileType?: string; showMenu?: boolean }): Promise<{ errMsg: string }> => {
    if (!o.filePath.startsWith('wxfile://')) throw this.err('openDocument:fail file not found');
    if (o.fileType && !['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'pdf'].includes(o.fileType)) throw this.err('openDocument:fail filetype not supported');
    this.opened.push(o);
    return { errMsg: 'openDocument:ok' };
  };

  cloud = {
    downloadFile: async (o: { fileID: string }): Promise<{ tempFilePath: string; statusCode: number; errMsg: string }> => {
      this.calls.push({ api: 'cloud.downloadFile', arg: o });
      if (!o || typeof o.fileID !== 'string' || !o.fileID.startsWith('cloud://')) throw this.err('cloud.downloadFile:fail invalid fileID', -1);
      if (!(o.fileID in (this.opts.cloudFiles ?? {}))) throw this.err('cloud.downloadFile:fail storage file not exists', -404011);
      return { tempFilePath: `wxfile://tmp_${++this.tmp}.xlsx`, statusCode: 200, errMsg: 'cloud.downloadFile:ok' };
    },
  };

  // ---- what WeChat checks before a call --------------------------------------------------

  private err(errMsg: string, errno?: number): WxErr {
    return errno === undefined ? { errMsg } : { errMsg, errno };
  }

  private async gate(api: string, scope: string): Promise<void> {
    this.calls.push({ api });
    const cfg = this.opts.config;
    if (PRIVATE_INFO_APIS.includes(api) && !(cfg.requiredPrivateInfos ?? []).includes(api)) {
      throw this.err(`${api}:fail the api need to be declared in the requiredPrivateInfos field in app.json/ext.json`);
    }
    if (scope === 'scope.userLocation' && !cfg.permission?.[scope]?.desc) {
      throw this.err(`${api}:fail require permission desc`);
    }
    if (PRIVACY_APIS.includes(api) && !this.privacyAgreed) {
      if (!this.privacyListener) throw this.err(`${api}:fail privacy permission is not authorized`, 104);
      const answer = await new Promise<{ event: string; buttonId?: string }>((resolve) => {
        let done = false;
        this.privacyListener!((o) => {
          if (o.event === 'exposureAuthorization' || done) return;
          done = true;
          resolve(o);
        }, { referrer: api });
      });
      if (answer.event === 'agree' && answer.buttonId && this.tappedButtons.has(answer.buttonId)) {
        this.privacyAgreed = true;
      } else {
        throw this.err(`${api}:fail privacy permission is not authorized`, 104);
      }
    }
    if (this.authSetting[scope] === undefined) {
      this.asked.push(scope);
      this.authSetting[scope] = (this.opts.answers?.[scope] ?? 'allow') === 'allow';
    }
    if (!this.authSetting[scope]) throw this.err(`${api}:fail auth deny`);
  }
}
