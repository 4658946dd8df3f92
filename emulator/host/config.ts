/**
 * How CloudBase reads a function's configuration, and nothing kinder:
 *   - `config.json` (what WeChat DevTools uploads with the function) holds `permissions.openapi` and
 *     `triggers`, at most ONE timer trigger (WeChat's 定时触发器 guide: 目前仅支持一个触发器). Any
 *     other key — a `timeout` included — is ignored by the platform, so the emulator refuses the
 *     function instead of honouring it.
 *   - timeout, memory and environment variables come from the deploy manifest (`cloudbaserc.json`,
 *     @cloudbase/cli 2.x: `functions[].timeout` 1–60 s, `memorySize`, `envVariables`); a function the
 *     manifest does not set runs with CloudBase's default timeout of 3 s.
 * A refused configuration stops the emulator with every problem listed (FunctionConfigError).
 */
import fs from 'fs';
import path from 'path';

export interface TriggerConfig {
  name: string;
  type: 'timer';
  /** CloudBase's 7-field cron: sec min hour day month week year */
  config: string;
}

export interface FunctionConfig {
  /** seconds, from the manifest; CloudBase default 3, max 60 */
  timeout: number;
  /** MB, from the manifest; CloudBase default 256 */
  memorySize: number;
  /** the function's own environment variables, from the manifest (placeholders resolved) */
  env: Record<string, string>;
  permissions: { openapi: string[] };
  triggers: TriggerConfig[];
}

export interface FunctionInfo {
  name: string;
  dir: string;
  entry: string;
  config: FunctionConfig;
}

/** One function's entry of the deploy manifest. */
export interface ManifestFunction {
  name: string;
  timeout?: number;
  memorySize?: number;
  envVariables?: Record<string, string>;
  triggers?: TriggerConfig[];
}

export const DEFAULT_TIMEOUT_S = 3;
export const MAX_TIMEOUT_S = 60;
export const DEFAULT_MEMORY_MB = 256;
export const MEMORY_SIZES = [128, 256, 512, 1024, 2048] as const;
/** The keys CloudBase reads from config.json. */
const CONFIG_KEYS = new Set(['permissions', 'triggers']);

export class FunctionConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`云函数配置不符合 CloudBase 的要求：\n  ${problems.join('\n  ')}`);
    this.name = 'FunctionConfigError';
  }
}

/**
 * Reads the deploy manifest. `{{env.NAME}}` placeholders in envVariables are filled from `vars`
 * (the process environment and the generated local secrets); one with no value stays unset.
 */
