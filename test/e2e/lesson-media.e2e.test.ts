/**
 * The demo's recorded lessons can be studied, in Chromium at phone size: the seed made their
 * recordings and stored them in the emulator's cloud storage, the lesson page's player gets a link
 * that answers 200 with the file, and the recording plays. No lesson says its file is missing.
 * Screenshots go to test-output/e2e/lesson-media-*.png.
 */
import type { Browser } from 'playwright-core';
import { DEMO } from '../../seed';
import { STUDY_DEMO } from '../../seed/study';
import { DEMO_MEDIA_SECONDS } from '../../seed/media';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn, startApp, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('lesson-media');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
});

test.each([
  ['audio', STUDY_DEMO.audioLessonId],
  ['video (audio where no video could be made)', STUDY_DEMO.videoLessonId],
])('the %s lesson plays its stored recording', async (_kind, lessonId) => {
  const lesson = emu.backend.store.findOne('study_lessons', lessonId) as { mediaUrl: string; kind: string };
  expect(lesson.mediaUrl).toMatch(/^cloud:\/\//);
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.memberOpenid);
  await page.goto(`${emu.url}/#/pages/study/lesson/index?id=${lessonId}`);
  const media = page.locator('#lesson-video video');
  await media.waitFor({ state: 'attached' });
  expect(await page.getByText('还没有上传').count()).toBe(0);
  const src = await media.evaluate((v: HTMLVideoElement) => v.currentSrc || v.src);
  expect(src).toMatch(/^http/);
  const res = await page.request.get(src);
  expect(res.status()).toBe(200);
  const body = await res.body();
  expect(res.headers()['content-type'] ?? '').toMatch(lesson.kind === 'video' ? /webm/ : /wav/);
  // the file's own signature: EBML (WebM) or RIFF (WAV)
  expect(body.subarray(0, 4).toString('hex')).toBe(lesson.kind === 'video' ? '1a45dfa3' : '52494646');
  // it plays: the browser decodes it and time moves on (muted: no gesture in a test browser)
  await media.evaluate(async (v: HTMLVideoElement) => {
    v.muted = true;
    await v.play();
  });
  await page.waitForFunction(() => {
    const v = document.querySelector('#lesson-video video') as HTMLVideoElement | null;
    return !!v && v.currentTime > 0.5;
  });
  expect(await media.evaluate((v: HTMLVideoElement) => Math.round(v.duration))).toBe(DEMO_MEDIA_SECONDS);
  await shot(page, `lesson-media-${lessonId}`);
  await page.close();
});
