import type { DbHandle } from '@frameport/db';
import { health, jsonErrors } from '@frameport/http-kit';
import type { FastifyInstance } from 'fastify';
import type { ApiConfig } from './config.ts';

export interface ApiAppOptions {
  config: ApiConfig;
  database: DbHandle;
}

export async function apiApp(app: FastifyInstance, options: ApiAppOptions): Promise<void> {
  await app.register(jsonErrors);
  await app.register(health, { check: () => options.database.ping() });
}
