export { serviceEnvSchema, parseEnv, ConfigError, type ServiceEnv } from './config.ts';
export { health, type HealthOptions } from './health.ts';
export { jsonErrors, statusForPlatformError } from './errors.ts';
export { buildServer, startServer, type ListeningServer, type StartServerOptions } from './server.ts';
export { runStandalone, openConfiguredDatabase, pgliteDir, type CommonConfig } from './standalone.ts';
