/**
 * 关怀模式 against the MIIT 适老化 numbers, measured in Chromium at 375×812 on every page an elder
 * reaches (home, quiz, study, lesson, live, activity list and notice, 我的) as the demo elder: body
 * text ≥ 18 px, the page's main heading (its first text) ≥ 30 px, line height ≥ 1.3, contrast ≥ 4.5:1
 * (disabled buttons included, opacity and gradients taken into account), every tap target ≥ 60×60
 * (tab bar, switches and text inputs included). The test fails listing each violation as
 * page | element | what | value. Screenshots go to test-output/e2e/elder-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import { STUDY_DEMO } from '../../seed/study';
import type { Emulator } from '../../scripts/local-cloud';
import { shot, signIn, startApp, type E2EApp } from './browser';
import { pinFillQuestion } from './fill-question';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('elder');
  ({ emu, browser } = app);
  // today's first question is a 填空, so the quiz page is measured with its inputs too
  pinFillQuestion(emu);
});

afterAll(async () => {
  await app?.close();
});

export interface Violation {
  element: string;
  what: 'font-size' | 'heading' | 'line-height' | 'contrast' | 'target';
  value: string;
}

/**
 * Runs in the page. Looks at every visible element: text (a direct, non-blank text node) for size,
 * line height and contrast; tap targets (a React onClick, role=button, inputs, switches, the tab bar)
 * for size. Opacity of ancestors is composited (a disabled button at 55% opacity is measured as seen).
 */
function measure(limits: { body: number; heading: number; lineHeight: number; contrast: number; target: number }): { violations: Violation[]; texts: number; targets: string[] } {
  type RGBA = [number, number, number, number];
  const out: Violation[] = [];
  const parse = (c: string): RGBA[] => {
    const found = c.match(/rgba?\([^)]*\)/g) ?? [];
    return found.map((s) => {
      const n = s.replace(/rgba?\(|\)/g, '').split(/[ ,/]+/).filter(Boolean).map(Number);
      return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1] as RGBA;
    });
  };
  const over = (top: RGBA, under: RGBA, alpha = top[3]): RGBA => [
    top[0] * alpha + under[0] * (1 - alpha),
    top[1] * alpha + under[1] * (1 - alpha),
    top[2] * alpha + under[2] * (1 - alpha),
    1,
  ];
  const lum = (c: RGBA) => {
    const ch = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a: RGBA, b: RGBA) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const visible = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true } as CheckVisibilityOptions);
  };
  const describe = (el: Element) => {
    const id = el.id ? `#${el.id}` : '';
    const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).slice(0, 3).join('.')}` : '';
    const txt = (el.textContent ?? (el as HTMLInputElement).placeholder ?? '').trim().replace(/\s+/g, ' ').slice(0, 16);
    return `${el.tagName.toLowerCase()}${id}${cls}${txt ? ` “${txt}”` : ''}`;
  };
  /** the colours a reader sees: backgrounds composited root → element, the text blended by group opacity */
  const seen = (el: Element, text: RGBA): Array<[RGBA, RGBA]> => {
    const chain: Element[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) chain.unshift(e);
    let backdrop: RGBA = [255, 255, 255, 1];
    let candidates: RGBA[] = [backdrop];
    let opacity = 1;
    let outside: RGBA[] = candidates;
    for (const e of chain) {
      const cs = getComputedStyle(e);
      const o = parseFloat(cs.opacity);
      if (o < 1 && opacity === 1) outside = candidates;
      opacity *= o;
      const grad = cs.backgroundImage.includes('gradient') ? parse(cs.backgroundImage) : [];
      const bg = parse(cs.backgroundColor)[0];
      if (grad.length) candidates = grad.map((g) => over(g, candidates[0]));
      else if (bg && bg[3] > 0) candidates = candidates.map((c) => over(bg, c));
    }
    backdrop = outside[0];
    return candidates.map((c) => {
      const fg = over(text, c);
      return [over(fg, backdrop, opacity), over(c, backdrop, opacity)];
    });
  };
  const all = Array.from(document.querySelectorAll('body *')).filter(visible);
  let first = true;
  let texts = 0;
  for (const el of all) {
    const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim());
    if (!own) continue;
    texts++;
    const cs = getComputedStyle(el);
    const fs = parseFloat(cs.fontSize);
    if (first) {
      first = false;
      if (fs < limits.heading - 0.01) out.push({ element: describe(el), what: 'heading', value: `${fs}px` });
    }
    if (fs < limits.body - 0.01) out.push({ element: describe(el), what: 'font-size', value: `${fs}px` });
    const lh = cs.lineHeight === 'normal' ? NaN : parseFloat(cs.lineHeight) / fs;
    if (!(lh >= limits.lineHeight - 0.005)) out.push({ element: describe(el), what: 'line-height', value: cs.lineHeight === 'normal' ? 'normal' : lh.toFixed(2) });
    const color = parse(cs.color)[0];
    const worst = Math.min(...seen(el, color).map(([f, b]) => ratio(f, b)));
    if (worst < limits.contrast) out.push({ element: describe(el), what: 'contrast', value: `${worst.toFixed(2)}:1` });
  }
  // placeholders are read too
  for (const el of all.filter((e) => e.matches('input, textarea'))) {
    const input = el as HTMLInputElement;
    if (!input.placeholder || input.value) continue;
    const cs = getComputedStyle(el, '::placeholder');
    const fs = parseFloat(cs.fontSize);
    if (fs < limits.body - 0.01) out.push({ element: describe(el), what: 'font-size', value: `${fs}px (placeholder)` });
    const worst = Math.min(...seen(el, parse(cs.color)[0]).map(([f, b]) => ratio(f, b)));
    if (worst < limits.contrast) out.push({ element: describe(el), what: 'contrast', value: `${worst.toFixed(2)}:1 (placeholder)` });
  }
  const tappable = (el: Element) => {
    if (el.matches('input, textarea, taro-switch-core, .weui-tabbar__item, a[href], [aria-role="button"], [role="button"]')) return true;
    // Taro's H5 components attach a React onClick as a DOM listener kept in `__events`; plain
    // elements keep it in React's props
    const events = (el as unknown as { __events?: Record<string, unknown> }).__events;
    if (events && Object.keys(events).some((k) => /^(click|tap)$/i.test(k) && typeof events[k] === 'function')) return true;
    const key = Object.keys(el).find((k) => k.startsWith('__reactProps$'));
    const props = key ? (el as unknown as Record<string, { onClick?: unknown }>)[key] : undefined;
    return typeof props?.onClick === 'function';
  };
  const targets = all.filter(tappable);
  for (const el of targets) {
    const r = el.getBoundingClientRect();
    if (r.width < limits.target - 0.5 || r.height < limits.target - 0.5)
      out.push({ element: describe(el), what: 'target', value: `${Math.round(r.width)}×${Math.round(r.height)}` });
  }
  return { violations: out, texts, targets: targets.map((t) => t.id || t.className.toString()) };
}

const LIMITS = { body: 18, heading: 30, lineHeight: 1.3, contrast: 4.5, target: 60 };
/** one target on each page that only a React onClick makes tappable: proves the measurement finds them */
const TARGET_OF: Record<string, string | null> = {
  home: 'elder-quiz',
  quiz: 'quiz-link-wrong',
  study: 'lesson-item',
  lesson: null, // nothing to tap on H5 but the article (朗读 depends on the browser's voices)
  live: null,
  'activity list': 'notice-item',
  'activity notice': 'leave-open',
  mine: 'elder-row',
};

async function open(page: Page, hash: string, ready: string): Promise<void> {
  await page.goto(`${emu.url}/#${hash}`);
  // a fresh load: only this page is in the document, nothing half-way through a transition
  await page.reload();
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
}

