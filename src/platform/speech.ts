/**
 * Read-aloud on WeChat (关怀模式). WeChat has no text-to-speech API of its own; the 微信同声传译
 * plugin (WechatSI, declared in src/app.config.ts `plugins` and added once in the console:
 * docs/deploy.md) turns text into an audio file, `textToSpeech({ lang, tts, content })` →
 * `{ retcode, origin, filename, expired_time }`, played here with an InnerAudioContext. Its content
 * is limited to 1,000 bytes, so a lesson is read in sentence-sized parts, the next one made while
 * the current one plays. Failures: -20001 language, -20002 content, -20003 service, -20005 network,
 * -40001 the plugin's call rate limit.
 *   https://developers.weixin.qq.com/miniprogram/dev/platform-capabilities/extended/translator.html
 *   https://mp.weixin.qq.com/wxopen/plugindevdoc?appid=wx069ba97219f66d99
 * When the plugin is missing (not added to the account, an old WeChat) or fails, the person is told
 * in plain Chinese what happened and what to do instead. The wx slice is handed in (no Taro here).
 */

export const READ_ALOUD_MESSAGES = {
  // a toast shows two lines: each message stays within about 26 characters
  unavailable: '您的微信暂时无法朗读，请您直接阅读下方文字。',
  network: '朗读没有成功，请您检查网络后再试。',
  busy: '现在朗读的人较多，请您稍后再试。',
  playback: '声音没有播放出来，请您调大音量后再试。',
} as const;

/** WechatSI's textToSpeech, as the plugin documents it. */
export interface SpeechPlugin {
  textToSpeech(o: {
    lang: 'zh_CN' | 'en_US';
    tts: boolean;
    content: string;
    success: (r: { retcode?: number; origin?: string; filename: string; expired_time?: number }) => void;
    fail: (r: { retcode?: number; msg?: string }) => void;
  }): void;
}

/** The slice of InnerAudioContext the reader uses. */
export interface AudioPlayer {
  src: string;
  play(): void;
  stop(): void;
  destroy(): void;
  onEnded(cb: () => void): void;
  onError(cb: (e: { errCode?: number; errMsg?: string }) => void): void;
}

export interface ReaderPlatform {
  /** the plugin, or null when it cannot be loaded */
  loadPlugin: () => SpeechPlugin | null;
  createAudio: () => AudioPlayer;
  /** tells the person a problem (a toast by default) */
  showProblem: (message: string) => void;
}

/** The plugin's limit is 1,000 bytes of content; parts stay well under it. */
export const PART_BYTES = 900;

const utf8Bytes = (s: string) => {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
};

/** The text in parts of at most `max` UTF-8 bytes, cut after a sentence where possible. */
export function splitForSpeech(text: string, max: number = PART_BYTES): string[] {
  const sentences = text.replace(/\s+/g, ' ').trim().match(/[^。！？；!?;]+[。！？；!?;]*/g) ?? [];
  const parts: string[] = [];
  let cur = '';
  const push = () => {
    if (cur.trim()) parts.push(cur.trim());
    cur = '';
  };
  for (const s of sentences) {
    if (utf8Bytes(cur + s) <= max) {
      cur += s;
      continue;
    }
    push();
    // a sentence longer than a part is cut by characters
    let piece = '';
    for (const ch of s) {
      if (utf8Bytes(piece + ch) > max) {
        parts.push(piece);
        piece = '';
      }
      piece += ch;
    }
    cur = piece;
  }
  push();
  return parts;
}

function problemOf(retcode: number | undefined): string {
  // -40001: the plugin's call rate limit; -20005: the network; -20001..-20003: the request or the service
  if (retcode === -40001) return READ_ALOUD_MESSAGES.busy;
  return READ_ALOUD_MESSAGES.network;
}

/**
 * The WeChat reader over a given platform: reads `text` part by part, calls `onEnd` once when it
 * has finished or failed (not after the returned stop function), and `onProblem` with the message
 * on failure. Exported for the tests, which hand in doubles.
 */
export function weappReadAloud(platform: ReaderPlatform, text: string, onEnd: () => void, onProblem: (m: string) => void = platform.showProblem): () => void {
  const parts = splitForSpeech(text);
  let plugin: SpeechPlugin | null;
  try {
    plugin = platform.loadPlugin();
  } catch {
    // requirePlugin throws for a plugin the account has not added or the app does not declare
    plugin = null;
  }
  if (!plugin || typeof plugin.textToSpeech !== 'function') {
    onProblem(READ_ALOUD_MESSAGES.unavailable);
    onEnd();
    return () => undefined;
  }
  if (!parts.length) {
    onEnd();
    return () => undefined;
  }
  const tts = plugin;
  let stopped = false;
  let finished = false;
  const audio = platform.createAudio();
  const finish = (problem?: string) => {
    if (stopped || finished) return;
    finished = true;
    audio.destroy();
    if (problem) onProblem(problem);
    onEnd();
  };
  const synth = (i: number): Promise<string> =>
    new Promise((resolve, reject) => {
      tts.textToSpeech({
        lang: 'zh_CN',
        tts: true,
        content: parts[i],
        success: (r) => (r && r.filename && (r.retcode === undefined || r.retcode === 0) ? resolve(r.filename) : reject(r)),
        fail: (r) => reject(r),
      });
    });
  let index = 0;
  let next: Promise<string> | null = null;
  const playPart = (file: Promise<string>) => {
    file.then(
      (src) => {
        if (stopped || finished) return;
        // the next part is made while this one plays, so there is no pause between parts
        next = index + 1 < parts.length ? synth(index + 1) : null;
        // an unfinished request must not become an unhandled rejection; its failure shows when played
        next?.catch(() => undefined);
        audio.src = src;
        audio.play();
      },
      (r: { retcode?: number }) => finish(problemOf(r?.retcode)),
    );
  };
  audio.onEnded(() => {
    if (stopped || finished) return;
    index++;
    if (index >= parts.length || !next) finish();
    else playPart(next);
  });
  audio.onError(() => finish(READ_ALOUD_MESSAGES.playback));
  playPart(synth(0));
  return () => {
    if (stopped || finished) return;
    stopped = true;
    audio.stop();
    audio.destroy();
  };
}
