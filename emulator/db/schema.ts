/**
 * The collections and indexes the emulator creates, read from a project's declarative database
 * file: the `inputs` of the CloudBase Framework database plugin, which is also what an engineer
 * sets up by hand in the console (数据库 → 新建集合 → 索引管理):
 *
 *   { "collections": [ { "collectionName": "items", "description": "…", "aclTag": "ADMINONLY",
 *       "createIndexes": [ { "name": "owner_day", "unique": false,
 *                            "keys": [ { "name": "owner", "direction": "1" }, { "name": "day", "direction": "-1" } ] } ] } ] }
 *
 * The store works on the plain form below (`Schema`). A file the emulator cannot honour exactly is
 * refused when it is read, rather than half-applied (a 2dsphere index, say).
 */
import fs from 'fs';

export interface IndexSpec {
  name: string;
  /** field path → 1 (ascending) or -1 (descending); dotted paths reach into sub-documents */
  keys: Record<string, 1 | -1>;
  unique?: boolean;
}

export interface CollectionSpec {
  description: string;
  indexes: IndexSpec[];
}

/** Collection name → its spec. */
export type Schema = Record<string, CollectionSpec>;

/** The declarative file, as the CloudBase Framework database plugin reads it. */
export interface DatabaseFile {
  collections: Array<{
    collectionName: string;
    description?: string;
    /** READONLY | PRIVATE | ADMINWRITE | ADMINONLY | CUSTOM: client-side access, which the emulator does not serve */
    aclTag?: string;
    aclRule?: unknown;
    createIndexes?: Array<{ name: string; unique?: boolean; keys: Array<{ name: string; direction: string | number }> }>;
  }>;
}

const ACL_TAGS = new Set(['READONLY', 'PRIVATE', 'ADMINWRITE', 'ADMINONLY', 'CUSTOM']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_\-.]{0,63}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed database file and turns it into the store's form; `source` names it in errors. */
export function schemaFromFile(file: unknown, source = 'database file'): Schema {
  const fail = (where: string, what: string): never => {
    throw new Error(`${source}: ${where}: ${what}`);
  };
  if (!isObject(file) || !Array.isArray(file.collections)) fail('top level', 'expected { "collections": [ … ] }');
  const schema: Schema = {};
  (file as { collections: unknown[] }).collections.forEach((c, ci) => {
    if (!isObject(c)) return fail(`collections[${ci}]`, 'expected an object');
    const name = c.collectionName;
    if (typeof name !== 'string' || !NAME.test(name)) return fail(`collections[${ci}]`, `collectionName ${JSON.stringify(name)} is not a valid collection name`);
    if (schema[name]) fail(name, 'listed twice');
    if (c.description !== undefined && typeof c.description !== 'string') fail(name, 'description must be a string');
    if (c.aclTag !== undefined && !ACL_TAGS.has(c.aclTag as string)) fail(name, `aclTag must be one of ${[...ACL_TAGS].join(', ')}`);
    const rawIndexes = c.createIndexes ?? [];
    if (!Array.isArray(rawIndexes)) return fail(name, 'createIndexes must be an array');
    const indexes: IndexSpec[] = rawIndexes.map((ix, ii) => {
      const where = `${name}.createIndexes[${ii}]`;
      if (!isObject(ix) || typeof ix.name !== 'string' || !NAME.test(ix.name)) return fail(where, 'needs a name');
      if (ix.unique !== undefined && typeof ix.unique !== 'boolean') fail(where, 'unique must be true or false');
      if (!Array.isArray(ix.keys) || ix.keys.length === 0) return fail(where, 'needs at least one key');
      const keys: Record<string, 1 | -1> = {};
      for (const k of ix.keys as unknown[]) {
        if (!isObject(k) || typeof k.name !== 'string' || !k.name) return fail(where, 'every key needs a field name');
        if (k.name in keys) fail(where, `field ${k.name} listed twice`);
        const direction = String(k.direction);
        if (direction !== '1' && direction !== '-1') fail(where, `direction ${JSON.stringify(k.direction)} of ${k.name}: the emulator supports "1" and "-1" only`);
        keys[k.name] = direction === '1' ? 1 : -1;
      }
      const spec: IndexSpec = { name: ix.name, keys };
      if (ix.unique) spec.unique = true;
      return spec;
    });
    const names = indexes.map((i) => i.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) fail(name, `index ${dup} listed twice`);
    schema[name] = { description: (c.description as string | undefined) ?? '', indexes };
  });
  return schema;
}

/** Reads and checks a database file (see the header). */
export function readDatabaseFile(file: string): Schema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read the database file ${file}: ${(e as Error).message}`, { cause: e });
  }
  return schemaFromFile(parsed, file);
}
