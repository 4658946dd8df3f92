/**
 * Errors the store raises, named with CloudBase's own codes. wx-server-sdk maps `code` through its
 * TCB_ERR_CODE table to the numeric `errCode` user code sees (e.g. DATABASE_COLLECTION_NOT_EXIST →
 * -502005, DATABASE_REQUEST_FAILED → -502001, INVALID_PARAM → -501007); a code missing from that
 * table becomes -501001 (SYS_ERR). DATABASE_TRANSACTION_CONFLICT and DATABASE_TRANSACTION_FAIL have
 * no errCode of their own (-501001); the first is the one code @cloudbase/database's runTransaction
 * retries on, and only when it reaches it untouched (a commit, never a document operation).
 */
export type CloudErrorCode =
  | 'DATABASE_COLLECTION_NOT_EXIST'
  | 'DATABASE_REQUEST_FAILED'
  | 'DATABASE_INVALID_OPERRATOR'
  | 'DATABASE_TRANSACTION_CONFLICT'
  | 'DATABASE_TRANSACTION_FAIL'
  | 'INVALID_PARAM'
  | 'STORAGE_FILE_NONEXIST'
  | 'STORAGE_REQUEST_FAIL'
  | 'FUNCTIONS_REQUEST_FAIL'
  | 'FUNCTIONS_EXECUTE_FAIL'
  | 'SYS_ERR';

export class CloudError extends Error {
  constructor(
    readonly code: CloudErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}

/** The numeric errCodes wx-server-sdk 4.0.2 derives from our codes (for tests and docs). */
export const TCB_ERR_CODE: Record<string, number> = {
  SYS_ERR: -501001,
  INVALID_PARAM: -501007,
  DATABASE_REQUEST_FAILED: -502001,
  DATABASE_INVALID_OPERRATOR: -502002,
  DATABASE_COLLECTION_NOT_EXIST: -502005,
  STORAGE_REQUEST_FAIL: -503001,
  STORAGE_FILE_NONEXIST: -503003,
  FUNCTIONS_REQUEST_FAIL: -504001,
  FUNCTIONS_EXECUTE_FAIL: -504002,
};

/**
 * A unique-index violation. CloudBase has no dedicated code for it: production answers
 * DATABASE_REQUEST_FAILED (-502001) with MongoDB's E11000 text, which is what code matching
 * /duplicate key|E11000/ relies on, so we answer the same.
 */
export function duplicateKeyError(collection: string, index: string, key: unknown): CloudError {
  return new CloudError(
    'DATABASE_REQUEST_FAILED',
    `E11000 duplicate key error collection: ${collection} index: ${index} dup key: ${JSON.stringify(key)}`,
  );
}

export function collectionNotExist(collection: string): CloudError {
  return new CloudError('DATABASE_COLLECTION_NOT_EXIST', `Db or Table not exist: ${collection}`);
}
