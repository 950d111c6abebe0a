/**
 * Test-only helpers for the API's suites (imported by *.test.ts, never by the app): a migrated
 * database, an account with both Environments, Server API Keys, and images made with sharp.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import type { DbHandle } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { buildServer } from '@frameport/http-kit';
import { createServerKeyForDashboard, signUp, type EnvironmentScope } from '@frameport/platform';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { apiApp } from './app.ts';
import { loadApiConfig, type ApiConfig } from './config.ts';

export interface TestAccount {
  userId: string;
  organizationId: string;
  development: EnvironmentScope & { key: string };
  production: EnvironmentScope & { key: string };
}

let counter = 0;
export async function createAccount(database: DbHandle): Promise<TestAccount> {
  const { user, organization, environments } = await signUp(database.db, {
    email: `user${Date.now()}${counter++}@example.com`,
    password: 'correct horse battery staple',
  });
  const scoped = async (slug: string) => {
    const env = environments.find((e) => e.slug === slug)!;
    const scope = { organizationId: organization.id, environmentId: env.id };
    const { key } = await createServerKeyForDashboard(database.db, { ...scope, userId: user.id }, { name: 'test' });
    return { ...scope, key };
  };
  return { userId: user.id, organizationId: organization.id, development: await scoped('development'), production: await scoped('production') };
}

export interface TestApi {
  app: FastifyInstance;
  database: DbHandle;
  config: ApiConfig;
  dataDir: string;
  /** Builds another app on the same database and data directory (a restart). */
  restart(overrides?: Partial<ApiConfig>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export async function startTestApi(overrides: Partial<ApiConfig> = {}, env: Record<string, string> = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'frameport-api-'));
  const config = { ...loadApiConfig({ FRAMEPORT_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), ...overrides };
  const apps: FastifyInstance[] = [];
  const build = async (o: Partial<ApiConfig> = {}) => {
    const app = await buildServer({ name: 'api', plugin: apiApp, options: { config: { ...config, ...o }, database }, logLevel: 'silent' });
    apps.push(app);
    return app;
  };
  const app = await build();
  return {
    app,
    database,
    config,
    dataDir,
    restart: build,
    async close() {
      for (const a of apps) await a.close().catch(() => {});
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<NonNullable<Exclude<T, false>>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<Exclude<T, false>>;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Path and query of an absolute URL, for app.inject(). */
export const local = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

export function makeImage(format: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif' = 'png', width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .toFormat(format)
    .toBuffer();
}

/**
 * A real, valid PNG of width×height 1-bit pixels, built without decoding anything: all-zero rows
 * deflate to almost nothing, so a 300-megapixel image is ~40 KB.
 */
export function hugePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Standard upload through HTTP: create, then PUT to the signed URL. Returns the PUT's response body. */
export async function uploadViaHttp(app: FastifyInstance, key: string, bytes: Buffer, body: Record<string, unknown> = {}) {
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/images/uploads',
    headers: auth(key),
    payload: { fileName: 'photo.png', contentLength: bytes.length, ...body },
  });
  if (created.statusCode !== 201) throw new Error(`create upload: ${created.statusCode} ${created.body}`);
  const { image, upload } = created.json();
  const put = await app.inject({ method: 'PUT', url: local(upload.url), headers: upload.headers, payload: bytes });
  return { created: created.json(), image, put };
}
