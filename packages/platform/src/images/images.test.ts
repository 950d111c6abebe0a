import { DeliveryCounter } from '../metrics/delivery-counter.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DbHandle } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../accounts/sign-up.ts';
import { LocalStorage } from '../storage/local-storage.ts';
import { DEFAULT_PLAN } from '../usage/plan.ts';
import type { ImageContext } from './context.ts';
import { createUpload, getImage, listImages, receiveUpload, waitForImage } from './images.ts';

let database: DbHandle;
let dir: string;
let ctx: ImageContext;
let dev: { organizationId: string; environmentId: string };
let prod: { organizationId: string; environmentId: string };

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'frameport-images-'));
  ctx = { db: database.db, storage: new LocalStorage(dir), cdnBaseUrl: 'https://cdn.test/cdn', apiBaseUrl: 'https://api.test', signingSecret: 'k'.repeat(32), plan: DEFAULT_PLAN, deliveries: new DeliveryCounter(database.db) };
  const { organization, environments } = await signUp(database.db, { email: 'images@example.com', password: 'long enough password' });
  dev = { organizationId: organization.id, environmentId: environments[0]!.id };
  prod = { organizationId: organization.id, environmentId: environments[1]!.id };
});
afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function* once(bytes: Buffer) {
  yield bytes;
}

describe('images in the platform', () => {
  it('creates, receives and processes an upload; waitForImage returns the final state', async () => {
    const bytes = await sharp({ create: { width: 12, height: 8, channels: 4, background: '#fff0' } }).png().toBuffer();
    const { image, upload } = await createUpload(ctx, dev, { fileName: 'dot.png', contentLength: bytes.length, purpose: 'icon' });
    expect(upload!.url).toMatch(/^https:\/\/api\.test\/uploads\/img_[a-z2-7]+\?expires=\d+&signature=[\w-]+$/);
    expect((await waitForImage(ctx, dev, image.id, { timeoutMs: 50 })).status).toBe('PENDING');
    await receiveUpload(ctx, image.id, once(bytes));
    const ready = await waitForImage(ctx, dev, image.id);
    expect(ready).toMatchObject({ status: 'READY', width: 12, height: 8, url: `https://cdn.test/cdn/${dev.organizationId}/${dev.environmentId}/${image.id}` });
  });

  it('scopes every read to the Environment', async () => {
    const { image } = await createUpload(ctx, dev, { fileName: 'a.png', contentLength: 10 });
    await expect(getImage(ctx, prod, image.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(getImage(ctx, { organizationId: 'org_other', environmentId: dev.environmentId }, image.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await listImages(ctx, prod)).images.map((i) => i.id)).not.toContain(image.id);
  });

  it('validates input with the field named', async () => {
    await expect(createUpload(ctx, dev, { fileName: '', contentLength: 1 })).rejects.toMatchObject({ code: 'invalid_input', field: 'fileName' });
    await expect(createUpload(ctx, dev, { fileName: 'a', contentLength: 1, sha256: 'xyz' })).rejects.toMatchObject({ field: 'sha256' });
    await expect(createUpload(ctx, dev, { fileName: 'a', contentLength: 1, metadata: { nested: { a: 1 } as never } })).rejects.toMatchObject({ field: 'metadata.nested' });
    await expect(listImages(ctx, dev, { cursor: 'garbage' })).rejects.toMatchObject({ field: 'cursor' });
  });
});
