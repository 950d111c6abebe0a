import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createAccount, hugePng, local, makeImage, startTestApi, uploadViaHttp, type TestAccount, type TestApi } from './test-support.ts';

let api: TestApi;
let account: TestAccount;
let origin: Server;
let originUrl: string;
const served = new Map<string, { type: string; body: Buffer } | { redirect: string }>();

beforeAll(async () => {
  // The remote site of "upload via URL": a real HTTP server on loopback, which the fetcher may
  // reach only because this test allows 127.0.0.1/32 explicitly.
  origin = createServer((req, res) => {
    const entry = served.get(req.url ?? '');
    if (!entry) return res.writeHead(404).end();
    if ('redirect' in entry) return res.writeHead(302, { location: entry.redirect }).end();
    res.writeHead(200, { 'content-type': entry.type, 'content-length': entry.body.length }).end(entry.body);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  api = await startTestApi({ fetchAllowCidrs: ['127.0.0.1/32'] });
  account = await createAccount(api.database);
});

afterAll(async () => {
  await api?.close();
  origin?.close();
});

describe('standard upload', () => {
  it('creates a PENDING image with a signed single-use PUT URL, then processes the bytes to READY', async () => {
    const bytes = await makeImage('png', 64, 48);
    const { created, image, put } = await uploadViaHttp(api.app, account.development.key, bytes, {
      fileName: 'cat.png',
      mimeType: 'image/png',
      purpose: 'avatar',
      metadata: { owner: 'ada', rank: 3, public: true },
    });
    expect(image.id).toMatch(/^img_/);
    expect(image.status).toBe('PENDING');
    expect(image.url).toBeNull();
    expect(created.upload.method).toBe('PUT');
    expect(new Date(created.upload.expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(put.statusCode).toBe(200);
    const ready = put.json();
    expect(ready).toMatchObject({ id: image.id, status: 'READY', width: 64, height: 48, mimeType: 'image/png', extension: 'png', sizeBytes: bytes.length, purpose: 'avatar' });
    expect(ready.metadata).toEqual({ owner: 'ada', rank: 3, public: true });
    expect(ready.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ready.url).toBe(`${api.config.publicUrl}/cdn/${account.organizationId}/${account.development.environmentId}/${image.id}`);

    const fetched = await api.app.inject({ url: `/api/v1/images/${image.id}`, headers: auth(account.development.key) });
    expect(fetched.json().status).toBe('READY');
    const cdn = await api.app.inject({ url: local(ready.url) });
    expect(cdn.statusCode).toBe(200);
    expect(cdn.headers['content-type']).toBe('image/png');
    expect(Buffer.compare(cdn.rawPayload, bytes)).toBe(0);

    // Single use: the same URL again is refused.
    const again = await api.app.inject({ method: 'PUT', url: local(created.upload.url), headers: created.upload.headers, payload: bytes });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a tampered or expired signature', async () => {
    const bytes = await makeImage();
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'a.png', contentLength: bytes.length } });
    const url = new URL(created.json().upload.url);
    const signature = url.searchParams.get('signature')!;
    // Change the first character to a different one: a fixed replacement is a no-op 1 time in 64.
    url.searchParams.set('signature', (signature[0] === 'x' ? 'y' : 'x') + signature.slice(1));
    const bad = await api.app.inject({ method: 'PUT', url: url.pathname + url.search, payload: bytes });
    expect(bad.statusCode).toBe(403);
    url.searchParams.set('expires', '1000');
    const expired = await api.app.inject({ method: 'PUT', url: url.pathname + url.search, payload: bytes });
    expect(expired.statusCode).toBe(403);
  });

  it('refuses a body larger than the declared length, and the URL can be used again', async () => {
    const bytes = await makeImage();
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'a.png', contentLength: 10 } });
    const put = await api.app.inject({ method: 'PUT', url: local(created.json().upload.url), payload: bytes });
    expect(put.statusCode).toBe(400);
    expect(put.json().message).toMatch(/larger than the declared/);
    // A failed PUT stored nothing and does not use up the URL.
    const retry = await api.app.inject({ method: 'PUT', url: local(created.json().upload.url), payload: bytes.subarray(0, 10) });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().status).toBe('QUARANTINE');
  });

  it('returns the existing record for a repeated idempotency key in the same Environment', async () => {
    const body = { fileName: 'same.png', contentLength: 100, idempotencyKey: 'order-42' };
    const first = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: body });
    const second = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: body });
    expect(first.statusCode).toBe(201);
    expect(second.json().image.id).toBe(first.json().image.id);
    expect(second.json().existing).toBe(true);
    // Another Environment has its own key space.
    const other = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.production.key), payload: body });
    expect(other.json().image.id).not.toBe(first.json().image.id);
  });

  it('validates the request with the field named', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'a.png', contentLength: 0 } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_input', field: 'contentLength' });
    const tooBig = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'a.png', contentLength: 101 * 1024 * 1024 } });
    expect(tooBig.statusCode).toBe(400);
  });
});

