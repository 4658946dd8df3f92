/**
 * cloudbase/database.json is the one list of collections and indexes: what the console holds, what
 * the emulator creates (scripts/local-cloud.ts hands it the file) and what core/db-schema.ts gives
 * product code. The two readers must agree, and the file must be deployable as written.
 */
import { DATABASE_FILE, DB_SCHEMA } from '../../core/db-schema';
import { readDatabaseFile } from '../../emulator/db/schema';
import { PROJECT } from '../../scripts/local-cloud';

const FEATURES = ['org', 'quiz', 'study', 'activity', 'points', 'consistency'];

describe('cloudbase/database.json', () => {
  test('the emulator reads exactly the collections and indexes product code sees', () => {
    expect(readDatabaseFile(PROJECT.database)).toEqual(DB_SCHEMA);
    expect(Object.keys(DB_SCHEMA)).toEqual(DATABASE_FILE.collections.map((c) => c.collectionName));
  });

  test('every collection is reached only through the cloud functions, and named by its feature', () => {
    const wrong = DATABASE_FILE.collections
      .filter((c) => c.aclTag !== 'ADMINONLY' || !FEATURES.includes(c.collectionName.split('_')[0]))
      .map((c) => `${c.collectionName} ${c.aclTag}`);
    expect(wrong).toEqual([]);
  });

  test("fits the CloudBase Framework database plugin's limits (description 1–128, ≤ 20 indexes, names ≤ 64)", () => {
    const wrong: string[] = [];
    for (const c of DATABASE_FILE.collections) {
      const chars = [...c.description].length;
      if (chars < 1 || chars > 128) wrong.push(`${c.collectionName}: description of ${chars} characters`);
      if (c.createIndexes.length > 20) wrong.push(`${c.collectionName}: ${c.createIndexes.length} indexes`);
      for (const i of c.createIndexes) {
        if (i.name.length > 64 || typeof i.unique !== 'boolean') wrong.push(`${c.collectionName}.${i.name}: name or unique`);
        for (const k of i.keys) if (k.direction !== '1' && k.direction !== '-1') wrong.push(`${c.collectionName}.${i.name}.${k.name}: ${k.direction}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('the unique indexes the functions rely on for idempotency are declared', () => {
    const unique = Object.entries(DB_SCHEMA).flatMap(([coll, spec]) => spec.indexes.filter((i) => i.unique).map((i) => `${coll}.${i.name}`));
    expect(unique.sort()).toEqual(['org_bindings.member_unique', 'org_members.phone_unique']);
  });
});
