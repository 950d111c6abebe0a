import { createTestDatabase } from '@frameport/db/testing';
import { PlatformError } from '@frameport/platform';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { serviceEnvSchema } from './config.ts';
import { ConfigError, parseEnv } from './index.ts';
import { jsonErrors } from './errors.ts';
import { health } from './health.ts';
import { buildServer } from './server.ts';

describe('/healthz', () => {
  it('answers 200 while the database answers and 503 once it is gone', async () => {
    const database = await createTestDatabase();
    const app = await buildServer({
      name: 'test',
      logLevel: 'silent',
      options: {},
      plugin: async (a: FastifyInstance) => {
        await a.register(health, { check: () => database.ping() });
      },
    });
    const ok = await app.inject('/healthz');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok' });
    await database.close();
    const down = await app.inject('/healthz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable' });
    await app.close();
  });
});

describe('JSON error boundary', () => {
  async function appThrowing(error: unknown) {
    return buildServer({
      name: 'test',
      logLevel: 'silent',
      options: {},
      plugin: async (a: FastifyInstance) => {
        await a.register(jsonErrors);
        a.get('/boom', async () => {
          throw error;
        });
        a.post('/echo', async (request) => request.body);
      },
    });
  }

  it('keeps the message and field of expected errors, with their status', async () => {
    const app = await appThrowing(new PlatformError('conflict', 'That name is taken.', { field: 'name' }));
    const res = await app.inject('/boom');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'conflict', message: 'That name is taken.', field: 'name' });
  });

  it('turns an unexpected error into a generic 500 without its message or stack', async () => {
    const app = await appThrowing(new Error('relation "secret_table" does not exist at Parser.parse (/srv/x.js:1:1)'));
    const res = await app.inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: 'internal_error', message: 'Something went wrong on our side. Try again later.' });
    expect(res.body).not.toMatch(/secret_table|Parser|x\.js/);
  });

  it('answers malformed JSON and unknown routes with a 4xx JSON error', async () => {
    const app = await appThrowing(new Error('unused'));
    const bad = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
    const missing = await app.inject('/nowhere?x=1');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'No route for GET /nowhere.' });
  });
});

describe('configuration', () => {
  it('derives public URLs from ports and names the variable that is wrong', () => {
    const env = parseEnv(serviceEnvSchema, { AUTH_PORT: '5000', MCP_PUBLIC_URL: 'https://mcp.example.com/' });
    expect(env.AUTH_PUBLIC_URL).toBe('http://localhost:5000');
    expect(env.MCP_PUBLIC_URL).toBe('https://mcp.example.com');
    expect(env.FRAMEPORT_DATA_DIR).toBe('.frameport');
    expect(() => parseEnv(serviceEnvSchema, { API_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseEnv(serviceEnvSchema, { API_PORT: 'eighty' })).toThrow(/API_PORT/);
  });
});
