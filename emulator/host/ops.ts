export interface OpCounts {
  /** getDocument, calculateDocument, aggregateDocuments */
  reads: number;
  /** insertDocument, modifyDocument, updateDocument, removeDocument */
  writes: number;
  /** startTransaction, commitTransaction, abortTransaction/rollbackTransaction */
  transactions: number;
  /** every request the function made to the backend (db, functions, openapi, storage) */
  total: number;
  byAction: Record<string, number>;
}

const READS = new Set(['getDocument', 'calculateDocument', 'aggregateDocuments']);
const WRITES = new Set(['insertDocument', 'modifyDocument', 'updateDocument', 'removeDocument']);
const TX = new Set(['startTransaction', 'commitTransaction', 'rollbackTransaction', 'abortTransaction']);

export function emptyOps(): OpCounts {
  return { reads: 0, writes: 0, transactions: 0, total: 0, byAction: {} };
}

export function countAction(ops: OpCounts, action: string): void {
  const short = action.startsWith('database.') ? action.slice('database.'.length) : '';
  if (READS.has(short)) ops.reads++;
  else if (WRITES.has(short)) ops.writes++;
  else if (TX.has(short)) ops.transactions++;
  ops.total++;
  ops.byAction[action] = (ops.byAction[action] ?? 0) + 1;
}

export function addOps(into: OpCounts, from: OpCounts): void {
  into.reads += from.reads;
  into.writes += from.writes;
  into.transactions += from.transactions;
  into.total += from.total;
  for (const [k, v] of Object.entries(from.byAction)) into.byAction[k] = (into.byAction[k] ?? 0) + v;
}
