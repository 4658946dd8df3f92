/**
 * The audience check and the caller type a handler receives are one function (narrowCaller): every
 * caller it lets through for an audience is that audience's type, with the caller's own values.
 */
import {
  audienceAllows,
  loadCaller,
  narrowCaller,
  type Audience,
  type Caller,
  type CallerMember,
  type MemberCaller,
  type OrganiserCaller,
  type SecretaryCaller,
  type StoredMember,
} from '../../core/fn/caller';

const AUDIENCES: Audience[] = ['guest', 'member', 'secretary', 'organiser'];

/** Every combination of the fields the audiences look at. */
function everyCaller(): Caller[] {
  const out: Caller[] = [];
  for (const openid of ['', 'o-1'])
    for (const role of [null, 'member', 'secretary', 'organiser'] as const)
      for (const status of ['active', 'left'] as const)
        for (const branchId of [null, 'b1'])
          for (const scopeId of [null, 's1'])
            for (const withDoc of [true, false]) {
              if (role === null) {
                if (status === 'active' && branchId === null && scopeId === null && withDoc) out.push({ openid, member: null, doc: null });
                continue;
              }
              const member: CallerMember = { _id: 'm1', name: '张三', role, status, branchId, path: branchId ? ['d', branchId] : [], scopeId };
              const doc: StoredMember | null = withDoc ? { _id: 'm1', name: '张三', role, status, branchId, scopeId, quizStreak: 3 } : null;
              out.push({ openid, member, doc });
            }
  return out;
}

/** What each audience's type promises, checked at run time. */
const PROMISES: Record<Audience, (c: Caller) => boolean> = {
  guest: (c) => typeof c.openid === 'string' && c.openid !== '',
  member: (c) => PROMISES.guest(c) && c.member?.status === 'active' && typeof c.member.branchId === 'string' && c.doc !== null,
  secretary: (c) => PROMISES.guest(c) && c.member?.status === 'active' && c.member.role === 'secretary' && typeof c.member.branchId === 'string' && c.doc !== null,
  organiser: (c) => PROMISES.guest(c) && c.member?.status === 'active' && c.member.role === 'organiser' && typeof c.member.scopeId === 'string' && c.member.scopeId !== '' && c.doc !== null,
};

describe('narrowCaller', () => {
  const callers = everyCaller();

  test.each(AUDIENCES)('%s: lets through exactly the callers its type describes, unchanged', (a) => {
    let allowed = 0;
    for (const c of callers) {
      const n = narrowCaller([a], c);
      expect(audienceAllows([a], c)).toBe(n !== null);
      expect(n !== null).toBe(PROMISES[a](c));
      if (n) {
        allowed++;
        expect(n).toEqual(c);
      }
    }
    expect(allowed).toBeGreaterThan(0);
  });

  test('a mixed list lets through a caller of any of its audiences, typed as the first that fits', () => {
    for (const c of callers) {
      const n = narrowCaller(['member', 'organiser'], c);
      expect(n !== null).toBe(PROMISES.member(c) || PROMISES.organiser(c));
      if (n) expect(n).toEqual(c);
    }
  });

  test('the narrowed types are what handlers rely on', () => {
    const c: Caller = { openid: 'o-1', member: { _id: 'm', name: 'n', role: 'secretary', status: 'active', branchId: 'b1', path: ['b1'] }, doc: { _id: 'm', name: 'n' } };
    // compile-time: these assignments need no `!` on branchId or scopeId
    const sec: SecretaryCaller | null = narrowCaller(['secretary'], c);
    const asMember: MemberCaller | null = sec;
    const either: MemberCaller | OrganiserCaller | null = narrowCaller(['member', 'organiser'], c);
    expect(sec?.member.branchId.length).toBe(2);
    expect(asMember?.doc._id).toBe('m');
    expect(either?.member._id).toBe('m');
    expect(narrowCaller(['organiser'], c)).toBeNull();
  });
});

describe('loadCaller', () => {
  test('reads org_members once by openid and keeps the stored document with the caller', async () => {
    const reads: unknown[] = [];
    const doc = { _id: 'm1', name: '张三', role: 'organiser', status: 'active', branchId: 'b1', path: ['d', 'b1'], scopeId: 'd', openid: 'o-1', quizStreak: 2 };
    const db = {
      collection: (name: string) => ({
        where: (q: Record<string, unknown>) => ({
          limit: (n: number) => ({
            get: async () => {
              reads.push({ name, q, n });
              return { data: q.openid === 'o-1' ? [doc] : [] };
            },
          }),
        }),
      }),
    };
    expect(await loadCaller(db, 'o-1')).toEqual({
      openid: 'o-1',
      member: { _id: 'm1', name: '张三', role: 'organiser', status: 'active', branchId: 'b1', path: ['d', 'b1'], scopeId: 'd' },
      doc,
    });
    expect(await loadCaller(db, 'o-2')).toEqual({ openid: 'o-2', member: null, doc: null });
    expect(reads).toEqual([
      { name: 'org_members', q: { openid: 'o-1', status: 'active' }, n: 1 },
      { name: 'org_members', q: { openid: 'o-2', status: 'active' }, n: 1 },
    ]);
  });
});
