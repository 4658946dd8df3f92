import { Cron } from 'croner';
import type { FunctionHost, InvokeResult, TriggerConfig } from './host';

/** CloudBase evaluates timer triggers in China Standard Time. */
export const TRIGGER_TIMEZONE = 'Asia/Shanghai';

export interface ParsedCron {
  /** the 6-field part croner understands: sec min hour day month week */
  croner: string;
  /** null = every year */
  years: Set<number> | null;
}

function parseYears(field: string): Set<number> | null {
  if (field === '*' || field === '?') return null;
  const years = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`invalid year field "${field}" (use *, 2025, 2025,2026 or 2025-2027)`);
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    const step = m[3] ? Number(m[3]) : 1;
    if (to < from || step < 1) throw new Error(`invalid year range "${part}"`);
    for (let y = from; y <= to; y += step) years.add(y);
  }
  return years;
}

/**
 * Parses CloudBase's 7-field cron (`sec min hour day month week year`). The first six go to croner;
 * croner has no year field, so the year is checked when the trigger fires.
 */
export function parseCloudbaseCron(expr: string): ParsedCron {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 7) {
    throw new Error(`timer trigger "${expr}": CloudBase cron needs 7 fields (sec min hour day month week year), got ${fields.length}`);
  }
  // croner replaces "?" with the current time; in CloudBase it means "any".
  const six = fields.slice(0, 6).map((f) => (f === '?' ? '*' : f));
  const years = parseYears(fields[6]);
  const pattern = six.join(' ');
  try {
    // Validates the pattern (throws on bad fields) without scheduling anything.
    new Cron(pattern, { timezone: TRIGGER_TIMEZONE, paused: true }).stop();
  } catch (e) {
    throw new Error(`timer trigger "${expr}": ${(e as Error).message}`, { cause: e });
  }
  return { croner: pattern, years };
}

/** Next fire times (after `from`), honouring the year field; for tests and the CLI banner. */
export function nextRuns(expr: string, count: number, from: Date = new Date()): Date[] {
  const parsed = parseCloudbaseCron(expr);
  const cron = new Cron(parsed.croner, { timezone: TRIGGER_TIMEZONE, paused: true });
  const out: Date[] = [];
  let cursor: Date | null = from;
  let guard = 0;
  while (out.length < count && cursor && guard++ < 100000) {
    cursor = cron.nextRun(cursor);
    if (!cursor) break;
    if (!parsed.years || parsed.years.has(yearInShanghai(cursor))) out.push(cursor);
    else if (parsed.years && Math.max(...parsed.years) < yearInShanghai(cursor)) break;
  }
  cron.stop();
  return out;
}

function yearInShanghai(d: Date): number {
  return Number(new Intl.DateTimeFormat('en-US', { timeZone: TRIGGER_TIMEZONE, year: 'numeric' }).format(d));
}

/**
 * The caller a timer invocation has: no WeChat user (no OPENID, APPID or UNIONID) and SOURCE
 * `wx_trigger`, which getWXContext() reports for 云函数定时触发器调用.
 */
export const TIMER_CALLER = Object.freeze({ SOURCE: 'wx_trigger' });

/** The event CloudBase passes to a function started by a timer trigger. */
export function timerEvent(triggerName: string, at: Date = new Date()): Record<string, string> {
  return { Type: 'Timer', TriggerName: triggerName, Time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), Message: '' };
}

export interface ScheduledTrigger {
  fn: string;
  trigger: TriggerConfig;
  parsed: ParsedCron;
  nextRun(): Date | null;
}

export interface TriggerLog {
  fn: string;
  trigger: string;
  at: string;
  ok: boolean;
  error?: string;
  requestId?: string;
}

export class TriggerScheduler {
  private jobs: Array<{ s: ScheduledTrigger; cron: Cron }> = [];
  readonly fired: TriggerLog[] = [];

  constructor(
    private readonly host: FunctionHost,
    private readonly log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  ) {}

  /** Lists every valid trigger; bad cron strings are reported, not fatal (one bad config must not stop the emulator). */
  list(): ScheduledTrigger[] {
    const out: ScheduledTrigger[] = [];
    for (const info of this.host.list()) {
      for (const t of info.config.triggers) {
        try {
          const parsed = parseCloudbaseCron(t.config);
          out.push({
            fn: info.name,
            trigger: t,
            parsed,
            nextRun: () => nextRuns(t.config, 1)[0] ?? null,
          });
        } catch (e) {
          this.log(`[triggers] ${info.name}/${t.name}: ${(e as Error).message}`);
        }
      }
    }
    return out;
  }

  start(): ScheduledTrigger[] {
    this.stop();
    const list = this.list();
    for (const s of list) {
      const cron = new Cron(s.parsed.croner, { timezone: TRIGGER_TIMEZONE, protect: true }, () => {
        const now = new Date();
        if (s.parsed.years && !s.parsed.years.has(yearInShanghai(now))) return;
        void this.fire(s.fn, s.trigger.name, now).catch(() => undefined);
      });
      this.jobs.push({ s, cron });
    }
    return list;
  }

  stop(): void {
    for (const j of this.jobs) j.cron.stop();
    this.jobs = [];
  }

  /** Runs a trigger now, exactly as the schedule would (no user, SOURCE wx_trigger, CloudBase's timer event). */
  async fire(fn: string, triggerName: string, at: Date = new Date()): Promise<InvokeResult> {
    const info = this.host.get(fn);
    if (!info || !info.config.triggers.some((t) => t.name === triggerName)) {
      const e = new Error(`没有这个定时触发器：${fn}/${triggerName}`) as Error & { code: string };
      e.code = 'NOT_FOUND';
      throw e;
    }
    const entry: TriggerLog = { fn, trigger: triggerName, at: at.toISOString(), ok: false };
    this.fired.push(entry);
    if (this.fired.length > 100) this.fired.shift();
    try {
      const r = await this.host.invoke(fn, timerEvent(triggerName, at), { ...TIMER_CALLER }, 'timer');
      entry.ok = true;
      entry.requestId = r.requestId;
      return r;
    } catch (e) {
      entry.error = (e as Error).message;
      this.log(`[triggers] ${fn}/${triggerName} failed: ${(e as Error).message}`);
      throw e;
    }
  }
}

/** Convenience for tests: fire one trigger of a host without a running schedule. */
export function fireTrigger(host: FunctionHost, fn: string, triggerName: string, at?: Date): Promise<InvokeResult> {
  return new TriggerScheduler(host).fire(fn, triggerName, at);
}
