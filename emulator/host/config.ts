import fs from 'fs';
import path from 'path';

export interface TriggerConfig {
  name: string;
  type: 'timer';
  /** CloudBase's 7-field cron: sec min hour day month week year */
  config: string;
}

export interface FunctionConfig {
  /** seconds, CloudBase default 3, max 60 */
  timeout: number;
  permissions: { openapi: string[] };
  triggers: TriggerConfig[];
}

export interface FunctionInfo {
  name: string;
  dir: string;
  entry: string;
  config: FunctionConfig;
}

export const DEFAULT_TIMEOUT_S = 3;
export const MAX_TIMEOUT_S = 60;

export function readFunctionConfig(dir: string): FunctionConfig {
  const file = path.join(dir, 'config.json');
  let raw: any = {};
  if (fs.existsSync(file)) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: invalid JSON (${(e as Error).message})`, { cause: e });
    }
  }
  let timeout = Number(raw.timeout ?? DEFAULT_TIMEOUT_S);
  if (!Number.isFinite(timeout) || timeout <= 0) timeout = DEFAULT_TIMEOUT_S;
  timeout = Math.min(timeout, MAX_TIMEOUT_S);
  const openapi = Array.isArray(raw.permissions?.openapi) ? raw.permissions.openapi.map(String) : [];
  const triggers: TriggerConfig[] = [];
  for (const t of Array.isArray(raw.triggers) ? raw.triggers : []) {
    if (t && t.type === 'timer' && typeof t.name === 'string' && typeof t.config === 'string') {
      triggers.push({ name: t.name, type: 'timer', config: t.config });
    }
  }
  return { timeout, permissions: { openapi }, triggers };
}

/** Every sub-folder with an index.js is a function (config.json optional, CloudBase defaults apply). */
export function discoverFunctions(functionsDir: string): Map<string, FunctionInfo> {
  const out = new Map<string, FunctionInfo>();
  if (!fs.existsSync(functionsDir)) return out;
  for (const ent of fs.readdirSync(functionsDir, { withFileTypes: true })) {
    if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
    const dir = path.join(functionsDir, ent.name);
    // a symlinked function folder counts too (benchmarks assemble function sets that way)
    if (!(ent.isDirectory() || (ent.isSymbolicLink() && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()))) continue;
    const entry = path.join(dir, 'index.js');
    if (!fs.existsSync(entry)) continue;
    out.set(ent.name, { name: ent.name, dir, entry, config: readFunctionConfig(dir) });
  }
  return out;
}
