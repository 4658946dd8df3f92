/**
 * The project's secrets: environment variables of a cloud function that must hold a long random
 * value. Every one is listed here, per function, and read only through `requireSecret`, which fails
 * closed: a missing, short or published value refuses the action with a message for the person and
 * one log line for the engineer that names the variable (never its value).
 *
 * `REQUIRED_SECRETS` is the one list: the local emulator generates a value for each name per data
 * folder (scripts/start.ts, test fixtures), and a deploy check can refuse a function whose console
 * environment lacks one. Set them in 云开发控制台 → 云函数 → <function> → 环境变量 (README, Security).
 */
import crypto from 'crypto';
import { AppError } from './errors';

export interface SecretSpec {
  /** the environment variable */
  readonly name: string;
  /** what the person sees while it is not configured (Chinese) */
  readonly message: string;
  /** what it protects, for the engineer */
  readonly purpose: string;
}

/** Per function (folder name under cloudfunctions/): the secrets it refuses to work without. */
export const REQUIRED_SECRETS = {
  activity: [
    {
      name: 'ACTIVITY_QR_SECRET',
      message: '签到功能尚未配置，请联系管理员',
      purpose: 'HMAC key of the rotating sign-in codes (core/activity/token.ts)',
    },
  ],
  study: [
    {
      name: 'STUDY_LEASE_SECRET',
      message: '学时计时尚未配置，请联系管理员',
      purpose: 'HMAC key of the study session leases and start offers (core/study/lease.ts)',
    },
  ],
} as const satisfies Record<string, readonly SecretSpec[]>;

export type SecretName = (typeof REQUIRED_SECRETS)[keyof typeof REQUIRED_SECRETS][number]['name'];

/** At least 32 characters: `openssl rand -base64 32` gives 44. */
export const MIN_SECRET_LENGTH = 32;
/** Guards against a padded placeholder such as "xxxxxxxx…" or "1234123412341234…". */
const MIN_DISTINCT_CHARS = 10;

/**
 * SHA-256 of values that were once printed in this repository's source or docs, so anyone can
 * read them: a deployment that copied one is as open as one without a secret.
 */
const PUBLISHED_VALUES = new Set([
  // the former local default of ACTIVITY_QR_SECRET
  '9a0432bf2fb0e53609026d42acf79b1d024a843c98bf42e74152b87319db6bdc',
]);

/** Every secret name, or those of one function. */
export function requiredSecretNames(fn?: string): string[] {
  const lists: ReadonlyArray<readonly SecretSpec[]> = fn
    ? [(REQUIRED_SECRETS as Record<string, readonly SecretSpec[]>)[fn] ?? []]
    : Object.values(REQUIRED_SECRETS);
  return [...new Set(lists.flatMap((l) => l.map((s) => s.name)))];
}

function specOf(name: string): SecretSpec | undefined {
  for (const list of Object.values(REQUIRED_SECRETS) as ReadonlyArray<readonly SecretSpec[]>) {
    const spec = list.find((s) => s.name === name);
    if (spec) return spec;
  }
  return undefined;
}

/** Why a value cannot serve as a secret (for the engineer's log), or null when it can. */
export function secretProblem(value: string | undefined): string | null {
  if (value === undefined || value === '') return 'is not set';
  if (value.length < MIN_SECRET_LENGTH) return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  if (new Set(value).size < MIN_DISTINCT_CHARS) return 'has too few distinct characters to be random';
  if (PUBLISHED_VALUES.has(crypto.createHash('sha256').update(value).digest('hex'))) return 'is a value published in the source';
  return null;
}

/**
 * The value of a listed secret from the function's environment. Throws FAILED_PRECONDITION (the
 * secret's own Chinese message) when it is unusable, after one log line naming the variable.
 */
export function requireSecret(
  env: Record<string, string | undefined>,
  name: SecretName,
  log: (line: string) => void = (line) => console.error(line),
): string {
  const spec = specOf(name);
  const value = env[name];
  const problem = secretProblem(value);
  if (problem === null) return value!;
  log(
    `[secrets] ${name} ${problem}: set a random value of at least ${MIN_SECRET_LENGTH} characters ` +
      `(openssl rand -base64 32) in this function's environment variables; refusing until then`,
  );
  throw new AppError('FAILED_PRECONDITION', spec?.message ?? '此功能尚未配置，请联系管理员');
}
