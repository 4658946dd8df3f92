/**
 * `npm run deploy:check`: refuses a deploy, listing every input still missing, before anything is
 * uploaded. It reads, from the repository root:
 *
 * - project.config.json `appid`: not the `touristappid` placeholder (WeChat DevTools uploads with it);
 * - `.env` (git-ignored; the process environment overrides it): `ENV_ID`, the CloudBase environment
 *   cloudbaserc.json's `envId: "{{env.ENV_ID}}"` and the app build (`CLOUD_ENV`) use;
 * - core/subscribe/templates.ts: no template id still a placeholder;
 * - core/fn/secrets.ts REQUIRED_SECRETS: each is a `{{env.NAME}}` placeholder in its function's
 *   `envVariables` in cloudbaserc.json (never a value), and `.env` holds a usable value for it;
 * - cloudbaserc.json against cloudfunctions/<fn>/config.json: the same functions, the same timer
 *   trigger (at most one), no keys in config.json CloudBase ignores there (timeout), and every open
 *   API a function's code calls (`cloud.openapi.<ns>.<method>`) listed in its permissions.openapi;
 * - docs/indexes-for-console.md: the current rendering of cloudbase/database.json
 *   (`npm run deploy:indexes`), so the console's collections and indexes can be created from it.
 *
 * Exit code 0 and "ready" when nothing is missing; 1 and the list otherwise.
 */
import fs from 'fs';
import path from 'path';
import { REQUIRED_SECRETS, secretProblem, type SecretSpec } from '../core/fn/secrets';
import { isPlaceholderTemplateId, SUBSCRIBE_TEMPLATES } from '../core/subscribe/templates';
import { INDEXES_DOC, renderIndexesFrom } from './deploy-indexes';

export interface DeployCheckOptions {
  /** repository root */
  root: string;
  /** the process environment (overrides .env) */
  env?: Record<string, string | undefined>;
  templates?: Record<string, { id: string; title: string }>;
  secrets?: Record<string, readonly SecretSpec[]>;
}

interface Trigger {
  name: string;
  type: string;
  config: string;
}

interface ManifestFn {
  name: string;
  timeout?: number;
  memorySize?: number;
  envVariables?: Record<string, string>;
  triggers?: Trigger[];
}