test('关怀模式 meets the MIIT numbers on every page an elder reaches', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await signIn(page, emu, DEMO.elderOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.locator('#elder-switch').waitFor();
  // the normal theme keeps the native tab bar's measures: 10 px labels, items 50 px high
  const normal = await page.locator('.app-tab-bar:not(.app-tab-bar--elder) .app-tab-item:visible').evaluateAll((items) =>
    items.map((el) => [Math.round(el.getBoundingClientRect().height), getComputedStyle(el.querySelector('.app-tab-label')!).fontSize]),
  );
  expect(normal).toEqual(Array(4).fill([50, '10px']));
  await shot(page, 'elder-00-normal-theme');
  await page.click('#elder-switch');
  await page.locator('.page.elder:has(#mine-profile)').waitFor();

  // the first notice of the elder's branch, as they would open it from the list
  await open(page, '/pages/activity/index', '#activity-list .notice-item');
  const activityId = await page.locator('#activity-list .notice-item').first().getAttribute('data-id');
  expect(activityId).toBeTruthy();

  const pages: Array<[name: string, hash: string, ready: string]> = [
    ['home', '/pages/home/index', '#elder-home #home-activity .task-main'],
    ['quiz', '/pages/quiz/index', '.page.elder #q-0 .quiz-fill-input'],
    ['study', '/pages/study/index', '.page.elder #study-progress'],
    ['lesson', `/pages/study/lesson/index?id=${STUDY_DEMO.articleLessonId}`, '.page.elder #lesson-article'],
    ['live', `/pages/study/lesson/index?id=${STUDY_DEMO.liveLessonId}`, '.page.elder #lesson-live'],
    ['activity list', '/pages/activity/index', '.page.elder #activity-list .notice-item'],
    ['activity notice', `/pages/activity/detail/index?id=${activityId}`, '.page.elder #activity-title'],
    ['mine', '/pages/mine/index', '.page.elder #mine-profile'],
  ];
  const found: string[] = [];
  for (const [name, hash, ready] of pages) {
    await open(page, hash, ready);
    await shot(page, `elder-${name.replace(' ', '-')}`);
    const m = await page.evaluate(measure, LIMITS);
    // the measurement saw the page: its text, and the targets React wires taps to
    expect({ name, texts: m.texts > 3 }).toEqual({ name, texts: true });
    const probe = TARGET_OF[name];
    if (probe) expect({ name, targets: m.targets.some((t) => t.includes(probe)) }).toEqual({ name, targets: true });
    for (const v of m.violations) found.push(`${name} | ${v.element} | ${v.what} | ${v.value}`);
  }
  expect(found).toEqual([]);

  // the tab bar in 关怀模式 is the app's own, and an elder reaches the next tab by it
  await open(page, '/pages/home/index', '#elder-home');
  expect(await page.locator('.app-tab-bar--elder .app-tab-item').count()).toBe(4);
  await page.click('.app-tab-bar--elder .app-tab-item[data-index="2"]');
  await page.locator('.page.elder #activity-list').waitFor();
  expect(await page.locator('.app-tab-bar--elder .app-tab-item--on:visible').getAttribute('data-index')).toBe('2');
  await context.close();
});
