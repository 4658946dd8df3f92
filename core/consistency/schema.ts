/** Collections of the consistency checker. Listed in the product schema by core/db-schema.ts. */
import type { CollectionSpec } from '../db-schema';

export const CONSISTENCY_SCHEMA: Record<string, CollectionSpec> = {
  consistency_reports: {
    description: '计数核对报告: _id = the China-time day of the nightly run; cursor while it walks the branches, differing branches, totals',
    indexes: [],
  },
};
