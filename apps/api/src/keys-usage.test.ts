import { schema } from '@frameport/db';
import { createClientKey, getUsage, revokeClientKey, revokeServerKeyForDashboard, createServerKeyForDashboard, listServerKeysForDashboard } from '@frameport/platform';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createAccount, makeImage, startTestApi, uploadViaHttp, type TestAccount, type TestApi } from './test-support.ts';

let api: TestApi;
let account: TestAccount;

beforeAll(async () => {
  api = await startTestApi({
    plan: { maxImages: 3, maxStoredBytes: 1024 * 1024, maxUploadsPerPeriod: 5, maxTransformationsPerPeriod: 2, maxDeliveredBytesPerPeriod: null },
  });
  account = await createAccount(api.database);
});
afterAll(() => api?.close());

const countImages = async (organizationId: string) =>
  (await api.database.db.select().from(schema.images).where(eq(schema.images.organizationId, organizationId))).length;

describe('usage limits', () => {
  it('refuses an upload over the stored-bytes limit and changes nothing', async () => {
    const before = await getUsage(api.database.db, { organizationId: account.organizationId }, api.config.plan);
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'big.png', contentLength: 2 * 1024 * 1024 } });
    expect(response.statusCode).toBe(429);
    expect(response.json()).toMatchObject({ error: 'limit_exceeded', field: 'stored_bytes' });
    const after = await getUsage(api.database.db, { organizationId: account.organizationId }, api.config.plan);
    expect(after).toEqual(before);
  });

  it('refuses the image past the image-count limit and changes nothing', async () => {
    for (let i = 0; i < 3; i++) await uploadViaHttp(api.app, account.development.key, await makeImage('png', 30 + i, 20));
    const before = await countImages(account.organizationId);
    const usage = await getUsage(api.database.db, { organizationId: account.organizationId }, api.config.plan);
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.production.key), payload: { fileName: 'one-more.png', contentLength: 100 } });
    expect(response.statusCode).toBe(429);
    expect(response.json()).toMatchObject({ error: 'limit_exceeded', field: 'images' });
    expect(response.json().message).toMatch(/limit of 3 images/);
    expect(await countImages(account.organizationId)).toBe(before);
    expect((await getUsage(api.database.db, { organizationId: account.organizationId }, api.config.plan)).uploads).toBe(usage.uploads);
    const viaUrl = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: 'https://example.com/a.png' } });
    expect(viaUrl.statusCode).toBe(429);
  });

  it('refuses a new transformation past the limit, while stored variants keep being served', async () => {
    const list = await api.app.inject({ url: '/api/v1/images?status=READY', headers: auth(account.development.key) });
    const image = list.json().images[0];
    const cdn = `/cdn/${account.organizationId}/${account.development.environmentId}/${image.id}`;
    expect((await api.app.inject({ url: `${cdn}?w=10` })).statusCode).toBe(200);
    expect((await api.app.inject({ url: `${cdn}?w=11` })).statusCode).toBe(200);
    const third = await api.app.inject({ url: `${cdn}?w=12` });
    expect(third.statusCode).toBe(429);
    expect(third.json().error).toBe('limit_exceeded');
    expect((await api.app.inject({ url: `${cdn}?w=10` })).statusCode).toBe(200);
    expect((await api.app.inject({ url: cdn })).statusCode).toBe(200);
  });

  it('reports usage over REST', async () => {
    const response = await api.app.inject({ url: '/api/v1/usage', headers: auth(account.development.key) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ imageCount: 3, uploads: 3, transformations: 2, limits: { maxImages: 3 } });
    expect(response.json().storedBytes).toBeGreaterThan(0);
    expect(response.json().period).toMatch(/^\d{4}-\d{2}$/);
  });
});

describe('Client Keys', () => {
  it('may create standard uploads (within its size cap) and read an image by id, nothing else', async () => {
    const other = await createAccount(api.database);
    const scope = other.development;
    const ck = await createClientKey(api.database.db, scope, { name: 'web', allowedOrigins: ['https://app.example.com'], maximumUploadBytes: 8 * 1024 });
    expect(ck.id).toMatch(/^ck_/);
    const bytes = await makeImage('png', 20, 20);
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/images/uploads',
      headers: { ...auth(ck.id), origin: 'https://app.example.com' },
      payload: { fileName: 'a.png', contentLength: bytes.length },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const tooBig = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(ck.id), payload: { fileName: 'a.png', contentLength: 9 * 1024 } });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json().message).toMatch(/8192 bytes/);

    const id = created.json().image.id;
    expect((await api.app.inject({ url: `/api/v1/images/${id}`, headers: auth(ck.id) })).statusCode).toBe(200);
    for (const [method, url] of [
      ['GET', '/api/v1/images'],
      ['DELETE', `/api/v1/images/${id}`],
      ['POST', '/api/v1/images/from-url'],
      ['POST', '/api/v1/downloads'],
      ['GET', '/api/v1/usage'],
    ] as const) {
      const r = await api.app.inject({ method, url, headers: auth(ck.id), ...(method === 'POST' ? { payload: {} } : {}) });
      expect(r.statusCode, `${method} ${url}`).toBe(403);
    }
    const wrongOrigin = await api.app.inject({ url: `/api/v1/images/${id}`, headers: { ...auth(ck.id), origin: 'https://evil.example' } });
    expect(wrongOrigin.statusCode).toBe(403);
    // Another Environment's image is not visible through this key.
    const { image } = await uploadViaHttp(api.app, other.production.key, bytes);
    expect((await api.app.inject({ url: `/api/v1/images/${image.id}`, headers: auth(ck.id) })).statusCode).toBe(404);

    await revokeClientKey(api.database.db, scope, ck.id);
    expect((await api.app.inject({ url: `/api/v1/images/${id}`, headers: auth(ck.id) })).statusCode).toBe(401);
  });

  it('validates maximum_upload_bytes between 5 KiB and 100 MiB', async () => {
    await expect(createClientKey(api.database.db, account.development, { name: 'x', maximumUploadBytes: 1024 })).rejects.toThrow(/maximumUploadBytes/);
    await expect(createClientKey(api.database.db, account.development, { name: 'x', allowedOrigins: ['https://a.example/path'] })).rejects.toThrow(/allowedOrigins/);
    const ck = await createClientKey(api.database.db, account.development, { name: 'default' });
    expect(ck.maximumUploadBytes).toBe(50 * 1024 * 1024);
  });
});

describe('Server API Keys', () => {
  it('are shown once, stored as a hash, and refused after revocation', async () => {
    const other = await createAccount(api.database);
    const scope = { ...other.development, userId: other.userId };
    const { key, serverKey } = await createServerKeyForDashboard(api.database.db, scope, { name: 'ci' });
    expect(key).toMatch(/^sk_[a-z2-7]{52}$/);
    const [row] = await api.database.db.select().from(schema.serverKeys).where(eq(schema.serverKeys.id, serverKey.id));
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await listServerKeysForDashboard(api.database.db, scope)).map((k) => k.id)).toContain(serverKey.id);
    expect((await api.app.inject({ url: '/api/v1/images', headers: auth(key) })).statusCode).toBe(200);
    await revokeServerKeyForDashboard(api.database.db, scope, serverKey.id);
    expect((await api.app.inject({ url: '/api/v1/images', headers: auth(key) })).statusCode).toBe(401);
  });

  it('cannot be created by someone outside the organization', async () => {
    const other = await createAccount(api.database);
    await expect(createServerKeyForDashboard(api.database.db, { ...account.development, userId: other.userId }, { name: 'x' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
