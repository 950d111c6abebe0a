import { runStandalone } from '@frameport/http-kit';
import { apiApp } from './app.ts';
import { loadApiConfig } from './config.ts';

await runStandalone({ name: 'api', config: loadApiConfig(process.env), plugin: apiApp });
