import { schema } from '@frameport/db';
import { createImageContext, createStorage, createUpload, purgeExpiredArchives, storageKeys, DeliveryCounter } from '@frameport/platform';
import { eq, sql } from 'drizzle-orm';
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createAccount, eventually, local, makeImage, startTestApi, uploadViaHttp, type TestAccount, type TestApi } from './test-support.ts';

let api: TestApi;
let account: TestAccount;

beforeAll(async () => {
  // First instance runs no worker: jobs it accepts wait in the queue.
  api = await startTestApi({ worker: false });
  account = await createAccount(api.database);
});
afterAll(() => api?.close());

function zipEntries(buffer: Buffer): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    fromBuffer(buffer, { lazyEntries: true }, (error: Error | null, zip: ZipFile) => {
      if (error) return reject(error);
      const entries = new Map<string, number>();
      zip.on('entry', (entry: Entry) => {
        entries.set(entry.fileName, entry.uncompressedSize);
        zip.readEntry();
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('bulk downloads', () => {
  // pg-boss runs on both drivers here (see packages/platform/src/downloads/queue.ts): the title
  // says which database this pass used.
  const path = process.env.FRAMEPORT_TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
  it(`survives a worker restart: a job queued while no worker ran is built by the next instance (pg-boss on ${path})`, async () => {
    expect(api.database.kind).toBe(path === 'PGlite' ? 'pglite' : 'postgres');
    const images = [];
    for (const [i, format] of (['png', 'jpeg', 'webp'] as const).entries()) {
      const { put } = await uploadViaHttp(api.app, account.development.key, await makeImage(format, 40 + i, 30), { fileName: `pic.${format}` });
      images.push(put.json());
    }
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/downloads', headers: auth(account.development.key), payload: { imageIds: images.map((i) => i.id) } });
    expect(created.statusCode).toBe(202);
    expect(created.json()).toMatchObject({ status: 'PENDING', imageCount: 3, downloadUrl: null });
    const jobId = created.json().id;

    // The job is in pg-boss's table in this same database, on PGlite as on PostgreSQL.
    const queued = await api.database.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'download-archive' and data->>'jobId' = ${jobId}`);
    expect(Number((queued as unknown as { rows?: { n: number }[] }).rows?.[0]?.n ?? (queued as unknown as { n: number }[])[0]?.n)).toBe(1);
    await api.app.close();

    const restarted = await api.restart({ worker: true });
    const ready = await eventually(async () => {
      const r = await restarted.inject({ url: `/api/v1/downloads/${jobId}`, headers: auth(account.development.key) });
      return r.json().status === 'READY' ? r.json() : null;
    });
    expect(ready.sizeBytes).toBeGreaterThan(0);
    expect(new Date(ready.expiresAt).getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);
    const archive = await restarted.inject({ url: local(ready.downloadUrl) });
    expect(archive.statusCode).toBe(200);
    expect(archive.headers['content-type']).toBe('application/zip');
    const entries = await zipEntries(archive.rawPayload);
    expect([...entries.keys()].sort()).toEqual(['pic.jpeg', 'pic.png', 'pic.webp']);
    expect(entries.get('pic.png')).toBe(images[0].sizeBytes);

    // After 24 h the archive is purged and the job no longer offers a URL.
    const ctx = await createImageContext(api.database.db, api.config);
    expect(await purgeExpiredArchives(ctx, new Date(Date.now() + 25 * 3600_000))).toBe(1);
    const later = await restarted.inject({ url: local(ready.downloadUrl) });
    expect(later.statusCode).toBe(404);

    const tampered = new URL(ready.downloadUrl);
    tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 1));
    expect((await restarted.inject({ url: tampered.pathname + tampered.search })).statusCode).toBe(403);
  });

  it('refuses ids outside the Environment when the job is created', async () => {
    const app = await api.restart({ worker: false });
    const { put } = await uploadViaHttp(app, account.production.key, await makeImage());
    const response = await app.inject({ method: 'POST', url: '/api/v1/downloads', headers: auth(account.development.key), payload: { imageIds: [put.json().id] } });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain(put.json().id);
    const tooMany = await app.inject({ method: 'POST', url: '/api/v1/downloads', headers: auth(account.development.key), payload: { imageIds: Array.from({ length: 1001 }, (_, i) => `img_${i}`) } });
    expect(tooMany.statusCode).toBe(400);
    const other = await app.inject({ url: `/api/v1/downloads/dl_nope`, headers: auth(account.development.key) });
    expect(other.statusCode).toBe(404);
  });
});

describe('crash safety', () => {
  it('picks up stuck PROCESSING and PENDING records after a restart; an expired upload without bytes fails', async () => {
    const app = await api.restart({ worker: false });
    void app;
    const ctx = { db: api.database.db, storage: createStorage(api.config.storage), cdnBaseUrl: 'http://x/cdn', apiBaseUrl: 'http://x', signingSecret: 's'.repeat(32), plan: api.config.plan, deliveries: new DeliveryCounter(api.database.db) };
    const scope = { organizationId: account.organizationId, environmentId: account.development.environmentId };
    const bytes = await makeImage('png', 33, 22);
    // A: bytes stored, then the process died mid-processing.
    const a = await createUpload(ctx, scope, { fileName: 'a.png', contentLength: bytes.length });
    await ctx.storage.put(storageKeys.original({ ...scope, id: a.image.id }), bytes);
    const longAgo = new Date(Date.now() - 3600_000);
    await api.database.db.update(schema.images).set({ status: 'PROCESSING', updatedAt: longAgo }).where(eq(schema.images.id, a.image.id));
    // B: bytes stored, died before claiming.
    const b = await createUpload(ctx, scope, { fileName: 'b.png', contentLength: bytes.length });
    await ctx.storage.put(storageKeys.original({ ...scope, id: b.image.id }), bytes);
    await api.database.db.update(schema.images).set({ updatedAt: longAgo }).where(eq(schema.images.id, b.image.id));
    // C: the upload URL expired and no bytes ever came.
    const c = await createUpload(ctx, scope, { fileName: 'c.png', contentLength: bytes.length });
    await api.database.db.update(schema.images).set({ uploadExpiresAt: longAgo, updatedAt: longAgo }).where(eq(schema.images.id, c.image.id));

    const restarted = await api.restart({ worker: true });
    const status = async (id: string) => (await restarted.inject({ url: `/api/v1/images/${id}`, headers: auth(account.development.key) })).json();
    await eventually(async () => (await status(a.image.id)).status === 'READY' && (await status(b.image.id)).status === 'READY' && (await status(c.image.id)).status === 'FAILED');
    expect(await status(a.image.id)).toMatchObject({ width: 33, height: 22 });
    expect((await status(c.image.id)).statusReason).toMatch(/expired/);
  });
});
