import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DB_SCHEMA } from '../../core/db-schema';
import { fnv1a64, MEMBER_ID_RE, newMemberId } from '../../core/org/member';
import {
  batchSize,
  docTokens,
  initialState,
  keepsId,
  LEGACY_MEMBER_ID_RE,
  legacyTokens,
  MAX_CONFLICTS_KEPT,
  MEMBER_ID_REFERENCES,
  nextStep,
  planDocRewrite,
  progressMessage,
  rewriteString,
  rewriteValue,
  sameValue,
  scanCollections,
  withConflict,
  type MigrationState,
} from '../../core/org/member-id-migration';

/** The old scheme, kept here only to build old-style data. */
const legacyId = (phone: string) => `m_${fnv1a64(`org-member:${phone}`)}`;

const OLD_A = legacyId('13812345678');
const OLD_B = legacyId('13987654321');
const NEW_A = 'm_' + 'a'.repeat(32);
const NEW_B = 'm_' + 'b'.repeat(32);
const MAP = new Map([
  [OLD_A, NEW_A],
  [OLD_B, NEW_B],
]);

/** Puts `value` at a registry path (`a.b`, `a[].b`: an array of one element). */
function setPath(doc: Record<string, unknown>, path: string, value: string): void {
  const [head, ...rest] = path.split('.');
  const arr = head.endsWith('[]');
  const key = arr ? head.slice(0, -2) : head;
  if (!rest.length) {
    doc[key] = arr ? [value] : value;
    return;
  }
  const child: Record<string, unknown> = {};
  setPath(child, rest.join('.'), value);
  doc[key] = arr ? [child] : child;
}

function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    const arr = part.endsWith('[]');
    cur = (cur as Record<string, unknown>)[arr ? part.slice(0, -2) : part];
    if (arr) cur = (cur as unknown[])[0];
  }
  return cur;
}

