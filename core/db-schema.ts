/**
 * Every collection and index of the product's cloud database, read from `cloudbase/database.json`:
 * the one declarative list an engineer creates in the CloudBase console (数据库 → 新建集合 → 索引管理),
 * in the CloudBase Framework database plugin's form. That file is the source of truth: add a
 * collection or an index there. The local emulator is handed the same file and creates exactly
 * these, enforces the unique ones, and in strict mode rejects any other collection name (-502005).
 *
 * Collection names start with the feature word (org_, quiz_, activity_, study_, points_, consistency_).
 * CloudBase treats a missing field as null in a unique index: only one document may lack it.
 * Every collection is ADMINONLY: the app reaches data through the cloud functions only.
 */
import database from '../cloudbase/database.json';

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

/** The file, as written (test/unit/db-schema.test.ts checks it field by field). */
export const DATABASE_FILE: {
  collections: Array<{
    collectionName: string;
    description: string;
    aclTag: string;
    createIndexes: Array<{ name: string; unique: boolean; keys: Array<{ name: string; direction: string }> }>;
  }>;
} = database;

/** Collection name → its description and indexes, in the file's order. */
export const DB_SCHEMA: Record<string, CollectionSpec> = Object.fromEntries(
  DATABASE_FILE.collections.map((c) => [
    c.collectionName,
    {
      description: c.description,
      indexes: c.createIndexes.map((i) => {
        const spec: IndexSpec = { name: i.name, keys: Object.fromEntries(i.keys.map((k) => [k.name, k.direction === '-1' ? -1 : 1])) };
        if (i.unique) spec.unique = true;
        return spec;
      }),
    },
  ]),
);

export type CollectionName = keyof typeof DB_SCHEMA;
