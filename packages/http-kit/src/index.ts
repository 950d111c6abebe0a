export { serviceEnvSchema, type ServiceEnv } from './config.ts';
// Re-exported so an app's config.ts imports everything it composes from one place.
export { ConfigError, parseEnv } from '@frameport/platform';
export { health, type HealthOptions } from './health.ts';
export { jsonErrors, statusForPlatformError } from './errors.ts';
export { buildServer, startServer, type ListeningServer, type StartServerOptions } from './server.ts';
export { runStandalone, openConfiguredDatabase, pgliteDir, type CommonConfig } from './standalone.ts';
