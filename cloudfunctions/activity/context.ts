/** What every activity action, timer and award runs with (built per call by the spine). */
import type { Platform } from '../../core/fn/serve';
import type { Db } from './store';

export interface ActivityCtx {
  db: Db;
  now: Date;
  env: Record<string, string | undefined>;
  /** storage and open APIs of wx-server-sdk (uploadFile, getTempFileURL, openapi) */
  cloud: Pick<Platform['cloud'], 'uploadFile' | 'getTempFileURL' | 'openapi'>;
}

export const makeActivityCtx = (p: Platform): ActivityCtx => ({ db: p.db, now: p.now, env: p.env, cloud: p.cloud });
