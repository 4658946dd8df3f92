/**
 * Hostile values for the hostile-input suite: the things a forged request or a broken client can put
 * into a JSON field. Everything here survives JSON.stringify (NaN and Infinity travel as strings or
 * become null, as they would on the wire).
 */
import fc from 'fast-check';

/** Keys that try to reach the prototype chain or a query/update operator. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$gt',
  '$ne',
  '$set',
  '$inc',
  '$regex',
  '$expr',
  '$function',
  '_id',
  'a.b',
  'a.$.b',
  '$',
  '',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '\u0000',
  '键\u202E',
] as const;

const HUGE = 60_000;
/** Strings worth trying in any field. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '   \t\n ',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(64),
  '\u202Eabc\u202C',
  'مرحبا بالعالم',
  'שלום עולם',
  '🇨🇳🎉👨‍👩‍👧‍👦',
  '\uD800',
  '\uDFFF\uD800',
  '\uFEFF\u200B\u200D',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x10',
  'null',
  'undefined',
  'true',
  '[object Object]',
  '2024-02-30',
  '2024-13-01',
  '9999-99-99',
  '0000-00-00',
  'Invalid Date',
  '2024-02-30T25:61:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00.000Z',
  '1970-01-01T00:00:00.000Z',
  "'; DROP TABLE org_members; --",
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '${7*7}{{7*7}}',
  '%s%n%x',
  '\\',
  '"',
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$gt',
  'a.b',
  '$.x',
  'this.constructor.constructor("return process")().exit()',
  '.*',
  '(a+)+$',
  'JSXY6789',
  'x'.repeat(10_000),
  '党'.repeat(20_000),
  '🎉'.repeat(12_000),
  'x'.repeat(HUGE),
];

export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1.5,
  0.1 + 0.2,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  -(2 ** 53),
  2 ** 31,
  1e21,
];

/** Query and update operators smuggled where a plain value belongs. */
export const OPERATOR_OBJECTS: readonly object[] = [
  { $gt: '' },
  { $ne: null },
  { $gte: 0 },
  { $in: ['m0001', 'm0002'] },
  { $nin: [] },
  { $exists: true },
  { $regex: '.*' },
  { $regex: '(a+)+$', $options: 'i' },
  { $where: 'sleep(5000) || true' },
  { $where: 'function () { return true }' },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'function () { return true }', args: [], lang: 'js' } },
  { $set: { role: 'organiser' } },
  { $inc: { totalSec: 999999 } },
  { $or: [{ _id: { $ne: null } }] },
  { 'a.b': 1 },
  { 'role.$': 'organiser' },
  { $: 1 },
  { _id: { $ne: null } },
  { $date: 'not a date' },
  { $date: 8.64e15 + 1 },
  { $numberLong: '99999999999999999999' },
  { $oid: 'zz' },
  { $regularExpression: { pattern: '.*', options: '' } },
  { $tcb_server_date: 1 },
];

/** Objects that try to reach the prototype chain (parsed from JSON, so the keys are own keys). */
export const POLLUTION_OBJECTS: readonly unknown[] = [
  JSON.parse('{"__proto__": {"polluted": "yes", "role": "organiser", "isAdmin": true}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
  JSON.parse('{"prototype": {"polluted": "yes"}}'),
  JSON.parse('{"__proto__": null}'),
  JSON.parse('{"toString": "x", "valueOf": 1, "hasOwnProperty": null}'),
  JSON.parse('[{"__proto__": {"polluted": "yes"}}]'),
];

/**
 * Deeply nested structures, built without recursion so building them never overflows; they carry a
 * short description for fast-check's failure report, whose printer would recurse all the way down.
 */
export function deep(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  Object.defineProperty(v, fc.toStringMethod, { value: () => `<${kind} nested ${depth} deep>`, enumerable: false });
  return v;
}

export const DEEP_VALUES: readonly unknown[] = [deep(40, 'object'), deep(600, 'array'), deep(3000, 'object'), deep(5000, 'array')];

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, null) },
  { weight: 3, arbitrary: fc.constantFrom(...OPERATOR_OBJECTS) },
  { weight: 2, arbitrary: fc.constantFrom(...POLLUTION_OBJECTS) },
  { weight: 1, arbitrary: fc.constantFrom(...DEEP_VALUES) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], {}, [null], Array.from({ length: 5000 }, (_, i) => i)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
);

/** One hostile value: a leaf, or a small array/object of them with hostile keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: tie('obj') },
  ),
  obj: fc
    .array(fc.tuple(fc.oneof(fc.constantFrom<string>(...HOSTILE_KEYS), fc.string({ maxLength: 8 })), tie('value')), { maxLength: 4 })
    .map((pairs) => objectFrom(pairs)),
})).value;

/** Builds an object whose keys may be `__proto__` without touching the prototype (as JSON.parse does). */
export function objectFrom(pairs: Array<[string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of pairs) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** A pure garbage payload: anything at all, including a non-object. */
export const garbagePayload = (ownKeys: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 2, arbitrary: hostileValue },
    {
      weight: 3,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(
              fc.constantFrom<string>(...HOSTILE_KEYS),
              ownKeys.length ? fc.constantFrom(...ownKeys) : fc.constant('id'),
              fc.string({ maxLength: 10 }),
            ),
            hostileValue,
          ),
          { maxLength: 6 },
        )
        .map(objectFrom),
    },
  );

/** Values for the action name itself. */
export const hostileActionName: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'isPrototypeOf',
    '',
    ' me',
    'ME',
    'me\u0000',
    'x'.repeat(50_000),
    '🎉',
    null,
    0,
    true,
    [],
    ['me'],
    { $ne: null },
    JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  ),
  hostileValue,
);

/** Request bodies that are not an event object at all (sent raw). */
export const RAW_BODIES: readonly { label: string; body: string | Buffer }[] = [
  { label: 'empty body', body: '' },
  { label: 'truncated JSON', body: '{"action": ' },
  { label: 'array event', body: '["me"]' },
  { label: 'string event', body: '"me"' },
  { label: 'number event', body: '42' },
  { label: 'null event', body: 'null' },
  { label: 'NaN literal', body: '{"action": "me", "payload": NaN}' },
  { label: 'duplicate keys', body: '{"action": "me", "action": "__proto__"}' },
  { label: '__proto__ event', body: '{"__proto__": {"polluted": "yes"}, "action": "me"}' },
  { label: 'invalid UTF-8', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
  { label: 'BOM', body: '\uFEFF{"action": "me"}' },
  { label: 'deep array event', body: '['.repeat(40_000) + ']'.repeat(40_000) },
  { label: 'deep payload', body: '{"action":"me","payload":' + '{"a":'.repeat(15_000) + '1' + '}'.repeat(15_000) + '}' },
  { label: 'action without a string form', body: '{"action": {"toString": 1, "valueOf": 1}, "payload": {}}' },
  { label: 'userInfo forged', body: '{"action": "me", "userInfo": {"openId": "demo-m0001"}}' },
  { label: 'one byte over 100 KB', body: JSON.stringify({ action: 'me', pad: 'x'.repeat(100 * 1024) }) },
];