describe('new member ids', () => {
  it('are m_ + 32 hex digits of crypto randomness, and never the old form', () => {
    const ids = Array.from({ length: 200 }, () => newMemberId((n) => randomBytes(n)));
    for (const id of ids) {
      expect(id).toMatch(MEMBER_ID_RE);
      expect(id).not.toMatch(LEGACY_MEMBER_ID_RE);
      expect(legacyTokens(id).size).toBe(0);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the old form was the phone in disguise: 10^4 guesses behind a masked phone find it', () => {
    // why the ids had to change: 138****5678 next to the old id gives the whole number away
    const masked = '138****5678';
    let found = '';
    for (let mid = 0; mid < 10_000 && !found; mid++) {
      const guess = `${masked.slice(0, 3)}${String(mid).padStart(4, '0')}${masked.slice(7)}`;
      if (legacyId(guess) === OLD_A) found = guess;
    }
    expect(found).toBe('13812345678');
  });
});

describe('where member ids live', () => {
  it('every collection of the schema is listed, and nothing else', () => {
    expect(Object.keys(MEMBER_ID_REFERENCES).sort()).toEqual(Object.keys(DB_SCHEMA).sort());
  });

  it('the walk covers every collection except the members themselves and its own bookkeeping', () => {
    const walked = scanCollections(DB_SCHEMA);
    expect(walked).not.toContain('org_members');
    expect(walked).not.toContain('org_member_id_map');
    expect(walked).not.toContain('org_migrations');
    expect(walked.length).toBe(Object.keys(DB_SCHEMA).length - 3);
    expect(walked).toEqual(expect.arrayContaining(['org_bindings', 'activity_attendance', 'points_ledger', 'study_totals', 'consistency_reports']));
    for (const c of walked) expect(batchSize(c)).toBeGreaterThan(0);
  });

  it.each(Object.entries(MEMBER_ID_REFERENCES).filter(([, r]) => r.fields.length))('%s: every listed field is rewritten', (coll, ref) => {
    const doc: Record<string, unknown> & { _id: string } = { _id: 'x1', at: new Date('2025-06-01T00:00:00Z'), n: 3 };
    for (const f of ref.fields) setPath(doc, f, OLD_A);
    const plan = planDocRewrite(coll, doc, MAP)!;
    expect(plan).not.toBeNull();
    expect(plan.moved).toBe(false);
    for (const f of ref.fields) expect(getPath(plan.doc, f)).toBe(NEW_A);
    expect(plan.doc.at).toEqual(doc.at);
    expect(plan.doc.at).toBeInstanceOf(Date);
    expect(plan.doc.n).toBe(3);
    // the document read from the store is left as it was
    for (const f of ref.fields) expect(getPath(doc, f)).toBe(OLD_A);
  });
});

describe('compound ids', () => {
  it.each([
    ['activity_attendance', `a1b2c3:${OLD_A}`, `a1b2c3:${NEW_A}`],
    ['points_ledger', `quiz:2025-06-01:${OLD_A}`, `quiz:2025-06-01:${NEW_A}`],
    ['points_ledger', `activity:a1b2c3:${OLD_B}:${OLD_A}`, `activity:a1b2c3:${NEW_B}:${NEW_A}`],
    ['study_progress', `${OLD_A}:l_0123456789abcdef`, `${NEW_A}:l_0123456789abcdef`],
    ['study_totals', `2025:${OLD_A}`, `2025:${NEW_A}`],
    ['org_transfers', `${OLD_A}:2`, `${NEW_A}:2`],
    ['quiz_mastered', OLD_A, NEW_A],
  ])('%s %s → %s', (coll, oldId, newId) => {
    const plan = planDocRewrite(coll, { _id: oldId, memberId: OLD_A }, MAP)!;
    expect(plan.moved).toBe(true);
    expect(plan.doc).toEqual({ _id: newId, memberId: NEW_A });
  });

  it('a document that holds no old id needs nothing', () => {
    expect(planDocRewrite('activity_attendance', { _id: `a1:${NEW_A}`, memberId: NEW_A, note: 'm_ 说明' }, MAP)).toBeNull();
  });
});

describe('what is an old id', () => {
  it('only whole tokens: not inside a longer id, a word or a hex string', () => {
    expect(rewriteString(`${OLD_A}`, MAP)).toBe(NEW_A);
    expect(rewriteString(`x${OLD_A}`, MAP)).toBe(`x${OLD_A}`);
    expect(rewriteString(`${OLD_A}0`, MAP)).toBe(`${OLD_A}0`);
    expect(rewriteString(`${OLD_A}_x`, MAP)).toBe(`${OLD_A}_x`);
    expect(rewriteString(`${OLD_A}/${OLD_B}`, MAP)).toBe(`${NEW_A}/${NEW_B}`);
    expect(legacyTokens(`m_${'a'.repeat(32)}`).size).toBe(0);
  });

  it('an old id with no replacement is left alone (the caller maps it first)', () => {
    const stray = legacyId('13700000000');
    expect(rewriteString(`a1:${stray}`, MAP)).toBe(`a1:${stray}`);
    expect([...legacyTokens({ x: [`a1:${stray}`] })]).toEqual([stray]);
  });

  it('object keys holding an old id are rewritten too', () => {
    const plan = planDocRewrite('consistency_reports', { _id: 'r1', seen: { [OLD_A]: 2 }, [OLD_B]: true }, MAP)!;
    expect(plan.doc).toEqual({ _id: 'r1', seen: { [NEW_A]: 2 }, [NEW_B]: true });
    expect(plan.changed.sort()).toEqual([NEW_B, OLD_B, 'seen'].sort());
  });

  it('WeChat openids are never touched: openid fields, and the _id of collections keyed by openid', () => {
    const openid = `demo-${OLD_A}`;
    expect(keepsId('org_bindings')).toBe(true);
    expect(keepsId('study_sessions')).toBe(true);
    expect(keepsId('activity_attendance')).toBe(false);
    const binding = planDocRewrite('org_bindings', { _id: openid, memberId: OLD_A }, MAP)!;
    expect(binding).toMatchObject({ moved: false, doc: { _id: openid, memberId: NEW_A } });
    const sub = planDocRewrite('activity_subs', { _id: `a1:${OLD_A}`, memberId: OLD_A, openid }, MAP)!;
    expect(sub.doc).toEqual({ _id: `a1:${NEW_A}`, memberId: NEW_A, openid });
    expect([...docTokens('study_sessions', { _id: openid, openid, memberId: OLD_B })]).toEqual([OLD_B]);
  });

  it('rewriting and mapping back gives the document again, and no mapped old id is left (any shape)', () => {
    const inverse = new Map([...MAP].map(([a, b]) => [b, a]));
    const piece = fc.oneof(fc.constantFrom(OLD_A, OLD_B, 'a1', ':', '/', ' ', 'm_', '学'), fc.string({ maxLength: 4 }));
    const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.date({ min: new Date(0), max: new Date(4e12) })),
      node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        const out = rewriteValue(v, MAP);
        for (const t of legacyTokens(out)) expect(MAP.has(t)).toBe(false);
        // map back: the new ids are 32 hex digits, so undo them by plain text replacement
        const back = JSON.parse(JSON.stringify(out, (_k, x) => x), (_k, x) => (typeof x === 'string' ? x.replace(/m_[ab]{32}/g, (m) => inverse.get(m) ?? m) : x));
        const undone = (x: unknown): unknown =>
          Array.isArray(x) ? x.map(undone) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k.replace(/m_[ab]{32}/g, (m) => inverse.get(m) ?? m), undone(y)])) : x;
        expect(undone(back)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('sameValue', () => {
  it('compares stored values: dates by time, objects regardless of key order', () => {
    expect(sameValue({ a: 1, b: [new Date(5), 'x'] }, { b: [new Date(5), 'x'], a: 1 })).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue(new Date(5), new Date(6))).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });
});

describe('the order of the work', () => {
  const colls = ['a', 'b'];
  it('map → refs over every collection → members → sweep over every collection → done', () => {
    let s: Pick<MigrationState, 'phase' | 'coll'> = { phase: 'map', coll: null };
    const seen: string[] = [];
    while (s.phase !== 'done') {
      s = nextStep(s, colls);
      seen.push(`${s.phase}${s.coll ? `:${s.coll}` : ''}`);
    }
    expect(seen).toEqual(['refs:a', 'refs:b', 'members', 'sweep:a', 'sweep:b', 'done']);
    expect(nextStep({ phase: 'refs', coll: 'a' }, colls)).toEqual({ phase: 'refs', coll: 'b', after: null });
  });

  it('starts at the map phase with nothing counted', () => {
    const s = initialState(new Date(0));
    expect(s).toMatchObject({ _id: 'member-ids', phase: 'map', coll: null, after: null, rev: 0, conflicts: [], finishedAt: null });
    expect(s.totals).toEqual({ mapped: 0, rewritten: 0, moved: 0, members: 0 });
  });

  it('conflicts are kept once each, and the list stays bounded', () => {
    let list: MigrationState['conflicts'] = [];
    const c = { collection: 'study_totals', id: `2025:${OLD_A}`, newId: `2025:${NEW_A}` };
    list = withConflict(withConflict(list, c), c);
    expect(list).toEqual([c]);
    for (let i = 0; i < MAX_CONFLICTS_KEPT + 10; i++) list = withConflict(list, { ...c, id: `x${i}` });
    expect(list).toHaveLength(MAX_CONFLICTS_KEPT);
  });

  it('tells the engineer where it is and to call again', () => {
    expect(progressMessage({ phase: 'refs', coll: 'study_totals', conflicts: [] })).toBe('正在改写各集合中的党员编号（study_totals），请再次调用直到完成');
    expect(progressMessage({ phase: 'done', coll: null, conflicts: [{ collection: 'a', id: 'b', newId: 'c' }] })).toContain('需人工核对');
  });
});
