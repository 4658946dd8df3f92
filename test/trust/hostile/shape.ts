/**
 * Reads an action's zod input (zod 3) to find the fields it expects, and builds a plausible payload
 * from them, so a mutation can replace one field with garbage and still get past the outer object
 * check to the handler.
 */
import fc from 'fast-check';
import type { ZodTypeAny } from 'zod';
import { HOSTILE_NUMBERS, HOSTILE_STRINGS } from './values';
import { dayOf } from '../../../core/day';

/** Strips wrappers that do not change the shape: effects, defaults, optional, nullable, pipelines. */
export function unwrap(t: ZodTypeAny): ZodTypeAny {
  for (let i = 0; i < 20; i++) {
    const d = (t as any)._def;
    switch (d?.typeName) {
      case 'ZodEffects':
        t = d.schema;
        break;
      case 'ZodDefault':
      case 'ZodOptional':
      case 'ZodNullable':
      case 'ZodReadonly':
      case 'ZodBranded':
      case 'ZodCatch':
        t = d.innerType ?? d.type;
        break;
      case 'ZodPipeline':
        t = d.in;
        break;
      case 'ZodLazy':
        t = d.getter();
        break;
      default:
        return t;
    }
  }
  return t;
}

export function typeName(t: ZodTypeAny): string {
  return (unwrap(t) as any)._def?.typeName ?? 'unknown';
}

/** The object's own keys and their schemas, or null when the input is not an object. */
export function objectShape(t: ZodTypeAny): Record<string, ZodTypeAny> | null {
  const u = unwrap(t) as any;
  if (u._def?.typeName !== 'ZodObject') return null;
  return typeof u._def.shape === 'function' ? u._def.shape() : u.shape;
}

/** Every field path down nested objects (and into the element object of arrays, as `[]`). */
export function fieldPaths(t: ZodTypeAny, prefix: string[] = [], out: string[][] = []): string[][] {
  const shape = objectShape(t);
  if (!shape) return out;
  for (const [k, v] of Object.entries(shape)) {
    const p = [...prefix, k];
    out.push(p);
    const u = unwrap(v) as any;
    if (u._def?.typeName === 'ZodObject') fieldPaths(u, p, out);
    if (u._def?.typeName === 'ZodArray') {
      out.push([...p, '0']);
      fieldPaths(u._def.type, [...p, '0'], out);
    }
  }
  return out;
}

/** What the suite knows about the demo district, to fill id-like fields with ids that exist. */
export interface IdPool {
  fn: string;
  pick(key: string): string | undefined;
}

const today = () => dayOf(Date.now());

/** A plausible value for one field: real ids where the name says id, the first enum value, the minimum number. */
export function sampleFor(key: string, t: ZodTypeAny, pool: IdPool): unknown {
  const u = unwrap(t) as any;
  const d = u._def;
  switch (d?.typeName) {
    case 'ZodString': {
      const fromPool = pool.pick(key);
      if (fromPool !== undefined) return fromPool;
      const checks: any[] = d.checks ?? [];
      if (checks.some((c) => c.kind === 'datetime')) return new Date(Date.now() + 86400_000).toISOString();
      const regex = checks.find((c) => c.kind === 'regex')?.regex as RegExp | undefined;
      const min = checks.find((c) => c.kind === 'min')?.value ?? 0;
      const max = checks.find((c) => c.kind === 'max')?.value ?? Infinity;
      const candidates = [
        today(),
        'JSXY6789',
        '13800138000',
        'roster.csv',
        'bmFtZSxwaG9uZQo=',
        'req-' + Math.random().toString(36).slice(2, 12),
        '学习党章，重温誓词',
        'A',
      ];
      if (key === 'endAt') return new Date(Date.now() + 86400_000 + 7200_000).toISOString();
      if (/At$/.test(key)) return new Date(Date.now() + 86400_000).toISOString();
      for (const c of candidates) if ((!regex || regex.test(c)) && c.length >= min && c.length <= max) return c;
      return '张'.repeat(Math.max(2, min));
    }
    case 'ZodNumber': {
      const min = (d.checks ?? []).find((c: any) => c.kind === 'min')?.value;
      return typeof min === 'number' ? Math.max(min, Math.min(1, (d.checks ?? []).find((c: any) => c.kind === 'max')?.value ?? 1)) : 1;
    }
    case 'ZodBoolean':
      return true;
    case 'ZodEnum':
      return d.values[0];
    case 'ZodNativeEnum':
      return Object.values(d.values)[0];
    case 'ZodLiteral':
      return d.value;
    case 'ZodUnion':
      return sampleFor(key, d.options[0], pool);
    case 'ZodArray': {
      const el = sampleFor(key.replace(/s$/, ''), d.type, pool);
      return el === undefined ? [] : [el];
    }
    case 'ZodObject':
      return samplePayload(u, pool);
    case 'ZodNull':
      return null;
    default:
      return undefined;
  }
}

