import { buildCdnUrl, getUsage } from '@frameport/platform';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createAccount, local, makeImage, startTestApi, uploadViaHttp, type TestAccount, type TestApi } from './test-support.ts';

let api: TestApi;
let account: TestAccount;
let base: string;
let imageId: string;

beforeAll(async () => {
  api = await startTestApi();
  account = await createAccount(api.database);
  const { put } = await uploadViaHttp(api.app, account.development.key, await makeImage('png', 800, 600));
  imageId = put.json().id;
  base = `/cdn/${account.organizationId}/${account.development.environmentId}/${imageId}`;
});
afterAll(() => api?.close());

const get = (url: string, headers: Record<string, string> = {}) => api.app.inject({ url, headers });
const dims = async (body: Buffer) => {
  const m = await sharp(body).metadata();
  return { format: m.format, width: m.width, height: m.height };
};

describe('CDN transforms: each parameter', () => {
  const happy: [string, string, { format?: string; width?: number; height?: number }][] = [
    ['width', '?width=200', { format: 'png', width: 200, height: 150 }],
    ['w', '?w=100', { width: 100, height: 75 }],
    ['height', '?height=300', { width: 400, height: 300 }],
    ['h', '?h=60', { width: 80, height: 60 }],
    ['format jpeg', '?format=jpeg', { format: 'jpeg', width: 800 }],
    ['f webp', '?f=webp', { format: 'webp', width: 800 }],
    ['format avif', '?format=avif&w=64', { format: 'heif', width: 64 }],
    ['format gif', '?format=gif&w=64', { format: 'gif', width: 64 }],
    ['format png', '?format=png&w=64', { format: 'png', width: 64 }],
    ['quality', '?format=jpeg&quality=30', { format: 'jpeg' }],
    ['q', '?f=webp&q=90', { format: 'webp' }],
    ['quality auto', '?f=jpeg&q=auto', { format: 'jpeg' }],
    ['fit cover', '?w=100&h=100&fit=cover', { width: 100, height: 100 }],
    ['fit contain', '?w=100&h=100&fit=contain', { width: 100, height: 100 }],
    ['fit fill', '?w=100&h=100&fit=fill', { width: 100, height: 100 }],
    ['fit inside', '?w=100&h=100&fit=inside', { width: 100, height: 75 }],
    ['fit outside', '?w=100&h=100&fit=outside', { width: 133, height: 100 }],
    ['dpr', '?w=100&dpr=2', { width: 200, height: 150 }],
    ['preset thumbnail', '@thumbnail', { width: 150, height: 113 }],
    ['preset small', '@small', { width: 480, height: 360 }],
    ['preset medium (no enlargement)', '@medium', { width: 800, height: 600 }],
    ['preset large', '@large', { width: 800 }],
  ];
  it.each(happy)('%s', async (_name, suffix, expected) => {
    const path = suffix.startsWith('@') ? `${base}${suffix}` : `${base}${suffix}`;
    const response = await get(path);
    expect(response.statusCode).toBe(200);
    expect(await dims(response.rawPayload)).toMatchObject(expected);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers.etag).toMatch(/^"[\w-]+"$/);
  });

  it('format=auto negotiates by Accept and varies on it', async () => {
    const avif = await get(`${base}?format=auto&w=50`, { accept: 'image/avif,image/webp,*/*' });
    expect(avif.headers['content-type']).toBe('image/avif');
    expect(avif.headers.vary).toBe('Accept');
    const webp = await get(`${base}?format=auto&w=50`, { accept: 'image/webp,*/*' });
    expect(webp.headers['content-type']).toBe('image/webp');
    const plain = await get(`${base}?f=auto&w=50`, { accept: '*/*' });
    expect(plain.headers['content-type']).toBe('image/png');
    expect(plain.headers['cache-control']).not.toContain('immutable');
    expect(new Set([avif.headers.etag, webp.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  const refused: [string, string, string][] = [
    ['width 0', '?width=0', 'width'],
    ['width too large', '?w=8193', 'w'],
    ['width not a number', '?w=abc', 'w'],
    ['height negative', '?height=-5', 'height'],
    ['height too large', '?h=9000', 'h'],
    ['format unknown', '?format=bmp', 'format'],
    ['quality 0', '?quality=0', 'quality'],
    ['quality 101', '?q=101', 'q'],
    ['fit unknown', '?fit=stretch', 'fit'],
    ['dpr 5', '?dpr=5', 'dpr'],
    ['dpr fractional', '?dpr=1.5', 'dpr'],
    ['unknown parameter', '?blur=3', 'blur'],
    ['repeated parameter', '?w=10&w=20', 'w'],
    ['alias and name together', '?w=10&width=20', 'width'],
    ['unknown preset', '@huge', 'preset'],
  ];
  it.each(refused)('%s is a 400 naming the parameter', async (_name, suffix, parameter) => {
    const response = await get(`${base}${suffix}`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_input', field: parameter });
    expect(response.json().message.startsWith(`${parameter}:`)).toBe(true);
  });
});

describe('CDN caching', () => {
  it('serves a stored variant without rendering again, and 304 on If-None-Match', async () => {
    const scope = { organizationId: account.organizationId };
    const before = (await getUsage(api.database.db, scope, api.config.plan)).transformations;
    const first = await get(`${base}?w=321`);
    const second = await get(`${base}?w=321`);
    expect(Buffer.compare(first.rawPayload, second.rawPayload)).toBe(0);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect((await getUsage(api.database.db, scope, api.config.plan)).transformations).toBe(before + 1);
    const notModified = await get(`${base}?w=321`, { 'if-none-match': first.headers.etag as string });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.length).toBe(0);
  });

  it('answers HEAD with the headers and no body', async () => {
    const head = await api.app.inject({ method: 'HEAD', url: `${base}?w=64` });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('image/png');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect(head.rawPayload.length).toBe(0);
  });

  it('normalizes equivalent requests to one variant', async () => {
    const a = await get(`${base}@small`);
    const b = await get(`${base}?w=480&h=480&fit=inside`);
    expect(b.headers.etag).toBe(a.headers.etag);
  });

  it('renders a variant once under 20 concurrent first requests', async () => {
    const scope = { organizationId: account.organizationId };
    const before = (await getUsage(api.database.db, scope, api.config.plan)).transformations;
    const responses = await Promise.all(Array.from({ length: 20 }, () => get(`${base}?w=257&f=webp&q=61`)));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(new Set(responses.map((r) => r.rawPayload.toString('base64'))).size).toBe(1);
    expect((await getUsage(api.database.db, scope, api.config.plan)).transformations).toBe(before + 1);
  });

  it('serves nothing for unknown images and other Environments', async () => {
    expect((await get(`/cdn/${account.organizationId}/${account.development.environmentId}/img_missing`)).statusCode).toBe(404);
    expect((await get(`/cdn/${account.organizationId}/${account.production.environmentId}/${imageId}`)).statusCode).toBe(404);
  });

  it('builds canonical URLs that the CDN serves', async () => {
    const ref = { organizationId: account.organizationId, environmentId: account.development.environmentId, imageId };
    const url = buildCdnUrl(api.config.publicUrl + '/cdn', ref, { preset: 'thumbnail', format: 'webp', quality: 70, dpr: 2 });
    expect(url).toBe(`${api.config.publicUrl}/cdn/${ref.organizationId}/${ref.environmentId}/${imageId}@thumbnail?format=webp&quality=70&dpr=2`);
    const response = await get(local(url));
    expect(response.statusCode).toBe(200);
    expect(await dims(response.rawPayload)).toMatchObject({ format: 'webp', width: 300 });
    expect(() => buildCdnUrl('http://x/cdn', ref, { width: 0 })).toThrow(/width/);
  });

  it('counts requests, bytes and cache hits in the metrics', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const response = await api.app.inject({ url: `/api/v1/metrics?from=${from}&to=${to}&granularity=hour`, headers: auth(account.development.key) });
    expect(response.statusCode).toBe(200);
    const { totals, points } = response.json();
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(totals.requests).toBeGreaterThan(20);
    expect(totals.transformations).toBeGreaterThan(5);
    expect(totals.transferBytes).toBeGreaterThan(1000);
    expect(totals.uploads).toBe(1);
    expect(totals.cacheHitRatio).toBeGreaterThan(0);
    expect(totals.cacheHitRatio).toBeLessThan(1);
    expect(points.some((p: { storageBytes: number | null }) => p.storageBytes !== null && p.storageBytes > 0)).toBe(true);
    const bad = await api.app.inject({ url: `/api/v1/metrics?from=${to}&to=${from}`, headers: auth(account.development.key) });
    expect(bad.statusCode).toBe(400);
  });
});
