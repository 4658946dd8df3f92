/**
 * Read-aloud on WeChat (关怀模式): the 微信同声传译 plugin behind the same interface as H5's
 * speechSynthesis, against doubles of the plugin and of InnerAudioContext (speech-double.ts).
 */
import { PART_BYTES, READ_ALOUD_MESSAGES, splitForSpeech, weappReadAloud, type AudioPlayer, type ReaderPlatform, type SpeechPlugin } from '../../src/platform/speech';
import { settle, SpeechDouble, TTS_MAX_BYTES, WECHAT_SI_PROVIDER } from './speech-double';
import { loadAppConfig, type AppConfig } from './wx-double';

const config = loadAppConfig();

/** A lesson of `n` sentences, about 40 characters each (≈ 120 bytes). */
const lesson = (n: number) => Array.from({ length: n }, (_, i) => `第${i + 1}段：坚持学习党的创新理论，做到学思用贯通、知信行统一。`).join('\n');

function setup(opts: { config?: AppConfig; addedInConsole?: boolean } = {}) {
  const sd = new SpeechDouble({ config: opts.config ?? config, addedInConsole: opts.addedInConsole });
  const problems: string[] = [];
  let ends = 0;
  const platform: ReaderPlatform = {
    loadPlugin: () => sd.requirePlugin('WechatSI') as SpeechPlugin,
    createAudio: () => sd.createInnerAudioContext() as AudioPlayer,
    showProblem: (m) => problems.push(m),
  };
  const read = (text: string) => weappReadAloud(platform, text, () => ends++);
  return { sd, problems, read, ends: () => ends };
}

/** Plays every part to its end, as the person listens. */
async function listen(sd: SpeechDouble, max = 100) {
  for (let i = 0; i < max; i++) {
    await settle();
    const a = sd.audios[0];
    if (!a?.playing) return;
    a.endPlayback();
  }
}

test('app.json declares the WechatSI plugin with its provider appid and a version', () => {
  expect(config.plugins?.WechatSI).toEqual({ provider: WECHAT_SI_PROVIDER, version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
});

test('a long lesson is read whole, in order, in parts the plugin accepts, and ends once', async () => {
  const { sd, problems, read, ends } = setup();
  const text = lesson(60); // ≈ 7,000 bytes: one request would be refused
  expect(Buffer.byteLength(text)).toBeGreaterThan(5 * TTS_MAX_BYTES);
  read(text);
  await listen(sd);
  expect(problems).toEqual([]);
  expect(ends()).toBe(1);
  expect(sd.requests.length).toBeGreaterThan(5);
  for (const r of sd.requests) expect(Buffer.byteLength(r)).toBeLessThanOrEqual(TTS_MAX_BYTES);
  // nothing lost, nothing repeated, in order
  expect(sd.played).toEqual(sd.requests);
  expect(sd.played.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  expect(sd.audios).toHaveLength(1);
  expect(sd.audios[0].destroyed).toBe(true);
});

test('the next part is made while the current one plays (no silence between parts)', async () => {
  const { sd, read } = setup();
  read(lesson(30));
  await settle();
  expect(sd.audios[0].playing).not.toBeNull();
  expect(sd.requests).toHaveLength(2);
  expect(sd.played).toHaveLength(1);
});

test('without the plugin (not declared, or not added in the console) the person is told, and nothing plays', async () => {
  const { plugins: _plugins, ...undeclared } = config;
  for (const s of [setup({ config: undeclared }), setup({ addedInConsole: false })]) {
    s.read(lesson(3));
    await settle();
    expect(s.problems).toEqual([READ_ALOUD_MESSAGES.unavailable]);
    expect(s.ends()).toBe(1);
    expect(s.sd.audios).toHaveLength(0);
  }
});

test('a failed synthesis says why in Chinese: the network, or the plugin being busy', async () => {
  for (const [retcode, message] of [[-20005, READ_ALOUD_MESSAGES.network], [-40001, READ_ALOUD_MESSAGES.busy]] as const) {
    const { sd, problems, read, ends } = setup();
    read(lesson(30));
    await settle();
    // the first part plays and the second is made; from now on every request fails, so the third
    // fails while the second plays, and the person is told when the second has ended
    sd.failWith = retcode;
    sd.audios[0].endPlayback();
    await settle();
    expect(sd.played).toHaveLength(2);
    expect(problems).toEqual([]);
    sd.audios[0].endPlayback();
    await settle();
    expect(problems).toEqual([message]);
    expect(sd.played).toHaveLength(2);
    expect(ends()).toBe(1);
    expect(sd.audios[0].destroyed).toBe(true);
  }
});

test('a first part that cannot be made fails at once, with the message', async () => {
  const { sd, problems, read, ends } = setup();
  sd.failWith = -20005;
  read('学习贯彻党的二十大精神。');
  await settle();
  expect(problems).toEqual([READ_ALOUD_MESSAGES.network]);
  expect(ends()).toBe(1);
  expect(sd.played).toEqual([]);
});

test('audio the phone cannot play is reported, not left silent', async () => {
  const { sd, problems, read, ends } = setup();
  read(lesson(2));
  await settle();
  sd.audios[0].failPlayback();
  expect(problems).toEqual([READ_ALOUD_MESSAGES.playback]);
  expect(ends()).toBe(1);
});

test('stop silences it at once: nothing more plays, and onEnd is left to the caller', async () => {
  const { sd, problems, read, ends } = setup();
  const stop = read(lesson(30));
  await settle();
  stop();
  expect(sd.audios[0].stopped).toBe(true);
  expect(sd.audios[0].destroyed).toBe(true);
  const played = sd.played.length;
  await settle();
  expect(sd.played).toHaveLength(played);
  expect(problems).toEqual([]);
  expect(ends()).toBe(0);
  stop(); // a second tap is harmless
});

test('splitForSpeech cuts after sentences, and a sentence longer than a part by characters, losing nothing', () => {
  const long = '长'.repeat(700); // 2,100 bytes, no punctuation
  const parts = splitForSpeech(`第一句。${long}。最后一句！`);
  for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(PART_BYTES);
  expect(parts.join('')).toBe(`第一句。${long}。最后一句！`);
  expect(parts[0].startsWith('第一句。')).toBe(true);
  expect(parts[parts.length - 1].endsWith('最后一句！')).toBe(true);
  expect(splitForSpeech('  \n ')).toEqual([]);
});
