import type { DbHandle } from '@frameport/db';
import { health, jsonErrors } from '@frameport/http-kit';
import type { FastifyInstance } from 'fastify';
import type { AuthConfig } from './config.ts';

export interface AuthAppOptions {
  config: AuthConfig;
  database: DbHandle;
}

export async function authApp(app: FastifyInstance, options: AuthAppOptions): Promise<void> {
  await app.register(jsonErrors);
  await app.register(health, { check: () => options.database.ping() });
}
