export { openDatabase, type Database, type DbHandle, type OpenDatabaseOptions } from './client.ts';
export { databaseEnvSchema } from './config.ts';
export * as schema from './schema/index.ts';
