/**
 * Subscribe-message templates live in one module read by the app and the functions: ids are unique,
 * placeholders are recognisable (a deploy refuses them), a message carries exactly its template's
 * keywords, and no other file of the app or the functions names a template id or asks WeChat itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { reminderData } from '../../core/quiz/config';
import { isPlaceholderTemplateId, placeholderTemplates, SUBSCRIBE_TEMPLATES, templateData, type TemplateKey } from '../../core/subscribe/templates';

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
    // a message the functions send names SUBSCRIBE_TEMPLATES.<key>.id, never an id of its own or from the environment
    for (const m of text.matchAll(/templateId:\s*([^,\n};]+)/g)) {
      const value = m[1].trim();
      if (value !== 'string' && !/^SUBSCRIBE_TEMPLATES\.\w+\.id$/.test(value)) found.push(`${f}: templateId: ${value}`);
    }
    // the app asks WeChat in one place, with the module's ids
    if (/Taro\.requestSubscribeMessage\(/.test(text) && f !== path.join('src', 'utils', 'subscribe.ts')) found.push(`${f}: requestSubscribeMessage`);
  }
  expect(found).toEqual([]);
});
