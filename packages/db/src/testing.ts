import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openDatabase, type DbHandle } from './client.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or, when the test command runs
 * its PostgreSQL pass (FRAMEPORT_TEST_DATABASE_URL), a new database on that server that `close()`
 * drops again. Test infrastructure only; apps get their URL from config.
 */
export async function createTestDatabase(): Promise<DbHandle & { url?: string }> {
  const serverUrl = process.env.FRAMEPORT_TEST_DATABASE_URL;
  if (!serverUrl) return openDatabase();

  const name = `frameport_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), maxConnections: 5 });
  return {
    ...handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