describe('quarantine', () => {
  it('quarantines a 300-megapixel PNG before decoding it', async () => {
    const bytes = hugePng(20_000, 15_000);
    const { put } = await uploadViaHttp(api.app, account.development.key, bytes, { fileName: 'bomb.png' });
    expect(put.json()).toMatchObject({ status: 'QUARANTINE', url: null });
    expect(put.json().statusReason).toBe("The image is 20000×15000 (300 megapixels); the limit is 250 megapixels.");
  });

  it('quarantines a text file renamed .jpg', async () => {
    const bytes = Buffer.from('this is not an image, just text pretending to be one\n'.repeat(20));
    const { put, image } = await uploadViaHttp(api.app, account.development.key, bytes, { fileName: 'notes.jpg', mimeType: 'image/jpeg' });
    expect(put.json()).toMatchObject({ status: 'QUARANTINE', statusReason: 'The file is not an image in a supported format.' });
    const cdn = await api.app.inject({ url: `/cdn/${account.organizationId}/${account.development.environmentId}/${image.id}` });
    expect(cdn.statusCode).toBe(404);
  });

  it('quarantines an image whose declared mime type does not match its bytes', async () => {
    const bytes = await makeImage('png');
    const { put } = await uploadViaHttp(api.app, account.development.key, bytes, { fileName: 'x.jpg', mimeType: 'image/jpeg' });
    expect(put.json()).toMatchObject({ status: 'QUARANTINE', statusReason: 'The file was declared as image/jpeg but is image/png.' });
  });

  it('quarantines bytes that do not match the declared sha256', async () => {
    const bytes = await makeImage('png');
    const { put } = await uploadViaHttp(api.app, account.development.key, bytes, { sha256: '0'.repeat(64) });
    expect(put.json().status).toBe('QUARANTINE');
  });

  it('quarantines a truncated JPEG', async () => {
    const bytes = (await makeImage('jpeg', 400, 300)).subarray(0, 400);
    const { put } = await uploadViaHttp(api.app, account.development.key, Buffer.from(bytes), { fileName: 'cut.jpg' });
    expect(put.json()).toMatchObject({ status: 'QUARANTINE', statusReason: 'The image data is corrupt or truncated.' });
  });
});

describe('upload via URL', () => {
  it('fetches a remote image through the guard and processes it to READY', async () => {
    const bytes = await makeImage('jpeg', 120, 80);
    served.set('/pics/dog.jpg', { type: 'image/jpeg', body: bytes });
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: `${originUrl}/pics/dog.jpg`, metadata: { source: 'test' } } });
    expect(response.statusCode).toBe(201);
    expect(response.json().image).toMatchObject({ status: 'READY', fileName: 'dog.jpg', width: 120, height: 80, mimeType: 'image/jpeg', sourceUrl: `${originUrl}/pics/dog.jpg` });
  });

  it('follows a redirect to an allowed host', async () => {
    served.set('/moved', { redirect: '/pics/dog.jpg' });
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: `${originUrl}/moved` } });
    expect(response.json().image.status).toBe('READY');
  });

  it('refuses a redirect into a private address and records why', async () => {
    served.set('/to-metadata', { redirect: 'http://169.254.169.254/latest/meta-data/' });
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: `${originUrl}/to-metadata` } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_input', field: 'url' });
    expect(response.json().message).toMatch(/linkLocal/);
    const list = await api.app.inject({ url: '/api/v1/images?status=FAILED', headers: auth(account.development.key) });
    expect(list.json().images.some((i: { sourceUrl: string }) => i.sourceUrl.endsWith('/to-metadata'))).toBe(true);
  });

  it('quarantines a remote file that is not an image', async () => {
    served.set('/page.jpg', { type: 'text/html', body: Buffer.from('<html>hello</html>') });
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: `${originUrl}/page.jpg` } });
    expect(response.json().image.status).toBe('QUARANTINE');
  });

  it('refuses non-http schemes', async () => {
    const response = await api.app.inject({ method: 'POST', url: '/api/v1/images/from-url', headers: auth(account.development.key), payload: { url: 'file:///etc/passwd' } });
    expect(response.statusCode).toBe(400);
  });
});

