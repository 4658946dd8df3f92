/**
 * Every collection and index of the product's cloud database: the same list an engineer creates in
 * the CloudBase console (数据库 → 新建集合 → 索引管理). The emulator creates exactly these, enforces the
 * unique ones, and in strict mode rejects any other collection name with CloudBase's -502005.
 *
 * Collection names start with the feature word (org_, quiz_, activity_, study_, points_).
 * CloudBase treats a missing field as null in a unique index: only one document may lack it.
 */
import { ORG_SCHEMA } from './org/schema';
import { STUDY_SCHEMA } from './study/schema';
import { QUIZ_SCHEMA } from './quiz/schema';
import { POINTS_SCHEMA } from './points/schema';
import { ACTIVITY_SCHEMA } from './activity/schema';
import { CONSISTENCY_SCHEMA } from './consistency/schema';

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

/**
 * One list, assembled from each feature's own schema file (core/<feature>/schema.ts), so features
 * add collections without touching each other's.
 */
export const DB_SCHEMA: Record<string, CollectionSpec> = {
  ...ORG_SCHEMA,
  ...STUDY_SCHEMA,
  ...QUIZ_SCHEMA,
  ...POINTS_SCHEMA,
  ...ACTIVITY_SCHEMA,
  ...CONSISTENCY_SCHEMA,
};

export type CollectionName = keyof typeof DB_SCHEMA;
