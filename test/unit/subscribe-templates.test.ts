/**
 * Subscribe-message templates live in one module read by the app and the functions: ids are unique,
 * placeholders are recognisable (a deploy refuses them), a message carries exactly its template's
 * keywords, and no other file of the app or the functions names a template id or asks WeChat itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { reminderData } from '../../core/quiz/config';
import { isPlaceholderTemplateId, placeholderTemplates, subscribeMessage, subscribeRegistry, SUBSCRIBE_TEMPLATES, templateData, type TemplateKey } from '../../core/subscribe/templates';

const ROOT = path.join(__dirname, '..', '..');
const keys = Object.keys(SUBSCRIBE_TEMPLATES) as TemplateKey[];

test('every template has its own id, a title and keywords', () => {
  const ids = keys.map((k) => SUBSCRIBE_TEMPLATES[k].id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const k of keys) {
    expect(SUBSCRIBE_TEMPLATES[k].title).toMatch(/[\u4e00-\u9fff]/);
    // WeChat keywords: a kind and a number (thing1, time2, number3 …)
    for (const f of Object.keys(SUBSCRIBE_TEMPLATES[k].fields)) expect(f).toMatch(/^[a-z_]+\d+$/);
  }
});

test('a placeholder is told apart from an id the console hands out', () => {
  for (const id of ['QUIZ_REMIND_TEMPLATE', 'STUDY_LIVE_REMINDER_TEMPLATE', '', 'local-activity-remind', 'x'.repeat(44)]) {
    expect(isPlaceholderTemplateId(id)).toBe(true);
  }
  // the shape of console ids (from WeChat's documentation), and one written in capitals only
  expect(isPlaceholderTemplateId('zun-LzcQyW-edafCVvzPkK4de2Rllr1fFpw2A_x0oXE')).toBe(false);
  expect(isPlaceholderTemplateId('A'.repeat(43))).toBe(true);
  // the ids in the repository are placeholders until a deploy replaces them
  expect(placeholderTemplates()).toEqual(keys);
});

test('a message carries exactly the keywords of its template', () => {
  const data = templateData('activityRemind', { thing1: '主题党日', time2: '2025-07-01 09:00', thing3: '党群服务中心' });
  expect(data).toEqual({ thing1: { value: '主题党日' }, time2: { value: '2025-07-01 09:00' }, thing3: { value: '党群服务中心' } });
  expect(Object.keys(reminderData('2025-07-01', '第一党支部')).sort()).toEqual(Object.keys(SUBSCRIBE_TEMPLATES.quizRemind.fields).sort());
});

test('a send is built from the registry and its keywords are checked when it compiles', () => {
  const msg = subscribeMessage('activityNotice', { thing1: '主题党日', thing2: '活动取消：下雨' });
  expect(msg).toEqual({ templateId: SUBSCRIBE_TEMPLATES.activityNotice.id, data: { thing1: { value: '主题党日' }, thing2: { value: '活动取消：下雨' } } });
  // @ts-expect-error a keyword of another template (time2 belongs to activityRemind)
  const wrong = subscribeMessage('activityNotice', { thing1: '主题党日', time2: '09:00' });
  expect(Object.keys(wrong.data)).toEqual(['thing1', 'thing2']);
  // the emulator is handed the same registry: id → keywords
  const registry = subscribeRegistry();
  expect(Object.keys(registry).sort()).toEqual(keys.map((k) => SUBSCRIBE_TEMPLATES[k].id).sort());
  for (const k of keys) expect(registry[SUBSCRIBE_TEMPLATES[k].id].keywords).toEqual(Object.keys(SUBSCRIBE_TEMPLATES[k].fields));
});

/** the app's and the functions' own sources (not bundles, not tests) */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(rel);
    return /\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

test('the app and the functions take template ids from the module, nowhere else', () => {
  const files = [...sources('src'), ...sources('cloudfunctions'), ...sources('core')].filter((f) => f !== path.join('core', 'subscribe', 'templates.ts'));
  const ids = keys.map((k) => SUBSCRIBE_TEMPLATES[k].id);
  const found: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
    for (const id of ids) if (text.includes(id)) found.push(`${f}: ${id}`);
    // a message the functions send is built by subscribeMessage(), never with an id of its own
    for (const m of text.matchAll(/templateId:\s*([^,\n};]+)/g)) {
      const value = m[1].trim();
      if (value !== 'string') found.push(`${f}: templateId: ${value}`);
    }
    // the app asks WeChat in one place, with the module's ids
    if (/Taro\.requestSubscribeMessage\(/.test(text) && f !== path.join('src', 'utils', 'subscribe.ts')) found.push(`${f}: requestSubscribeMessage`);
  }
  expect(found).toEqual([]);
});
