/**
 * Test-only fault injection (the emulator enables it only with testIdentityHeader / `--test`).
 * A fault targets one database request (`database.*` action) of one function call:
 *   fail-op=N              the N-th database request of the call (reads, writes and transaction
 *                          steps all count) is not executed and answers an error, as CloudBase does
 *                          when a request fails (the SDK throws it into the function)
 *   timeout-after-op=N     the N-th database request is executed, then the instance is killed and
 *                          the call answers DEADLINE_EXCEEDED, as when a function hits its timeout
 *   fail-write=N           like fail-op, counting only requests that change the store when they
 *   timeout-after-write=N  return: a write outside a transaction, or a transaction's commit
 * (`timeout-after-write=1` on a call that writes once: the write landed, the answer was lost.)
 */
export type FaultKind = 'fail-op' | 'timeout-after-op' | 'fail-write' | 'timeout-after-write';

export interface Fault {
  kind: FaultKind;
  /** 1-based index of the database request (or of the landing write) within the call */
  op: number;
}

/** What the backend must do with one database operation of a faulted call. */
export type FaultEffect = 'fail' | 'timeout-after';

const FAULT_RE = /^\s*(fail-op|timeout-after-op|fail-write|timeout-after-write)\s*=\s*(\d{1,4})\s*$/;

/** Parses `fail-op=3` / `timeout-after-op=2`; throws on anything else so a typo never passes silently. */
export function parseFault(text: string): Fault {
  const m = FAULT_RE.exec(text);
  if (!m || Number(m[2]) < 1) throw new Error(`bad fault "${text.slice(0, 60)}": use fail-op=N, timeout-after-op=N, fail-write=N or timeout-after-write=N (N ≥ 1)`);
  return { kind: m[1] as FaultKind, op: Number(m[2]) };
}

export const formatFault = (f: Fault): string => `${f.kind}=${f.op}`;

const LANDING = new Set(['database.insertDocument', 'database.modifyDocument', 'database.updateDocument', 'database.removeDocument']);

/** A request that changes the store when it returns: a write outside a transaction, or a commit. */
export function landsWrite(action: string, inTransaction: boolean): boolean {
  return action === 'database.commitTransaction' || (LANDING.has(action) && !inTransaction);
}

/**
 * The effect for a database request of a call carrying `fault`, given how many requests (`op`) and
 * landing writes (`write`) the call has sent so far, this one included.
 */
export function faultEffect(fault: Fault | undefined, count: { op: number; write: number }, isWrite: boolean): FaultEffect | undefined {
  if (!fault) return undefined;
  const byWrite = fault.kind === 'fail-write' || fault.kind === 'timeout-after-write';
  if (byWrite ? !isWrite || count.write !== fault.op : count.op !== fault.op) return undefined;
  return fault.kind.startsWith('fail-') ? 'fail' : 'timeout-after';
}

/** A fault armed for the next call(s) of a function (and action), for clients that cannot set headers. */
export interface ArmedFault {
  fn: string;
  /** event.action to match; any action when absent */
  action?: string;
  fault: Fault;
  /** calls left to fault */
  remaining: number;
}

export class FaultBoard {
  private armed: ArmedFault[] = [];

  arm(a: ArmedFault): void {
    this.armed.push(a);
  }

  /** Takes the fault for this call, if one is armed for it. */
  take(fn: string, action: unknown): Fault | undefined {
    const i = this.armed.findIndex((a) => a.fn === fn && (a.action === undefined || a.action === action));
    if (i < 0) return undefined;
    const a = this.armed[i];
    if (--a.remaining <= 0) this.armed.splice(i, 1);
    return a.fault;
  }

  list(): ArmedFault[] {
    return this.armed.map((a) => ({ ...a, fault: { ...a.fault } }));
  }

  clear(): void {
    this.armed = [];
  }
}
