import { createTestDatabase } from '@frameport/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { executor } from './queue.ts';

const handle = await createTestDatabase();
afterAll(() => handle.close());

describe(`pg-boss's SQL executor on ${handle.kind}`, () => {
  it('leaves no aborted transaction behind when a BEGIN…COMMIT script fails halfway', async () => {
    const run = executor(handle.db);
    await expect(run.executeSql('BEGIN; SELECT 1; SELECT * FROM no_such_table; COMMIT;')).rejects.toThrow(/no_such_table/);
    // Every connection the pool hands out next must work (25P02 "current transaction is aborted" otherwise).
    for (let i = 0; i < 8; i++) {
      await expect(run.executeSql('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await expect(handle.db.execute(sql`select 1`)).resolves.toBeDefined();
    }
  });
});
