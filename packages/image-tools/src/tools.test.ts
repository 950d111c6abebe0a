import { DeliveryCounter } from '@frameport/platform';
import type { Database } from '@frameport/db';
import type { ImageContext, ObjectStorage } from '@frameport/platform';
import { describe, expect, it } from 'vitest';
import type { EnvironmentToolContext, ToolContext } from './define-tool.ts';
import getImageUrl from './tools/get-image-url.ts';

/** Any touch of these fails the test: the tool under test must not reach the database or storage. */
const forbidden = <T extends object>(what: string) =>
  new Proxy({} as T, {
    get: (_t, prop) => {
      if (prop === 'then') return undefined;
      throw new Error(`${what}.${String(prop)} was used`);
    },
  });

function context(): EnvironmentToolContext {
  const db = forbidden<Database>('db');
  const images: ImageContext = {
    db,
    storage: forbidden<ObjectStorage>('storage'),
    cdnBaseUrl: 'https://api.example.test/cdn',
    apiBaseUrl: 'https://api.example.test',
    signingSecret: 'x'.repeat(32),
    plan: { maxStoredBytes: null, maxImages: null, maxUploadsPerPeriod: null, maxTransformationsPerPeriod: null, maxDeliveredBytesPerPeriod: null },
    deliveries: new DeliveryCounter(db),
  };
  const ctx: ToolContext = {
    principal: { userId: 'usr_1', organizationId: 'org_1', connectionId: 'con_1', grantId: 'g', clientId: 'c', scopes: ['images:read'] },
    environment: { id: 'env_1', organizationId: 'org_1', slug: 'development', name: 'Development' },
    services: { db, images, urls: { dashboard: 'https://auth.example.test/dashboard', api: 'https://api.example.test' } },
    signal: new AbortController().signal,
    reportProgress: async () => {},
  };
  return ctx as EnvironmentToolContext;
}

describe('get_image_url', () => {
  it('builds canonical CDN URLs for presets and parameters without any database or storage access', async () => {
    const ctx = context();
    const run = (args: unknown) => getImageUrl.handler(getImageUrl.input.parse(args), ctx);
    expect(await run({ imageId: 'img_a' })).toEqual({
      imageId: 'img_a',
      url: 'https://api.example.test/cdn/org_1/env_1/img_a',
      original: 'https://api.example.test/cdn/org_1/env_1/img_a',
    });
    expect((await run({ imageId: 'img_a', preset: 'thumbnail' })).url).toBe('https://api.example.test/cdn/org_1/env_1/img_a@thumbnail');
    expect((await run({ imageId: 'img_a', format: 'webp', width: 300, height: 200, fit: 'cover', quality: 80, dpr: 2 })).url).toBe(
      'https://api.example.test/cdn/org_1/env_1/img_a?width=300&height=200&fit=cover&format=webp&quality=80&dpr=2',
    );
  });

  it('refuses out-of-range parameters before building anything', () => {
    expect(getImageUrl.input.safeParse({ imageId: 'img_a', width: 0 }).success).toBe(false);
    expect(getImageUrl.input.safeParse({ imageId: 'img_a', preset: 'huge' }).success).toBe(false);
    expect(getImageUrl.input.safeParse({ imageId: 'img_a', format: 'bmp' }).success).toBe(false);
  });
});