describe('list, get, delete and isolation', () => {
  it('pages through images with a cursor, newest first', async () => {
    const { production } = account;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(production.key), payload: { fileName: `p${i}.png`, contentLength: 10 } });
      ids.push(r.json().image.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json(): { images: { id: string }[]; nextCursor: string | null } } = await api.app.inject({
        url: `/api/v1/images?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth(production.key),
      });
      const body = page.json();
      seen.push(...body.images.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    const filtered = await api.app.inject({ url: `/api/v1/images?purpose=nothing-has-this&createdAfter=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`, headers: auth(production.key) });
    expect(filtered.json().images).toEqual([]);
    const bad = await api.app.inject({ url: '/api/v1/images?limit=500', headers: auth(production.key) });
    expect(bad.statusCode).toBe(400);
  });

  it("a Server Key of one Environment cannot read another Environment's images", async () => {
    const { image } = await uploadViaHttp(api.app, account.development.key, await makeImage());
    const fromProd = await api.app.inject({ url: `/api/v1/images/${image.id}`, headers: auth(account.production.key) });
    expect(fromProd.statusCode).toBe(404);
    const other = await createAccount(api.database);
    const fromOtherOrg = await api.app.inject({ url: `/api/v1/images/${image.id}`, headers: auth(other.development.key) });
    expect(fromOtherOrg.statusCode).toBe(404);
    const del = await api.app.inject({ method: 'DELETE', url: `/api/v1/images/${image.id}`, headers: auth(other.development.key) });
    expect(del.statusCode).toBe(404);
    const list = await api.app.inject({ url: '/api/v1/images', headers: auth(account.production.key) });
    expect(list.json().images.map((i: { id: string }) => i.id)).not.toContain(image.id);
    // The CDN path names the Environment: the wrong one serves nothing.
    const cdn = await api.app.inject({ url: `/cdn/${account.organizationId}/${account.production.environmentId}/${image.id}` });
    expect(cdn.statusCode).toBe(404);
  });

  it('deletes an image and its bytes', async () => {
    const { put } = await uploadViaHttp(api.app, account.development.key, await makeImage());
    const ready = put.json();
    await api.app.inject({ url: `${local(ready.url)}?w=10` });
    const del = await api.app.inject({ method: 'DELETE', url: `/api/v1/images/${ready.id}`, headers: auth(account.development.key) });
    expect(del.statusCode).toBe(200);
    expect((await api.app.inject({ url: local(ready.url) })).statusCode).toBe(404);
    expect((await api.app.inject({ url: `/api/v1/images/${ready.id}`, headers: auth(account.development.key) })).statusCode).toBe(404);
  });

  it('refuses missing, unknown and revoked keys with 401', async () => {
    expect((await api.app.inject({ url: '/api/v1/images' })).statusCode).toBe(401);
    const unknown = await api.app.inject({ url: '/api/v1/images', headers: auth('sk_nope') });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers['www-authenticate']).toMatch(/invalid_token/);
  });
});

describe('openapi', () => {
  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await api.app.inject({ url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/images', '/api/v1/images/{imageId}', '/api/v1/images/uploads', '/api/v1/images/from-url', '/api/v1/downloads', '/api/v1/downloads/{downloadId}', '/api/v1/usage', '/api/v1/metrics']),
    );
    const create = doc.paths['/api/v1/images/uploads'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['fileName', 'contentLength']));
    expect(doc.paths['/api/v1/images'].get.parameters.find((p: { name: string }) => p.name === 'limit').schema.maximum).toBe(100);
  });
});

describe('upload target', () => {
  it('accepts a PUT without Content-Type (curl -T) and answers CORS preflights', async () => {
    const bytes = await makeImage('webp', 20, 10);
    const created = await api.app.inject({ method: 'POST', url: '/api/v1/images/uploads', headers: auth(account.development.key), payload: { fileName: 'x.webp', contentLength: bytes.length } });
    const url = local(created.json().upload.url);
    const preflight = await api.app.inject({ method: 'OPTIONS', url, headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('PUT');
    // A real socket: inject() always adds a Content-Type to a payload.
    const address = await api.app.listen({ port: 0, host: '127.0.0.1' });
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${address}${url}`, { method: 'PUT', headers: { 'content-length': bytes.length } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ code: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.end(bytes);
    });
    expect(status.code).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ status: 'READY', mimeType: 'image/webp', width: 20 });
  });
});
