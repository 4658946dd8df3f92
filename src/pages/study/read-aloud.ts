/**
 * Read-aloud of article lessons. H5: the browser's Web Speech API (`window.speechSynthesis`,
 * zh-CN). WeChat has no built-in text-to-speech API; the path there is the 微信同声传译 plugin
 * (`requirePlugin('WechatSI').textToSpeech` returns an audio URL to play with an
 * InnerAudioContext), which needs the plugin declared in app.config — not added, so on WeChat the
 * button is not shown.
 */
export function canReadAloud(): boolean {
  return process.env.TARO_ENV === 'h5' && typeof window !== 'undefined' && 'speechSynthesis' in window && typeof SpeechSynthesisUtterance !== 'undefined';
}

export function readAloud(text: string, onEnd: () => void): () => void {
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
