/**
 * The demo's lesson recordings (seed/media.ts): a real WAV a browser can play, sound that is
 * speech-like (voiced syllables in the speech pitch range, with pauses), and a demo whose recorded
 * lessons point at the stored files and last exactly as long as them, so each can be finished.
 */
import { Store } from '../../emulator/db/store';
import { DB_SCHEMA } from '../../core/db-schema';
import { seed } from '../../seed';
import { DEMO_MEDIA_SECONDS, WAV_SAMPLE_RATE, seedMedia, speechLike, wavFile, type SeedFiles } from '../../seed/media';
import { STUDY_DEMO } from '../../seed/study';

function memoryFiles(): SeedFiles & { saved: Map<string, Buffer> } {
  const saved = new Map<string, Buffer>();
  return {
    saved,
    put(cloudPath, bytes) {
      saved.set(cloudPath, bytes);
      return `cloud://test-env.local-bucket/${cloudPath}`;
    },
  };
}

/** The period (in samples) with the strongest autocorrelation between 50 and 500 Hz. */
function pitchPeriod(x: Int16Array, from: number, len: number): number {
  let best = 0;
  let bestLag = 0;
  for (let lag = Math.floor(WAV_SAMPLE_RATE / 500); lag <= Math.ceil(WAV_SAMPLE_RATE / 50); lag++) {
    let s = 0;
    for (let i = from; i < from + len; i++) s += x[i] * x[i + lag];
    if (s > best) {
      best = s;
      bestLag = lag;
    }
  }
  return bestLag;
}

describe('the WAV file', () => {
  const samples = speechLike(DEMO_MEDIA_SECONDS, 1921);
  const wav = wavFile(samples);

  it('is 16-bit mono PCM with a consistent RIFF header and a minute of sound', () => {
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(WAV_SAMPLE_RATE);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.toString('ascii', 36, 40)).toBe('data');
    const dataBytes = wav.readUInt32LE(40);
    expect(dataBytes).toBe(wav.length - 44);
    expect(dataBytes / 2 / WAV_SAMPLE_RATE).toBe(DEMO_MEDIA_SECONDS);
    // the samples are what was generated, little-endian
    expect(wav.readInt16LE(44 + 2 * 4000)).toBe(samples[4000]);
  });

  it('sounds like speech: loud syllables with pauses between them, voiced in the speech pitch range', () => {
    const frame = WAV_SAMPLE_RATE / 50; // 20 ms
    const frames: number[] = [];
    for (let i = 0; i + frame <= samples.length; i += frame) {
      let e = 0;
      for (let j = i; j < i + frame; j++) e += Math.abs(samples[j]);
      frames.push(e / frame);
    }
    const silent = frames.filter((e) => e < 50).length / frames.length;
    expect(silent).toBeGreaterThan(0.15);
    expect(silent).toBeLessThan(0.6);
    expect(Math.max(...frames)).toBeGreaterThan(3000);
    // nothing clips: no sample sits at full scale
    expect(samples.filter((v) => Math.abs(v) >= 32767).length).toBe(0);
    // the loudest frame is voiced at a speaking pitch (about 140–250 Hz)
    const loud = frames.indexOf(Math.max(...frames)) * frame;
    const hz = WAV_SAMPLE_RATE / pitchPeriod(samples, loud, frame);
    expect(hz).toBeGreaterThan(100);
    expect(hz).toBeLessThan(300);
  });

  it('is the same for the same seed and different for another', () => {
    expect(Buffer.from(speechLike(2, 7).buffer).equals(Buffer.from(speechLike(2, 7).buffer))).toBe(true);
    expect(Buffer.from(speechLike(2, 7).buffer).equals(Buffer.from(speechLike(2, 8).buffer))).toBe(false);
  });
});

describe('seedMedia', () => {
  it('without ffmpeg stores two WAVs and offers the video lesson as audio', () => {
    const files = memoryFiles();
    const m = seedMedia(files, { ffmpeg: null });
    expect(m.video.kind).toBe('audio');
    expect([...files.saved.keys()].sort()).toEqual(['demo/lessons/audio-1.wav', 'demo/lessons/video-1.wav']);
    expect(m.audio).toBe('cloud://test-env.local-bucket/demo/lessons/audio-1.wav');
    expect(m.video.fileId).toBe('cloud://test-env.local-bucket/demo/lessons/video-1.wav');
    for (const b of files.saved.values()) expect(b.toString('ascii', 0, 4)).toBe('RIFF');
    // two different recordings, not one file twice
    expect(files.saved.get('demo/lessons/audio-1.wav')!.equals(files.saved.get('demo/lessons/video-1.wav')!)).toBe(false);
  });

  it('falls back to audio when the ffmpeg it is given cannot run', () => {
    const m = seedMedia(memoryFiles(), { ffmpeg: 'ffmpeg-that-is-not-installed' });
    expect(m.video.kind).toBe('audio');
  });
});

describe('the demo seed with storage', () => {
  it('points the recorded lessons at the stored files and makes them as long as the recordings', async () => {
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    const files = memoryFiles();
    await seed(store, { size: 'demo', now: new Date('2025-06-01T08:00:00Z'), files });
    const audio = store.findOne('study_lessons', STUDY_DEMO.audioLessonId) as any;
    const video = store.findOne('study_lessons', STUDY_DEMO.videoLessonId) as any;
    const stored = new Set([...files.saved.keys()].map((p) => `cloud://test-env.local-bucket/${p}`));
    for (const l of [audio, video]) {
      expect(stored.has(l.mediaUrl)).toBe(true);
      expect(l.durationSec).toBe(DEMO_MEDIA_SECONDS);
    }
    // a video lesson only where there is a video file
    expect(video.kind === 'video').toBe(video.mediaUrl.endsWith('.webm'));
    store.close();
  });

  it('without storage leaves the lessons without media (nothing pretends to be there)', async () => {
    const store = new Store({ file: ':memory:', schema: DB_SCHEMA });
    await seed(store, { size: 'demo', now: new Date('2025-06-01T08:00:00Z') });
    expect((store.findOne('study_lessons', STUDY_DEMO.audioLessonId) as any).mediaUrl).toBeNull();
    store.close();
  });
});
