export { authApp, type AuthAppOptions } from './app.ts';
export { loadAuthConfig, type AuthConfig } from './config.ts';
