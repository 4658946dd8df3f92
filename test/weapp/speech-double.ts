/**
 * Doubles of the 微信同声传译 plugin (WechatSI) and of InnerAudioContext, behaving as documented:
 *
 * - `requirePlugin(name)` gives the plugin only when the app config declares it under that name with
 *   WechatSI's provider appid, and the account has added it; otherwise it throws, as the base
 *   library does for a plugin it cannot load;
 * - `textToSpeech({ lang, content, success, fail })` answers asynchronously: lang other than zh_CN /
 *   en_US fails with -20001, empty content with -20002, content over 1,000 UTF-8 bytes with -20003
 *   ("text to speech inner server failed.", what the service answers for a long text); success gives
 *   `{ retcode: 0, origin, filename, expired_time }` (a link valid for 3 hours). `failWith` makes the
 *   next requests fail with a chosen retcode (-20005 network, -40001 rate limit);
 * - an audio context plays only a `src` the plugin made (others fire onError with errCode 10004,
 *   format not supported); the test ends the current playback with `endPlayback()`.
 *   https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/extended/translator.html
 *   https://developers.weixin.qq.com/miniprogram/dev/api/media/audio/InnerAudioContext.html
 */
import type { AppConfig } from './wx-double';

export const WECHAT_SI_PROVIDER = 'wx069ba97219f66d99';
export const TTS_MAX_BYTES = 1000;

type Success = (r: { retcode: number; origin: string; filename: string; expired_time: number }) => void;
type Fail = (r: { retcode: number; msg: string }) => void;

export class AudioDouble {
  src = '';
  playing: string | null = null;
  stopped = false;
  destroyed = false;
  private ended: Array<() => void> = [];
  private errors: Array<(e: { errCode: number; errMsg: string }) => void> = [];
  constructor(private readonly known: Map<string, string>, private readonly log: string[]) {}
  play(): void {
    if (this.destroyed) return;
    if (!this.known.has(this.src)) {
      const e = { errCode: 10004, errMsg: 'format not supported' };
      setTimeout(() => this.errors.forEach((cb) => cb(e)), 0);
      return;
    }
    this.playing = this.src;
    this.log.push(this.known.get(this.src)!);
  }
  stop(): void {
    this.stopped = true;
    this.playing = null;
  }
  destroy(): void {
    this.destroyed = true;
    this.playing = null;
  }
  onEnded(cb: () => void): void {
    this.ended.push(cb);
  }
  onError(cb: (e: { errCode: number; errMsg: string }) => void): void {
    this.errors.push(cb);
  }
  /** the current part has played to its end */
  endPlayback(): void {
    if (!this.playing || this.destroyed) throw new Error('nothing is playing');
    this.playing = null;
    this.ended.forEach((cb) => cb());
  }
  /** the phone cannot play (e.g. the audio session is taken) */
  failPlayback(): void {
    this.errors.forEach((cb) => cb({ errCode: 10001, errMsg: 'system error' }));
  }
}

export interface SpeechDoubleOptions {
  config: AppConfig;
  /** the plugin has been added in the console (设置 → 第三方设置 → 插件管理) */
  addedInConsole?: boolean;
  now?: () => number;
}

export class SpeechDouble {
  /** every textToSpeech content requested, in order */
  readonly requests: string[] = [];
  /** the contents played, in order */
  readonly played: string[] = [];
  readonly audios: AudioDouble[] = [];
  /** the next requests fail with this retcode (null: they succeed) */
  failWith: number | null = null;
  private readonly files = new Map<string, string>();
  private n = 0;
  constructor(private readonly opts: SpeechDoubleOptions) {}

  requirePlugin = (name: string): unknown => {
    const decl = this.opts.config.plugins?.[name];
    if (!decl || decl.provider !== WECHAT_SI_PROVIDER || this.opts.addedInConsole === false) {
      throw new Error(`Plugin ${name} is not defined`);
    }
    return { textToSpeech: this.textToSpeech };
  };

  createInnerAudioContext = (): AudioDouble => {
    const a = new AudioDouble(this.files, this.played);
    this.audios.push(a);
    return a;
  };

  private textToSpeech = (o: { lang: string; tts?: boolean; content: string; success: Success; fail: Fail }): void => {
    this.requests.push(o.content);
    const fail = this.failWith;
    setTimeout(() => {
      if (fail !== null) return o.fail({ retcode: fail, msg: fail === -40001 ? 'reach the limit of frequency' : 'network error' });
      if (o.lang !== 'zh_CN' && o.lang !== 'en_US') return o.fail({ retcode: -20001, msg: 'lang error' });
      if (!o.content) return o.fail({ retcode: -20002, msg: 'content error' });
      if (Buffer.byteLength(o.content, 'utf8') > TTS_MAX_BYTES) return o.fail({ retcode: -20003, msg: 'text to speech inner server failed.' });
      const filename = `https://ae.weixin.qq.com/cgi-bin/mmasrai-bin/getmedia?filename=tts-${++this.n}.mp3`;
      this.files.set(filename, o.content);
      const now = this.opts.now?.() ?? Date.now();
      o.success({ retcode: 0, origin: o.content, filename, expired_time: Math.floor(now / 1000) + 3 * 3600 });
    }, 0);
  };
}

/** Lets the doubles' asynchronous answers land. */
export const settle = () => new Promise((r) => setTimeout(r, 5));
