export { apiApp, apiRoutes, type ApiAppOptions } from './app.ts';
export { loadApiConfig, type ApiConfig } from './config.ts';
