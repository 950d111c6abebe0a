import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from './index.ts';
import { createTestDatabase } from './testing.ts';

const handle = await createTestDatabase();
afterAll(() => handle.close());

describe(`migrations on ${handle.kind}`, () => {
  it('create every table of the schema', async () => {
    const rows = await handle.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const list = (Array.isArray(rows) ? rows : (rows as unknown as { rows: { table_name: string }[] }).rows).map((r) => r.table_name);
    for (const table of ['users', 'organizations', 'memberships', 'environments', 'connections', 'oidc_models', 'images', 'client_keys', 'server_keys', 'download_jobs', 'usage_counters', 'delivery_metrics', 'audit']) {
      expect(list).toContain(table);
    }
  });

  it('round-trips a row through drizzle', async () => {
    await handle.db.insert(schema.organizations).values({ id: 'org_roundtrip', name: 'Round trip' });
    const [org] = await handle.db.select().from(schema.organizations);
    expect(org).toMatchObject({ id: 'org_roundtrip', name: 'Round trip', plan: 'default' });
    expect(org!.createdAt).toBeInstanceOf(Date);
  });

  it('delivers a NOTIFY to a listener once the transaction commits', async () => {
    const received: string[] = [];
    const stop = await handle.listen('frameport_test', (p) => received.push(p));
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_notify('frameport_test', 'hello')`);
      expect(received).toEqual([]);
    });
    await expect.poll(() => received, { timeout: 5000 }).toEqual(['hello']);
    await stop();
  });
});
