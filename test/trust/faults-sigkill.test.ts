/**
 * Crash safety of the real functions: the emulator (demo district, every function) runs as its own
 * process and is killed with SIGKILL in the middle of a mixed burst — quiz answers, QR sign-ins,
 * study heartbeats from many members — then restarted on the same data, three times. After each
 * restart every acknowledged write is there, a retried request of each kind is idempotent, and —
 * once the quiz answers that got no reply are sent again, as the quiz page does — the consistency
 * checker finds every counter equal to the records it counts.
 */
import { startCli as startCliProcess, type RunningCli } from '../fixtures/cli-process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { buildFunctionsOnce } from '../setup/functions';
import { freshDataDir } from '../setup/demo-snapshot';
import { Store } from '../../emulator/db/store';
import { DEMO } from '../../seed';
import { ACTIVITY_DEMO } from '../../seed/activity';
import { issueToken } from '../../core/activity/token';
import { requiredSecretNames } from '../../core/fn/secrets';
import { readLocalSecrets } from '../../emulator/secrets';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');


/** The CLI as a user runs it, in its own process, so SIGKILL is a real crash. */
function startCli(dataDir: string, h5: string): Promise<RunningCli> {
  return startCliProcess([
    '--functions', FUNCTIONS, '--data', dataDir, '--port', '0', '--test', '--no-triggers', '--strict',
    '--seed', 'demo', '--h5', h5, '--secrets', requiredSecretNames().join(','),
  ]);
}

