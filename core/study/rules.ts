/**
 * The rules of 学时 (study hours): how server-measured study time becomes 学时, how often the app
 * beats, how much one day may earn, and the annual targets. Pure: no SDK, unit-tested.
 */
export type StudySource = 'online' | 'live' | 'activity' | 'offline';
export const STUDY_SOURCES: readonly StudySource[] = ['online', 'live', 'activity', 'offline'];
export const SOURCE_LABEL: Record<StudySource, string> = {
  online: '在线课程',
  live: '直播课',
  activity: '组织生活',
  offline: '线下学习',
};

export interface StudyRules {
  /** one 学时 is this many minutes of study (a 课时 of 45 minutes by default) */
  minutesPerHour: number;
  /** how often the app sends a heartbeat while a lesson plays or is read */
  beatEverySec: number;
  /** a beat sooner than this after the previous one is refused (faster than real time) */
  minGapSec: number;
  /** a beat later than this after the previous one credits nothing: the member was away */
  maxGapSec: number;
  /** online + live study credited per member per day, at most */
  dailyCapMinutes: number;
  /** a lesson is complete once this share of its duration has been credited */
  completeRatio: number;
  /** how often the app checkpoints while a lesson plays (besides pause, hide, stop and lesson end) */
  checkpointEverySec: number;
  /** a checkpoint sooner than this after the previous one is refused */
  checkpointMinGapSec: number;
  /** one checkpoint credits at most this much (two intervals): a later one was dropped or the app slept */
  checkpointMaxSec: number;
}

export const DEFAULT_RULES: StudyRules = {
  minutesPerHour: 45,
  beatEverySec: 30,
  minGapSec: 10,
  maxGapSec: 90,
  dailyCapMinutes: 240,
  completeRatio: 0.9,
  // 6 minutes: a 30-minute lesson is start + 4 checkpoints + stop; a lost app loses at most this
  checkpointEverySec: 360,
  checkpointMinGapSec: 10,
  checkpointMaxSec: 720,
};

/** A session silent this long is closed by the sweep and its time written to the ledger. */
export function staleAfterSec(rules: Pick<StudyRules, 'maxGapSec' | 'checkpointMaxSec'>): number {
  return Math.max(5 * 60, rules.maxGapSec, rules.checkpointMaxSec) + 60;
}

/**
 * Rules with deploy-time overrides (environment variables of the function):
 * STUDY_BEAT_SEC (the minimum and maximum gaps follow it: ⅓ and 3×), STUDY_CHECKPOINT_SEC (the
 * checkpoint's minimum gap follows it: ⅓, at most 10 s; its largest credit: 2×),
 * STUDY_MINUTES_PER_HOUR, STUDY_DAILY_CAP_MINUTES.
 */
export function rulesFromEnv(env: Record<string, string | undefined>): StudyRules {
  const num = (v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) && n >= min && n <= max ? n : undefined;
  };
  const rules = { ...DEFAULT_RULES };
  const beat = num(env.STUDY_BEAT_SEC, 1, 300);
  if (beat !== undefined) {
    rules.beatEverySec = beat;
    rules.minGapSec = Math.max(0.5, beat / 3);
    rules.maxGapSec = beat * 3;
  }
  const cp = num(env.STUDY_CHECKPOINT_SEC, 1, 3600);
  if (cp !== undefined) {
    rules.checkpointEverySec = cp;
    rules.checkpointMinGapSec = Math.min(10, Math.max(0.5, cp / 3));
    rules.checkpointMaxSec = cp * 2;
  }
  rules.minutesPerHour = num(env.STUDY_MINUTES_PER_HOUR, 1, 120) ?? rules.minutesPerHour;
  rules.dailyCapMinutes = num(env.STUDY_DAILY_CAP_MINUTES, 1, 1440) ?? rules.dailyCapMinutes;
  return rules;
}

/** 学时 from seconds of credited study, to two decimals. */
export function toStudyHours(seconds: number, rules: Pick<StudyRules, 'minutesPerHour'> = DEFAULT_RULES): number {
  return Math.floor((Math.max(0, seconds) / 60 / rules.minutesPerHour) * 100) / 100;
}

/** Seconds of study that make the given 学时. */
export function hoursToSeconds(hours: number, rules: Pick<StudyRules, 'minutesPerHour'> = DEFAULT_RULES): number {
  return Math.round(hours * rules.minutesPerHour * 60);
}

export interface TargetDoc {
  _id: string;
  orgId: string;
  year: number;
  /** 学时 a year for ordinary members */
  member: number;
  /** 学时 a year for branch secretaries and committee members */
  cadre: number;
}

export const DEFAULT_TARGETS = { member: 32, cadre: 56 };

export const targetId = (orgId: string, year: number) => `${orgId}:${year}`;

/** Secretaries, organisers and members marked as branch committee members owe the cadre target. */
export function isCadre(m: { role?: string | null; committee?: boolean | null }): boolean {
  return m.role === 'secretary' || m.role === 'organiser' || m.committee === true;
}

/**
 * The target that applies to a member: the nearest org on the member's path (branch first, then up
 * to the district) that set one for the year; otherwise the national plan's 32 / 56.
 */
export function resolveTarget(
  path: readonly string[],
  year: number,
  docs: readonly TargetDoc[],
): { member: number; cadre: number; orgId: string | null } {
  const byId = new Map(docs.map((d) => [d._id, d]));
  for (let i = path.length - 1; i >= 0; i--) {
    const d = byId.get(targetId(path[i], year));
    if (d) return { member: d.member, cadre: d.cadre, orgId: d.orgId };
  }
  return { ...DEFAULT_TARGETS, orgId: null };
}
