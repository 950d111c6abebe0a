import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@frameport/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { launchFrameport } from './support/launcher.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'frameport-launcher-'));
// On the PostgreSQL pass the launcher gets its own database on that server; otherwise PGlite files.
const database = process.env.FRAMEPORT_TEST_DATABASE_URL ? await createTestDatabase() : undefined;
const env: Record<string, string> = { FRAMEPORT_DATA_DIR: dataDir, ...(database?.url ? { DATABASE_URL: database.url } : {}) };

afterAll(async () => {
  await database?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('pnpm start', () => {
  it('serves /healthz on every app, prints the URLs, a demo login and client snippets, and stops on Ctrl-C', async () => {
    const frameport = await launchFrameport(env);
    try {
      for (const base of [frameport.urls.auth, frameport.urls.mcp.replace(/\/mcp$/, ''), frameport.urls.api]) {
        const res = await fetch(`${base}/healthz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ status: 'ok' });
      }
      const out = frameport.output();
      expect(out).toContain(frameport.urls.auth);
      expect(out).toContain(frameport.urls.mcp);
      expect(out).toContain(frameport.urls.api);
      expect(out).toMatch(/Demo login\s+demo@frameport\.local/);
      expect(out).toMatch(/Password\s+\S{12,}\s+\(generated/);
      expect(out).toContain(`claude mcp add-json frameport '{"type":"http","url":"${frameport.urls.mcp}"}'`);
    } finally {
      expect(await frameport.stop(), frameport.output()).toBe(true);
    }
  });

  it('reuses the same data on a second start, and lets FRAMEPORT_DEMO_PASSWORD reset the demo password', async () => {
    const again = await launchFrameport(env);
    try {
      expect(again.output()).toMatch(/Password\s+\(the one printed at first start/);
    } finally {
      expect(await again.stop(), again.output()).toBe(true);
    }
    const reset = await launchFrameport({ ...env, FRAMEPORT_DEMO_PASSWORD: 'a chosen demo password' });
    try {
      expect(reset.output()).toMatch(/Password\s+a chosen demo password\n/);
    } finally {
      expect(await reset.stop(), reset.output()).toBe(true);
    }
  });

  it('refuses a port already in use with a message naming the variable', async () => {
    const first = await launchFrameport(env);
    try {
      const port = new URL(first.urls.api).port;
      const second = launchFrameport({ ...env, FRAMEPORT_DATA_DIR: join(dataDir, 'other'), API_PORT: port }, 30_000);
      await expect(second).rejects.toThrow(new RegExp(`Port ${port} is already in use \\(API_PORT\\)`));
    } finally {
      await first.stop();
    }
  });
});