async function call(url: string, fn: string, action: string, payload: unknown, openid: string): Promise<{ status: number; ok: boolean; data: any; error?: any } | null> {
  try {
    const r = await fetch(`${url}/api/functions/${fn}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
      body: JSON.stringify({ action, payload }),
    });
    const body = await r.json();
    if (body.error) return { status: r.status, ok: false, data: undefined, error: body.error };
    return { status: r.status, ok: r.status === 200, data: body.result?.data };
  } catch {
    return null; // connection cut by the kill: not acknowledged
  }
}

interface Acked {
  quiz: Map<string, { day: string; points: number }>; // memberId → the acknowledged answer
  signIn: Set<string>; // memberId
  beats: Map<string, { sessionId: string; beats: number; sentAt: number }>; // openid → acknowledged beats of its session, when the last was sent
}

test('acknowledged answers, sign-ins and heartbeats survive SIGKILL; retries are idempotent; counters stay consistent (3 rounds)', async () => {
  await buildFunctionsOnce(FUNCTIONS);
  const dataDir = freshDataDir('faults', 'demo');
  const h5 = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-noh5-'));

  // the demo district (the run's snapshot, or seeded by the first start); the fixtures are read while
  // the emulator is idle (WAL lets both open the file)
  let emu = await startCli(dataDir, h5);
  const current = () => emu;
  try {
  const store = new Store({ dataDir });
  // members of the home street (several branches): enough callers that the kill lands mid-burst
  const home = store
    .find('org_members', { status: 'active', role: 'member' })
    .filter((m: any) => m.openid && m.path?.includes(DEMO.streetId))
    .slice(0, 30);
  const branches = [...new Set(home.map((m: any) => m.branchId as string))];
  const lesson: any = store.find('study_lessons', { status: 'published' }).find((l: any) => l.kind !== 'live' && home[0]?.path?.includes(l.orgId));
  const activity: any = store.findOne('activity_items', ACTIVITY_DEMO.soonId);
  store.close();
  expect(home.length).toBeGreaterThanOrEqual(12);
  expect(lesson).toBeTruthy();
  expect(activity.roster.length).toBeGreaterThan(0);
  const onRoster = new Set(activity.roster.map((m: any) => m.id));
  const organiser = DEMO.streetOrganiserOpenid || DEMO.organiserOpenid;
  expect(branches.length).toBeGreaterThan(1);

  // the demo seed is consistent to begin with, so every later difference would be the burst's
  for (const branchId of branches) {
    const base = await call(emu.url, 'consistency', 'check', { branchId }, organiser);
    expect(base?.ok).toBe(true);
    expect(base!.data.differences).toEqual([]);
  }

  const acked: Acked = { quiz: new Map(), signIn: new Set(), beats: new Map() };
  const unacked = new Map<string, { openid: string; day: string; answers: unknown[] }>();
  const report: string[] = [];
  for (let round = 0; round < 3; round++) {
    let ackedThisRound = 0;
    let killed = false;
    const killAfter = 15 + round * 10;
    const ack = () => {
      ackedThisRound++;
      if (!killed && ackedThisRound >= killAfter) {
        killed = true;
        emu.child.kill('SIGKILL');
      }
    };
    const url = emu.url;
    const jobs = home.map(async (m: any, i: number) => {
      // each member does one kind of thing per round, rotating, so every kind is in every burst
      const kind = (i + round) % 3;
      if (kind === 0 && !acked.quiz.has(m._id)) {
        const t = await call(url, 'quiz', 'today', {}, m.openid);
        if (!t?.ok) return;
        const answers = t.data.questions.map((q: any) => ({ questionId: q.id, choice: [q.options[0].id] }));
        unacked.set(m._id, { openid: m.openid, day: t.data.day, answers });
        const r = await call(url, 'quiz', 'submit', { day: t.data.day, answers }, m.openid);
        if (r?.ok) {
          unacked.delete(m._id);
          acked.quiz.set(m._id, { day: t.data.day, points: r.data.points });
          ack();
        }
      } else if (kind === 1 && onRoster.has(m._id)) {
        const r = await call(url, 'activity', 'signIn', { token: issueToken(readLocalSecrets(dataDir).ACTIVITY_QR_SECRET, activity._id, Date.now()).token }, m.openid);
        if (r?.ok) {
          acked.signIn.add(m._id);
          ack();
        }
      } else {
        // a member may start again in a later round; a start that lands replaces the session whether
        // or not its reply arrives, so only the newest acknowledged start's session is checked
        acked.beats.delete(m.openid);
        const s = await call(url, 'study', 'start', { lessonId: lesson._id }, m.openid);
        if (!s?.ok) return;
        acked.beats.set(m.openid, { sessionId: s.data.sessionId, beats: 0, sentAt: 0 });
        ack();
        for (let b = 1; b <= 3; b++) {
          await new Promise((r) => setTimeout(r, 150));
          const sentAt = Date.now();
          const r = await call(url, 'study', 'beat', { sessionId: s.data.sessionId, lessonId: lesson._id, position: b * 5, playing: true }, m.openid);
          if (!r?.ok) return;
          Object.assign(acked.beats.get(m.openid)!, { beats: b, sentAt });
          ack();
        }
      }
    });
    await Promise.all(jobs);
    if (!killed) emu.child.kill('SIGKILL');
    await emu.exited;

    emu = await startCli(dataDir, h5);
    let s = new Store({ dataDir });
    // read-only look while the restarted emulator is idle: WAL lets both open the file
    // what an acknowledged write should have left, and what the store holds instead
    const lost: string[] = [];
    for (const [memberId, q] of acked.quiz) {
      const e = s.findOne('points_ledger', `quiz:${q.day}:${memberId}`);
      if (!e || e.points !== q.points) lost.push(`answer ${memberId} ${q.day}: acknowledged ${q.points} points, stored ${e ? e.points : 'nothing'}`);
    }
    for (const memberId of acked.signIn) {
      const rec = s.findOne('activity_attendance', `${activity._id}:${memberId}`);
      if (!rec || rec.status !== 'present') lost.push(`sign-in ${memberId}: stored ${rec ? rec.status : 'nothing'}`);
    }
    for (const [openid, b] of acked.beats) {
      const sess = s.findOne('study_sessions', openid);
      if (!sess || sess.sessionId !== b.sessionId || (sess.beats ?? 0) < b.beats) {
        lost.push(`session ${openid}: acknowledged ${b.sessionId} beat ${b.beats}, stored ${sess ? `${sess.sessionId} beat ${sess.beats ?? 0}` : 'nothing'}`);
      }
    }
    s.close();

    // the quiz page keeps answers it got no reply for and sends them again: a record that landed
    // without its counters gets them now, once (core/points/ledger.ts awardPointsMarked)
    for (const [memberId, q] of unacked) {
      const r = await call(emu.url, 'quiz', 'submit', { day: q.day, answers: q.answers }, q.openid);
      expect(r?.ok).toBe(true);
      unacked.delete(memberId);
      acked.quiz.set(memberId, { day: q.day, points: r!.data.points });
    }
    s = new Store({ dataDir });
    const ledgerBefore = s.count('points_ledger');
    const attendanceBefore = s.count('activity_attendance');
    const creditsBefore = s.count('study_credits');
    s.close();

    // a retry of each kind: the stored answer, the stored sign-in, a beat that credits nothing twice
    const [qm, qa] = [...acked.quiz][0] ?? [];
    const quizMember = home.find((m: any) => m._id === qm);
    if (quizMember) {
      const before = (await call(emu.url, 'points', 'history', {}, quizMember.openid))!.data.total;
      const t = await call(emu.url, 'quiz', 'today', {}, quizMember.openid);
      const r = await call(emu.url, 'quiz', 'submit', { day: qa!.day, answers: t!.data.questions.map((q: any) => ({ questionId: q.id, choice: [q.options[0].id] })) }, quizMember.openid);
      expect(r?.ok).toBe(true);
      expect(r!.data.duplicate).toBe(true);
      expect((await call(emu.url, 'points', 'history', {}, quizMember.openid))!.data.total).toBe(before);
    }
    const signer = home.find((m: any) => acked.signIn.has(m._id));
    if (signer) {
      const r = await call(emu.url, 'activity', 'signIn', { token: issueToken(readLocalSecrets(dataDir).ACTIVITY_QR_SECRET, activity._id, Date.now()).token }, signer.openid);
      expect(r?.ok).toBe(true);
    }
    const [beatOpenid, beatSess] = [...acked.beats].find(([, b]) => b.beats > 0) ?? [];
    if (beatOpenid) {
      const replay = await call(emu.url, 'study', 'beat', { sessionId: beatSess!.sessionId, lessonId: lesson._id, position: beatSess!.beats * 5, playing: true }, beatOpenid);
      // either refused as a replay or credited only the time that really passed since the last beat
      // (a minute, or more when the restart itself took longer on a busy machine)
      expect(replay).not.toBeNull();
      if (replay!.ok) expect(replay!.data.creditedSec).toBeLessThanOrEqual(Math.max(60, (Date.now() - beatSess!.sentAt) / 1000));
      else expect(['FAILED_PRECONDITION', 'RESOURCE_EXHAUSTED', 'NOT_FOUND']).toContain(replay!.error.code);
    }
    const s2 = new Store({ dataDir });
    expect(s2.count('points_ledger')).toBe(ledgerBefore);
    expect(s2.count('activity_attendance')).toBe(attendanceBefore);
    expect(s2.count('study_credits')).toBe(creditsBefore);
    s2.close();

    const diffs: unknown[] = [];
    let reads = 0;
    for (const branchId of branches) {
      const check = await call(emu.url, 'consistency', 'check', { branchId }, organiser);
      expect(check?.ok).toBe(true);
      diffs.push(...check!.data.differences);
      reads += check!.data.ops.reads;
    }
    report.push(
      `round ${round}: acknowledged ${ackedThisRound}${killed ? ' (killed mid-burst)' : ''} ` +
        `(cumulative: quiz ${acked.quiz.size}, sign-in ${acked.signIn.size}, study ${acked.beats.size} sessions), lost ${lost.length}, ` +
        `checker ${diffs.length} difference(s) over ${branches.length} branches in ${reads} reads`,
    );
    expect(lost).toEqual([]);
    expect(diffs).toEqual([]);
    expect(ackedThisRound).toBeGreaterThan(0);
  }
  process.stdout.write(`${report.join('\n')}\n`);
  } finally {
    // never leave an emulator behind, whatever failed
    current().child.kill('SIGKILL');
    await current().exited;
    for (const dir of [dataDir, h5]) fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
