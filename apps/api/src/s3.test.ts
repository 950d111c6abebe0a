import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImageContext, readAll, recoverImages, S3Storage } from '@frameport/platform';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createAccount, eventually, local, makeImage, startTestApi, type TestAccount, type TestApi } from './test-support.ts';

// A real S3-speaking server (s3rver, pure JS) on loopback; the app talks to it with the AWS SDK.
let s3: S3rver;
let s3Dir: string;
let endpoint: string;
let api: TestApi;
let account: TestAccount;
let origin: Server;
let originUrl: string;
const BUCKET = 'frameport-test';

beforeAll(async () => {
  s3Dir = await mkdtemp(join(tmpdir(), 'frameport-s3-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
  const remote = await makeImage('jpeg', 90, 60);
  origin = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(remote));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/remote.jpg`;
  api = await startTestApi(
    { fetchAllowCidrs: ['127.0.0.1/32'] },
    { STORAGE_DRIVER: 's3', S3_BUCKET: BUCKET, S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_PREFIX: 'fp' },
  );
  account = await createAccount(api.database);
});

afterAll(async () => {
  await api?.close();
  origin?.close();
  await s3?.close();
  await rm(s3Dir, { recursive: true, force: true });
});

describe('S3 storage', () => {
  it('stores, reads, lists and deletes objects atomically', async () => {
    const storage = new S3Storage({ bucket: BUCKET, region: 'us-east-1', endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', prefix: 'unit' });
    await storage.put('a/one', Buffer.from('hello'));
    async function* chunks() {
      yield Buffer.from('streamed ');
      yield Buffer.from('bytes');
    }
    expect(await storage.put('a/two', chunks())).toEqual({ sizeBytes: 14 });
    expect((await readAll((await storage.get('a/two'))!)).toString()).toBe('streamed bytes');
    expect(await storage.head('a/one')).toEqual({ sizeBytes: 5 });
    expect(await storage.head('a/none')).toBeNull();
    expect(await storage.get('a/none')).toBeNull();
    await storage.deletePrefix('a/');
    expect(await storage.head('a/one')).toBeNull();
    expect(await storage.head('a/two')).toBeNull();
  });

  it('standard upload: presigned S3 PUT, complete, CDN transform', async () => {
    const bytes = await makeImage('png', 300, 200);
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 's3.png', mimeType: 'image/png', contentLength: bytes.length } });
    expect(created.statusCode).toBe(201);
    const { image, upload } = created.json();
    expect(upload.url.startsWith(`${endpoint}/${BUCKET}/fp/originals/`)).toBe(true);
    expect(upload.url).toContain('X-Amz-Signature=');
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const done = await api.app.inject({ method: 'POST', url: `/api/v1/images/${image.id}/complete`, headers: auth(account.development.key) });
    expect(done.json()).toMatchObject({ status: 'READY', width: 300, height: 200, sizeBytes: bytes.length });
    const variant = await api.app.inject({ url: `${local(done.json().url)}?w=150&f=webp` });
    expect(variant.statusCode).toBe(200);
    expect((await sharp(variant.rawPayload).metadata()).width).toBe(150);
    const again = await api.app.inject({ url: `${local(done.json().url)}?w=150&f=webp` });
    expect(again.headers.etag).toBe(variant.headers.etag);
  });

  it('processes a direct S3 upload whose client never called complete', async () => {
    const bytes = await makeImage('jpeg', 50, 40);
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'quiet.jpg', contentLength: bytes.length } });
    const { image, upload } = created.json();
    expect((await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes })).status).toBe(200);
    const ctx = await createImageContext(api.database.db, api.config);
    // The periodic recovery pass, a minute later.
    await recoverImages(ctx, async () => {}, { now: new Date(Date.now() + 60_000) });
    const after = await api.app.inject({ url: `/api/v1/images/${image.id}`, headers: auth(account.development.key) });
    expect(after.json()).toMatchObject({ status: 'READY', width: 50, height: 40 });
  });

  it('complete before the bytes arrived is a clear 409', async () => {
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'later.png', contentLength: 10 } });
    const response = await api.app.inject({ method: 'POST', url: `/api/v1/images/${created.json().image.id}/complete`, headers: auth(account.development.key) });
    expect(response.statusCode).toBe(409);
  });

  it('upload via URL, bulk download with a presigned S3 URL, delete', async () => {
    const fromUrl = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: originUrl } });
    const image = fromUrl.json().image;
    expect(image).toMatchObject({ status: 'READY', width: 90, height: 60 });
    const job = await api.app.inject({ method: 'POST', url: '/api/v1/downloads', headers: auth(account.development.key), payload: { imageIds: [image.id] } });
    const ready = await eventually(async () => {
      const r = await api.app.inject({ url: `/api/v1/downloads/${job.json().id}`, headers: auth(account.development.key) });
      return r.json().status === 'READY' ? r.json() : null;
    });
    expect(ready.downloadUrl.startsWith(`${endpoint}/${BUCKET}/fp/downloads/`)).toBe(true);
    const zip = await fetch(ready.downloadUrl);
    expect(zip.status).toBe(200);
    const body = Buffer.from(await zip.arrayBuffer());
    expect(body.subarray(0, 2).toString()).toBe('PK');
    const del = await api.app.inject({ method: 'DELETE', url: `/api/v1/images/${image.id}`, headers: auth(account.development.key) });
    expect(del.statusCode).toBe(200);
    expect((await api.app.inject({ url: `/cdn/${account.organizationId}/${account.development.environmentId}/${image.id}` })).statusCode).toBe(404);
  });
});
