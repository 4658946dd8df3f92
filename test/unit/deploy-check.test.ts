/**
 * npm run deploy:check on a copy of the deploy inputs: a complete set passes, and each missing
 * input is named (the AppID, the env id, a template id, a secret, the triggers, the index list).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { checkDeploy, parseDotEnv } from '../../scripts/deploy-check';
import { renderIndexesDoc } from '../../scripts/deploy-indexes';

const SECRET = 'q7Vx2Lm9Pz4Rt8Kw1Nc6Hy3Bd5Fg0Js2Ua';
const TEMPLATE_ID = 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9f';
const TEMPLATES = { quizRemind: { id: TEMPLATE_ID, title: '学习提醒' } };
const SECRETS = { activity: [{ name: 'ACTIVITY_QR_SECRET', message: '签到功能尚未配置，请联系管理员', purpose: 'HMAC key' }] };
const DB = {
  collections: [{ collectionName: 'org_members', description: '党员', aclTag: 'ADMINONLY', createIndexes: [{ name: 'phone_unique', unique: true, keys: [{ name: 'phone', direction: '1' }] }] }],
};
const TICK = { name: 'tick', type: 'timer', config: '0 * * * * * *' };

let root: string;
const write = (rel: string, content: unknown) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
};
const check = () => checkDeploy({ root, env: {}, templates: TEMPLATES, secrets: SECRETS });

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-check-'));
  write('project.config.json', { appid: 'wx0123456789abcdef', miniprogramRoot: 'dist/' });
  write('.env', `# deploy values\nENV_ID=prod-1a2b3c\nACTIVITY_QR_SECRET="${SECRET}"\n`);
  write('cloudbaserc.json', {
    version: '2.0',
    envId: '{{env.ENV_ID}}',
    functions: [
      { name: 'activity', timeout: 60, envVariables: { ACTIVITY_QR_SECRET: '{{env.ACTIVITY_QR_SECRET}}' }, triggers: [TICK] },
      { name: 'org', timeout: 10, envVariables: {}, triggers: [] },
    ],
  });
  write('cloudfunctions/activity/package.json', {});
  write('cloudfunctions/activity/config.json', { permissions: { openapi: ['subscribeMessage.send'] }, triggers: [TICK] });
  write('cloudfunctions/activity/actions.ts', 'await ctx.cloud.openapi.subscribeMessage\n  .send({});');
  write('cloudfunctions/org/package.json', {});
  write('cloudfunctions/org/config.json', { permissions: { openapi: ['wxacode.getUnlimited'] } });
  write('cloudfunctions/org/actions.ts', 'cloud.openapi.wxacode.getUnlimited(req)');
  write('cloudbase/database.json', DB);
  write('docs/indexes-for-console.md', renderIndexesDoc(DB));
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test('a complete set of deploy inputs passes', () => {
  expect(check()).toEqual([]);
});

test('the tourist AppID is refused', () => {
  write('project.config.json', { appid: 'touristappid' });
  expect(check()).toEqual([expect.stringMatching(/^project\.config\.json: "appid" is still "touristappid"/)]);
});

test('an unset env id is refused; the process environment can supply it', () => {
  write('.env', `ACTIVITY_QR_SECRET=${SECRET}\n`);
  expect(check()).toEqual([expect.stringMatching(/^\.env: ENV_ID is not set/)]);
  expect(checkDeploy({ root, env: { ENV_ID: 'prod-1' }, templates: TEMPLATES, secrets: SECRETS })).toEqual([]);
});

test('a placeholder template id is refused', () => {
  const problems = checkDeploy({ root, env: {}, templates: { ...TEMPLATES, studyLive: { id: 'STUDY_LIVE_REMINDER_TEMPLATE', title: '直播提醒' } }, secrets: SECRETS });
  expect(problems).toEqual([expect.stringMatching(/templates\.ts: studyLive \(直播提醒\) still has the placeholder id "STUDY_LIVE_REMINDER_TEMPLATE"/)]);
});

test('a secret absent or weak in .env, or written into the manifest, is refused', () => {
  write('.env', 'ENV_ID=prod-1\n');
  expect(check()).toEqual([expect.stringMatching(/^\.env: ACTIVITY_QR_SECRET .* is not set/)]);
  write('.env', 'ENV_ID=prod-1\nACTIVITY_QR_SECRET=short\n');
  expect(check()).toEqual([expect.stringMatching(/ACTIVITY_QR_SECRET .* is shorter than 32 characters/)]);
  write('.env', `ENV_ID=prod-1\nACTIVITY_QR_SECRET=${SECRET}\n`);
  const rc = JSON.parse(fs.readFileSync(path.join(root, 'cloudbaserc.json'), 'utf8'));
  rc.functions[0].envVariables.ACTIVITY_QR_SECRET = SECRET;
  write('cloudbaserc.json', rc);
  expect(check()).toEqual([expect.stringMatching(/activity\.envVariables\.ACTIVITY_QR_SECRET must be "\{\{env\.ACTIVITY_QR_SECRET\}\}".*literal value/)]);
});

test('triggers that differ between cloudbaserc.json and config.json, or a timeout in config.json, are refused', () => {
  write('cloudfunctions/activity/config.json', { timeout: 60, permissions: { openapi: ['subscribeMessage.send'] }, triggers: [{ name: 'finalise', type: 'timer', config: '0 * * * * * *' }] });
  expect(check()).toEqual([
    expect.stringMatching(/activity\/config\.json: triggers \(finalise timer .*\) differ from cloudbaserc\.json \(tick timer/),
    expect.stringMatching(/activity\/config\.json: "timeout" is ignored there/),
  ]);
});

test('an open API the code calls but config.json does not permit is refused', () => {
  write('cloudfunctions/org/config.json', { permissions: { openapi: [] } });
  expect(check()).toEqual([expect.stringMatching(/org\/config\.json: the code calls openapi wxacode\.getUnlimited/)]);
});

test('a function folder missing from the manifest is refused', () => {
  write('cloudfunctions/points/package.json', {});
  expect(check()).toEqual(['cloudbaserc.json: no entry for the function cloudfunctions/points']);
});

test('the index list must be printed and current', () => {
  fs.rmSync(path.join(root, 'docs/indexes-for-console.md'));
  expect(check()).toEqual([expect.stringMatching(/indexes-for-console\.md is missing: run npm run deploy:indexes/)]);
  write('docs/indexes-for-console.md', renderIndexesDoc({ collections: [] }));
  expect(check()).toEqual([expect.stringMatching(/out of date with cloudbase\/database\.json/)]);
});

test('.env parsing: comments, export, quotes', () => {
  expect(parseDotEnv('# c\nexport A=1\nB="two words"\nC=x # note\n\nbad line\n')).toEqual({ A: '1', B: 'two words', C: 'x' });
});

test('the repository\'s own index list is current', () => {
  const repo = path.resolve(__dirname, '../..');
  const problems = checkDeploy({ root: repo, env: {} });
  expect(problems.filter((p) => p.includes('indexes-for-console'))).toEqual([]);
  // and config.json agrees with the manifest for every function
  expect(problems.filter((p) => /^(cloudfunctions\/|cloudbaserc\.json)/.test(p))).toEqual([]);
});
