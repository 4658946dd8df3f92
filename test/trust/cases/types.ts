import type { CallerInfo, CallerKind, Harness, Reply } from '../harness';

/**
 * How the matrix calls one action. `payload` runs once per kind of caller, just before the call,
 * and builds a fresh target in the home branch (fixtures written straight into the store), so the
 * cells do not depend on each other and an allowed call can succeed for real.
 */
export interface AuthzCase {
  payload(h: Harness, caller: CallerInfo): unknown | Promise<unknown>;
  /**
   * Cells the matrix allows where the caller passes every permission check but the action then
   * answers with a business refusal (e.g. applying when already a member): the expected code.
   */
  allowedRefusal?: Partial<Record<CallerKind, string>>;
  /** extra checks on an allowed reply (e.g. the data is the caller's own) */
  check?(h: Harness, caller: CallerInfo, reply: Reply): void | Promise<void>;
}

export type CaseTable = Record<string, AuthzCase>;
