/**
 * Read-aloud of article lessons (关怀模式), one interface on both builds:
 * - H5: the browser's Web Speech API (`window.speechSynthesis`, zh-CN);
 * - WeChat: the 微信同声传译 plugin's textToSpeech, played part by part (src/platform/speech.ts);
 *   when the plugin is unavailable the person is told so in Chinese when tapping the button.
 */
import Taro from '@tarojs/taro';
import { weappReadAloud, type AudioPlayer, type ReaderPlatform, type SpeechPlugin } from '../../platform/speech';

const weappPlatform: ReaderPlatform = {
  loadPlugin: () => Taro.requirePlugin('WechatSI') as SpeechPlugin | null,
  createAudio: () => Taro.createInnerAudioContext() as unknown as AudioPlayer,
  showProblem: (message) => {
    Taro.showToast({ title: message, icon: 'none', duration: 4000 });
  },
};

export function canReadAloud(): boolean {
  // WeChat: the button is always offered; without the plugin the person is told so when tapping it
  if (process.env.TARO_ENV === 'weapp') return true;
  return process.env.TARO_ENV === 'h5' && typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined';
}

/** Reads `text` aloud; `onEnd` runs when it ends or fails. Returns a function that stops it. */
export function readAloud(text: string, onEnd: () => void, onProblem?: (message: string) => void): () => void {
  if (process.env.TARO_ENV === 'weapp') return weappReadAloud(weappPlatform, text, onEnd, onProblem);
  if (!canReadAloud()) return () => undefined;
  const synth = window.speechSynthesis;
  synth.cancel();
  const u = new SpeechSynthesisUtterance(text);
  u.lang = 'zh-CN';
  u.rate = 0.9;
  u.onend = onEnd;
  u.onerror = onEnd;
  synth.speak(u);
  return () => synth.cancel();
}