export function readManifest(file: string, vars: Record<string, string | undefined> = {}): Map<string, ManifestFunction> {
  let raw: any;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`, { cause: e });
  }
  const out = new Map<string, ManifestFunction>();
  const problems: string[] = [];
  for (const f of Array.isArray(raw?.functions) ? raw.functions : []) {
    if (!f || typeof f.name !== 'string') continue;
    const where = `${path.basename(file)} ${f.name}`;
    if (f.timeout !== undefined && !(Number.isInteger(f.timeout) && f.timeout >= 1 && f.timeout <= MAX_TIMEOUT_S)) {
      problems.push(`${where}: timeout 须为 1–${MAX_TIMEOUT_S} 的整数（秒）`);
    }
    if (f.memorySize !== undefined && !MEMORY_SIZES.includes(f.memorySize)) problems.push(`${where}: memorySize 须为 ${MEMORY_SIZES.join('/')} 之一`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.envVariables ?? {})) {
      const value = String(v).replace(/\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_m, name: string) => vars[name] ?? '\u0000');
      if (!value.includes('\u0000')) env[k] = value;
    }
    const triggers = Array.isArray(f.triggers) ? f.triggers : [];
    if (triggers.length > 1) problems.push(`${where}: 每个云函数只能有一个定时触发器（现有 ${triggers.length} 个）`);
    out.set(f.name, { name: f.name, timeout: f.timeout, memorySize: f.memorySize, envVariables: env, triggers });
  }
  if (problems.length) throw new FunctionConfigError(problems);
  return out;
}

/** Reads and checks one function's config.json, with timeout, memory and env from its manifest entry. */
export function readFunctionConfig(dir: string, manifest?: ManifestFunction): FunctionConfig {
  const file = path.join(dir, 'config.json');
  const name = path.basename(dir);
  let raw: any = {};
  if (fs.existsSync(file)) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new FunctionConfigError([`${name}/config.json: 不是有效的 JSON（${(e as Error).message}）`]);
    }
  }
  const problems: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) raw = {};
  for (const key of Object.keys(raw)) {
    if (!CONFIG_KEYS.has(key)) {
      const hint = key === 'timeout' || key === 'memorySize' || key === 'envVariables' ? `（CloudBase 不读这里的 ${key}，请写在 cloudbaserc.json）` : '';
      problems.push(`${name}/config.json: 不支持的配置项 "${key}"${hint}`);
    }
  }
  const perms = raw.permissions;
  if (perms !== undefined) {
    if (!perms || typeof perms !== 'object' || Array.isArray(perms)) problems.push(`${name}/config.json: permissions 须为对象`);
    else {
      for (const key of Object.keys(perms)) if (key !== 'openapi') problems.push(`${name}/config.json: 不支持的配置项 "permissions.${key}"`);
      if (perms.openapi !== undefined && !(Array.isArray(perms.openapi) && perms.openapi.every((x: unknown) => typeof x === 'string'))) {
        problems.push(`${name}/config.json: permissions.openapi 须为字符串数组`);
      }
    }
  }
  const triggers: TriggerConfig[] = [];
  if (raw.triggers !== undefined && !Array.isArray(raw.triggers)) problems.push(`${name}/config.json: triggers 须为数组`);
  const list: any[] = Array.isArray(raw.triggers) ? raw.triggers : [];
  if (list.length > 1) problems.push(`${name}/config.json: 每个云函数只能有一个定时触发器（现有 ${list.length} 个）`);
  for (const t of list) {
    if (!t || t.type !== 'timer' || typeof t.name !== 'string' || !t.name || typeof t.config !== 'string') {
      problems.push(`${name}/config.json: 触发器须为 { name, type: "timer", config }`);
      continue;
    }
    const extra = Object.keys(t).filter((k) => !['name', 'type', 'config'].includes(k));
    if (extra.length) problems.push(`${name}/config.json: 触发器 ${t.name} 不支持 ${extra.join(', ')}`);
    triggers.push({ name: t.name, type: 'timer', config: t.config });
  }
  if (problems.length) throw new FunctionConfigError(problems);
  return {
    timeout: manifest?.timeout ?? DEFAULT_TIMEOUT_S,
    memorySize: manifest?.memorySize ?? DEFAULT_MEMORY_MB,
    env: { ...(manifest?.envVariables ?? {}) },
    permissions: { openapi: Array.isArray(perms?.openapi) ? perms.openapi.map(String) : [] },
    triggers,
  };
}

/**
 * Every sub-folder with an index.js is a function (config.json optional, CloudBase defaults apply).
 * Problems of every function are reported together.
 */
export function discoverFunctions(functionsDir: string, manifest?: Map<string, ManifestFunction>): Map<string, FunctionInfo> {
  const out = new Map<string, FunctionInfo>();
  if (!fs.existsSync(functionsDir)) return out;
  const problems: string[] = [];
  for (const ent of fs.readdirSync(functionsDir, { withFileTypes: true })) {
    if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
    const dir = path.join(functionsDir, ent.name);
    // a symlinked function folder counts too (benchmarks assemble function sets that way)
    if (!(ent.isDirectory() || (ent.isSymbolicLink() && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()))) continue;
    const entry = path.join(dir, 'index.js');
    if (!fs.existsSync(entry)) continue;
    try {
      out.set(ent.name, { name: ent.name, dir, entry, config: readFunctionConfig(dir, manifest?.get(ent.name)) });
    } catch (e) {
      if (e instanceof FunctionConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new FunctionConfigError(problems);
  return out;
}
