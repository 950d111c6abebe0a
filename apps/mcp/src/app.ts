import type { DbHandle } from '@frameport/db';
import { health, jsonErrors } from '@frameport/http-kit';
import type { FastifyInstance } from 'fastify';
import type { McpConfig } from './config.ts';

export interface McpAppOptions {
  config: McpConfig;
  database: DbHandle;
}

export async function mcpApp(app: FastifyInstance, options: McpAppOptions): Promise<void> {
  await app.register(jsonErrors);
  await app.register(health, { check: () => options.database.ping() });
}
