/**
 * One subscribe message sent, and what became of it. WeChat refuses for reasons that differ in what
 * to do next: 43101 (the member gave no grant, or it was used up) will be refused again, while
 * 45009 (the API's frequency/quota limit) and -1 (system busy) say "try again later" — a reminder
 * refused so must stay queued, not be marked sent. wx-server-sdk reports a refusal either by
 * throwing an error carrying `errCode` or by resolving with a non-zero `errCode`; both land here.
 */

export interface SubscribeMsg {
  touser: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
}

export type SendOutcome =
  | { ok: true }
  /** errCode: WeChat's, or null when the send failed without one (network, timeout: fate unknown) */
  | { ok: false; errCode: number | null; retry: boolean };

/** Refusals that mean "not now": the message was not sent, and the same send may succeed later. */
export const RETRY_LATER_CODES: ReadonlySet<number> = new Set([45009, -1]);

function codeOf(v: unknown): number | null {
  const o = v as { errCode?: unknown; errcode?: unknown } | null | undefined;
  const c = o?.errCode ?? o?.errcode;
  return typeof c === 'number' ? c : typeof c === 'string' && /^-?\d+$/.test(c) ? Number(c) : null;
}

/**
 * Sends one message through `send` (cloud.openapi.subscribeMessage.send) and classifies the result.
 * Never throws. A failure without a code is not retried: the message may have gone out, and a member
 * should not get it twice.
 */
export async function sendSubscribe(send: (o: Record<string, unknown>) => Promise<unknown>, msg: SubscribeMsg): Promise<SendOutcome> {
  let code: number | null;
  try {
    const res = await send({ ...msg, miniprogramState: 'formal', lang: 'zh_CN' });
    code = codeOf(res);
    if (code === null || code === 0) return { ok: true };
  } catch (e) {
    code = codeOf(e);
    if (code === 0) return { ok: true };
  }
  return { ok: false, errCode: code, retry: code !== null && RETRY_LATER_CODES.has(code) };
}