export function samplePayload(t: ZodTypeAny, pool: IdPool): Record<string, unknown> {
  const shape = objectShape(t) ?? {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(shape)) {
    const s = sampleFor(k, v, pool);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/**
 * Sets `value` at `path`, copying only the objects along the path (values may be too deep to clone),
 * with defineProperty so a key like `__proto__` stays an own key, as JSON.parse would make it.
 */
export function setPath(base: unknown, path: string[], value: unknown): unknown {
  const copy = (o: unknown): Record<string, unknown> => {
    if (typeof o !== 'object' || o === null) return {};
    const c: Record<string, unknown> = Array.isArray(o) ? ([...o] as unknown as Record<string, unknown>) : {};
    if (!Array.isArray(o)) for (const k of Object.keys(o)) define(c, k, (o as Record<string, unknown>)[k]);
    return c;
  };
  const root = copy(base);
  let o = root;
  for (let i = 0; i < path.length - 1; i++) {
    const next = copy(o[path[i]]);
    define(o, path[i], next);
    o = next;
  }
  define(o, path[path.length - 1], value);
  return root;
}

function define(o: Record<string, unknown>, k: string, value: unknown) {
  Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Hostile values of the field's own type — strings with null bytes, RTL marks, operators' names,
 * invalid dates, numbers at the edges — so they pass the type check and reach the handler.
 */
export function typedHostile(t: ZodTypeAny, depth = 0): fc.Arbitrary<unknown> {
  const u = unwrap(t) as any;
  const d = u._def;
  switch (d?.typeName) {
    case 'ZodString': {
      const max = (d.checks ?? []).find((c: any) => c.kind === 'max')?.value ?? Infinity;
      const fits = HOSTILE_STRINGS.filter((s) => s.trim().length >= 1 && s.length <= max);
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...(fits.length ? fits : HOSTILE_STRINGS)) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: Math.min(max, 40) }) },
      );
    }
    case 'ZodNumber':
      return fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'ZodBoolean':
      return fc.boolean();
    case 'ZodEnum':
      return fc.constantFrom(...(d.values as string[]));
    case 'ZodArray':
      return depth > 3 ? fc.constant([]) : fc.array(typedHostile(d.type, depth + 1), { maxLength: 4 });
    case 'ZodObject': {
      const shape = objectShape(u) ?? {};
      const entries = Object.entries(shape);
      if (!entries.length || depth > 3) return fc.constant({});
      return fc.record(Object.fromEntries(entries.map(([k, v]) => [k, typedHostile(v, depth + 1)])), { requiredKeys: [] });
    }
    default:
      return fc.constantFrom<unknown>(null, '', 0);
  }
}

/** The schema of the field at `path` ('0' steps into an array's element). */
export function schemaAt(t: ZodTypeAny, path: string[]): ZodTypeAny | null {
  let cur: ZodTypeAny | null = t;
  for (const k of path) {
    if (!cur) return null;
    const u = unwrap(cur) as any;
    if (k === '0' && u._def?.typeName === 'ZodArray') cur = u._def.type;
    else cur = objectShape(u)?.[k] ?? null;
  }
  return cur;
}
