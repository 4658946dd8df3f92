/**
 * Warns when a query on a large collection has no supporting index among the declared ones.
 * CloudBase scans the whole collection for such a query and, past a few thousand documents, the
 * request slows down and times out (CloudBase's DATABASE_TIMEOUT error page: add indexes);
 * the emulator answers it quickly from SQLite, so without this warning the problem only shows in
 * production.
 *
 * A query is supported when one of its constrained fields is `_id` or the leading key of a declared
 * index (an index serves any query on a prefix of its keys). `$and` branches add their fields; an
 * `$or` is supported only when every branch is. The warning is printed once per collection and
 * query shape (the sorted list of constrained fields), not per call.
 */
import type { Schema } from './schema';

type Doc = Record<string, any>;

/** "more than a few thousand documents": where a full scan starts to hurt on CloudBase */
export const LARGE_COLLECTION_DOCS = 5000;
/** how long a collection's size is reused before it is counted again */
const COUNT_TTL_MS = 5000;

export interface IndexAdvisorOptions {
  /** documents above which an unsupported query warns (default LARGE_COLLECTION_DOCS) */
  threshold?: number;
  log: (line: string) => void;
  /** the collection's current number of documents */
  countOf: (coll: string) => number;
  now?: () => number;
}

/** Constrained field paths of a query, and whether each `$or` branch is supported on its own. */
function fieldsOf(query: Doc, out: Set<string>, ors: Doc[][]): void {
  for (const [key, value] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const sub of value) if (sub && typeof sub === 'object') fieldsOf(sub, out, ors);
    } else if (key === '$or' && Array.isArray(value)) {
      ors.push(value.filter((v) => v && typeof v === 'object'));
    } else if (!key.startsWith('$')) {
      out.add(key);
    }
  }
}

export class IndexAdvisor {
  private readonly threshold: number;
  private readonly now: () => number;
  /** collection+shape already decided: supported, or warned about */
  private readonly settled = new Set<string>();
  private readonly sizes = new Map<string, { n: number; at: number }>();

  constructor(
    private readonly schema: Schema,
    private readonly opts: IndexAdvisorOptions,
  ) {
    this.threshold = opts.threshold ?? LARGE_COLLECTION_DOCS;
    this.now = opts.now ?? Date.now;
  }

  private leadKeys(coll: string): Set<string> {
    return new Set(['_id', ...(this.schema[coll]?.indexes ?? []).map((i) => Object.keys(i.keys)[0]).filter(Boolean)]);
  }

  private supported(query: Doc, leads: Set<string>): boolean {
    const fields = new Set<string>();
    const ors: Doc[][] = [];
    fieldsOf(query, fields, ors);
    if ([...fields].some((f) => leads.has(f))) return true;
    // with no field of its own, the query needs every branch of one of its $or to be supported
    return ors.some((branches) => branches.length > 0 && branches.every((b) => this.supported(b, leads)));
  }

  private size(coll: string): number {
    const t = this.now();
    const cached = this.sizes.get(coll);
    if (cached && t - cached.at < COUNT_TTL_MS) return cached.n;
    const n = this.opts.countOf(coll);
    this.sizes.set(coll, { n, at: t });
    return n;
  }

  /** Looks at one query (`op` names it in the warning); a query with no condition is not checked. */
  check(coll: string, query: Doc | undefined, op: string): void {
    if (!query || typeof query !== 'object' || !Object.keys(query).length) return;
    const fields = new Set<string>();
    fieldsOf(query, fields, []);
    const key = `${coll}\u0000${[...fields].sort().join(',')}\u0000${JSON.stringify(orShape(query))}`;
    if (this.settled.has(key)) return;
    const leads = this.leadKeys(coll);
    if (this.supported(query, leads)) {
      this.settled.add(key);
      return;
    }
    const n = this.size(coll);
    if (n <= this.threshold) return;
    this.settled.add(key);
    const declared = this.schema[coll]?.indexes.map((i) => `${i.name}(${Object.keys(i.keys).join(',')})`).join(', ') || 'none';
    this.opts.log(
      `[index] ${coll} (${n} documents): ${op} on {${[...fields].sort().join(', ') || '$or'}} has no supporting index ` +
        `(declared: ${declared}); CloudBase scans the whole collection for it and may time out`,
    );
  }
}

/** The field lists of a query's `$or` branches, for the shape key. */
function orShape(query: Doc): string[][] {
  const out: string[][] = [];
  const walk = (q: Doc) => {
    for (const [k, v] of Object.entries(q)) {
      if (k === '$and' && Array.isArray(v)) v.forEach((s) => s && typeof s === 'object' && walk(s));
      if (k === '$or' && Array.isArray(v)) {
        out.push(v.map((b) => (b && typeof b === 'object' ? Object.keys(b).sort().join(',') : '')));
      }
    }
  };
  walk(query);
  return out;
}
