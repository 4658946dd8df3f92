/**
 * Function secrets for local use: a random value per name and per data folder, kept in
 * `<dataDir>/secrets.json` (mode 0600) so a restart on the same data keeps signed things valid, and
 * handed to every function instance as an environment variable, as the console's 环境变量 are on
 * CloudBase. Which names: whatever the caller asks for (the start script passes its project's list);
 * the emulator itself knows none.
 */
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';

export const SECRETS_FILE = 'secrets.json';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The secrets stored for a data folder (empty when there are none yet). */
export function readLocalSecrets(dataDir: string): Record<string, string> {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dataDir, SECRETS_FILE), 'utf8'));
    const out: Record<string, string> = {};
    if (parsed && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed)) if (NAME_RE.test(k) && typeof v === 'string' && v) out[k] = v;
    }
    return out;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${path.join(dataDir, SECRETS_FILE)} is not valid JSON: delete it to generate new secrets`, { cause: e });
  }
}

/**
 * Every stored secret of the folder, after generating the `names` it lacks (43 base64url characters
 * of crypto randomness each). Existing values are never changed.
 */
export function ensureLocalSecrets(dataDir: string, names: readonly string[]): Record<string, string> {
  for (const n of names) if (!NAME_RE.test(n)) throw new Error(`invalid secret name "${n}": use letters, digits and _`);
  const secrets = readLocalSecrets(dataDir);
  const missing = names.filter((n) => !secrets[n]);
  if (missing.length) {
    for (const n of missing) secrets[n] = crypto.randomBytes(32).toString('base64url');
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, SECRETS_FILE);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  return secrets;
}