/** KEY=VALUE lines; `#` comments, blank lines, optional `export ` and quotes. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    let v = m[2];
    if (/^(['"]).*\1$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]] = v;
  }
  return out;
}

function readJson<T>(file: string, problems: string[], label: string): T | null {
  if (!fs.existsSync(file)) {
    problems.push(`${label} is missing`);
    return null;
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    problems.push(`${label} is not valid JSON (${(e as Error).message})`);
    return null;
  }
}

const sameTrigger = (a: Trigger, b: Trigger) => a.name === b.name && a.type === b.type && a.config === b.config;
const showTriggers = (ts: Trigger[]) => (ts.length ? ts.map((t) => `${t.name} ${t.type} "${t.config}"`).join(', ') : 'none');

/** The open APIs a function's own sources call (cloud.openapi.<ns>.<method>). */
function openApisUsed(fnDir: string): string[] {
  const used = new Set<string>();
  for (const f of fs.readdirSync(fnDir)) {
    if (!f.endsWith('.ts')) continue;
    const src = fs.readFileSync(path.join(fnDir, f), 'utf8');
    for (const m of src.matchAll(/openapi\s*\.\s*(\w+)\s*\.\s*(\w+)\s*\(/g)) used.add(`${m[1]}.${m[2]}`);
  }
  return [...used].sort();
}

export function checkDeploy(opts: DeployCheckOptions): string[] {
  const { root } = opts;
  const templates = opts.templates ?? SUBSCRIBE_TEMPLATES;
  const secrets = opts.secrets ?? (REQUIRED_SECRETS as Record<string, readonly SecretSpec[]>);
  const problems: string[] = [];
  const envFile = path.join(root, '.env');
  const env: Record<string, string | undefined> = {
    ...(fs.existsSync(envFile) ? parseDotEnv(fs.readFileSync(envFile, 'utf8')) : {}),
    ...Object.fromEntries(Object.entries(opts.env ?? {}).filter(([, v]) => v !== undefined && v !== '')),
  };

  // the mini-program's AppID
  const project = readJson<{ appid?: string }>(path.join(root, 'project.config.json'), problems, 'project.config.json');
  if (project && (!project.appid || project.appid === 'touristappid')) {
    problems.push('project.config.json: "appid" is still "touristappid"; put your mini-program\'s AppID there (mp.weixin.qq.com → 开发管理 → 开发设置)');
  }

  // the CloudBase environment
  if (!env.ENV_ID) problems.push('.env: ENV_ID is not set; add ENV_ID=<your CloudBase environment id> (云开发控制台 → 环境 ID), used by cloudbaserc.json and the app build (CLOUD_ENV)');

  // subscribe-message templates
  for (const [key, t] of Object.entries(templates)) {
    if (isPlaceholderTemplateId(t.id)) problems.push(`core/subscribe/templates.ts: ${key} (${t.title}) still has the placeholder id "${t.id}"; apply for the template and paste the console's id`);
  }

  // the manifest against each function's config.json
  const manifest = readJson<{ envId?: string; functions?: ManifestFn[] }>(path.join(root, 'cloudbaserc.json'), problems, 'cloudbaserc.json');
  const fnRoot = path.join(root, 'cloudfunctions');
  const folders = fs.existsSync(fnRoot)
    ? fs.readdirSync(fnRoot).filter((n) => fs.existsSync(path.join(fnRoot, n, 'package.json')) || fs.existsSync(path.join(fnRoot, n, 'index.ts'))).sort()
    : [];
  if (manifest) {
    if (manifest.envId !== '{{env.ENV_ID}}') problems.push(`cloudbaserc.json: envId must be "{{env.ENV_ID}}" (the value comes from .env), found ${JSON.stringify(manifest.envId)}`);
    const fns = manifest.functions ?? [];
    const byName = new Map(fns.map((f) => [f.name, f]));
    for (const n of folders) if (!byName.has(n)) problems.push(`cloudbaserc.json: no entry for the function cloudfunctions/${n}`);
    for (const f of fns) {
      if (!folders.includes(f.name)) {
        problems.push(`cloudbaserc.json: function ${f.name} has no folder under cloudfunctions/`);
        continue;
      }
      const mTriggers = f.triggers ?? [];
      if (mTriggers.length > 1) problems.push(`cloudbaserc.json: ${f.name} has ${mTriggers.length} triggers; CloudBase allows one timer trigger per function`);
      const cfg = readJson<{ timeout?: unknown; triggers?: Trigger[]; permissions?: { openapi?: string[] } }>(
        path.join(fnRoot, f.name, 'config.json'),
        problems,
        `cloudfunctions/${f.name}/config.json`,
      );
      if (cfg) {
        const cTriggers = cfg.triggers ?? [];
        if (cTriggers.length !== mTriggers.length || !cTriggers.every((t, i) => sameTrigger(t, mTriggers[i]))) {
          problems.push(`cloudfunctions/${f.name}/config.json: triggers (${showTriggers(cTriggers)}) differ from cloudbaserc.json (${showTriggers(mTriggers)})`);
        }
        if ('timeout' in cfg) problems.push(`cloudfunctions/${f.name}/config.json: "timeout" is ignored there; the timeout lives in cloudbaserc.json`);
        const declared = cfg.permissions?.openapi ?? [];
        for (const api of openApisUsed(path.join(fnRoot, f.name))) {
          if (!declared.includes(api)) problems.push(`cloudfunctions/${f.name}/config.json: the code calls openapi ${api}, missing from permissions.openapi`);
        }
      }
      // secrets: a placeholder in the manifest, a usable value in .env
      for (const s of secrets[f.name] ?? []) {
        const v = f.envVariables?.[s.name];
        if (v !== `{{env.${s.name}}}`) {
          problems.push(`cloudbaserc.json: ${f.name}.envVariables.${s.name} must be "{{env.${s.name}}}" (the value stays in .env), found ${v === undefined ? 'nothing' : 'a literal value'}`);
        }
        const problem = secretProblem(env[s.name]);
        if (problem) problems.push(`.env: ${s.name} (function ${f.name}: ${s.purpose}) ${problem}; generate one with: openssl rand -base64 32`);
      }
    }
  }

  // the index list for the console
  const doc = path.join(root, INDEXES_DOC);
  if (!fs.existsSync(doc)) problems.push(`${INDEXES_DOC} is missing: run npm run deploy:indexes and create what it lists in the console`);
  else if (fs.readFileSync(doc, 'utf8') !== renderIndexesFrom(root)) problems.push(`${INDEXES_DOC} is out of date with cloudbase/database.json: run npm run deploy:indexes`);

  return problems;
}

if (require.main === module) {
  const problems = checkDeploy({ root: path.resolve(__dirname, '..'), env: process.env });
  if (!problems.length) {
    console.log('deploy:check: ready. Next: docs/deploy.md.');
  } else {
    console.error(`deploy:check: not ready to deploy, ${problems.length} thing(s) missing:`);
    for (const p of problems) console.error(`  - ${p}`);
    console.error('See docs/deploy.md for where each value goes.');
    process.exit(1);
  }
}
