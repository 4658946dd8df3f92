/**
 * The demo's lesson media, made at seed time by code (nothing is downloaded): a minute of
 * speech-like sound as a WAV (syllables with a falling pitch and a few harmonics, short gaps between
 * them, longer pauses between phrases), and, only where ffmpeg is installed, a minute of test-card
 * video with that sound as WebM. They go into cloud storage through the emulator, and the demo's
 * recorded lessons point at them; without ffmpeg the video lesson is offered as what it then is,
 * an audio lesson.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prng } from './names';

/** Cloud storage as the seed sees it: `put` stores bytes at a cloud path and returns the file id. */
export interface SeedFiles {
  put(cloudPath: string, bytes: Buffer): string;
}

/** Length of every demo recording; the demo lessons last exactly this long, so they can be finished. */
export const DEMO_MEDIA_SECONDS = 60;
export const WAV_SAMPLE_RATE = 8000;

/** 16-bit mono PCM in a RIFF/WAVE container. */
export function wavFile(samples: Int16Array, sampleRate = WAV_SAMPLE_RATE): Buffer {
  const data = samples.length * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28); // byte rate
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34); // bits per sample
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], 44 + i * 2);
  return b;
}

// bound once: looking up the global Math per sample is slow inside a vm context (jest)
const { PI, abs, floor, max, min, round, sin } = Math;

/**
 * Speech-like sound: phrases of 4–7 syllables (120–260 ms each, 40–90 ms apart), 300–550 ms
 * between phrases, each syllable a voiced tone whose pitch falls across the phrase, with harmonics
 * weighted like a vowel. Deterministic for a given seed.
 */
export function speechLike(seconds: number, seed: number, sampleRate = WAV_SAMPLE_RATE): Int16Array {
  const r = prng(seed);
  const out = new Int16Array(round(seconds * sampleRate));
  let t = round(0.3 * sampleRate);
  while (t < out.length) {
    const syllables = 4 + floor(r() * 4);
    const f0Start = 190 + r() * 50;
    for (let s = 0; s < syllables && t < out.length; s++) {
      const len = round((0.12 + r() * 0.14) * sampleRate);
      const f0 = f0Start * (1 - (0.25 * s) / syllables) * (0.95 + r() * 0.1);
      // a vowel-ish colour per syllable: which harmonics carry the energy
      const formant = 2 + floor(r() * 4);
      let phase = 0;
      for (let i = 0; i < len && t + i < out.length; i++) {
        const x = i / len;
        const env = sin(PI * x) ** 0.6;
        const f = f0 * (1 + 0.06 * sin(PI * x)); // a little rise and fall inside the syllable
        phase += (2 * PI * f) / sampleRate;
        let v = 0;
        for (let h = 1; h <= 8; h++) v += sin(h * phase) / (1 + abs(h - formant) * 1.5) / h ** 0.3;
        out[t + i] = round(max(-1, min(1, v * 0.22 * env)) * 32767);
      }
      t += len + round((0.04 + r() * 0.05) * sampleRate);
    }
    t += round((0.3 + r() * 0.25) * sampleRate);
  }
  return out;
}

/** A test-card WebM with `wav` as its sound, or null when ffmpeg (with libvpx) is not installed. */
export function webmWithSound(wav: Buffer, seconds: number, ffmpeg = 'ffmpeg'): Buffer | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pps-media-'));
  try {
    const input = path.join(dir, 'sound.wav');
    const output = path.join(dir, 'lesson.webm');
    fs.writeFileSync(input, wav);
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=10:duration=${seconds}`, '-i', input];
    args.push('-c:v', 'libvpx', '-b:v', '120k', '-c:a', 'libvorbis', '-shortest', output);
    const run = spawnSync(ffmpeg, args, { timeout: 60_000 });
    if (run.error || run.status !== 0 || !fs.existsSync(output)) return null;
    return fs.readFileSync(output);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface DemoMedia {
  /** file id of the audio lesson's recording */
  audio: string;
  /** the video lesson's file id and kind: a WebM where ffmpeg could make one, else its sound as a WAV */
  video: { fileId: string; kind: 'video' | 'audio' };
  seconds: number;
}

// made once per process: every emulator a test run starts seeds the same bytes
const made = new Map<string, Buffer | null>();
function once(key: string, make: () => Buffer | null): Buffer | null {
  if (!made.has(key)) made.set(key, make());
  return made.get(key) ?? null;
}

/** Makes the demo recordings and stores them; `ffmpeg: null` skips the video. */
export function seedMedia(files: SeedFiles, opts: { ffmpeg?: string | null } = {}): DemoMedia {
  const seconds = DEMO_MEDIA_SECONDS;
  const audio = files.put('demo/lessons/audio-1.wav', once('audio', () => wavFile(speechLike(seconds, 1921)))!);
  const videoSound = once('video-sound', () => wavFile(speechLike(seconds, 1949)))!;
  const ffmpeg = opts.ffmpeg === null ? null : (opts.ffmpeg ?? 'ffmpeg');
  const webm = ffmpeg === null ? null : once(`webm:${ffmpeg}`, () => webmWithSound(videoSound, seconds, ffmpeg));
  const video = webm
    ? { fileId: files.put('demo/lessons/video-1.webm', webm), kind: 'video' as const }
    : { fileId: files.put('demo/lessons/video-1.wav', videoSound), kind: 'audio' as const };
  return { audio, video, seconds };
}
