import { runStandalone } from '@frameport/http-kit';
import { authApp } from './app.ts';
import { loadAuthConfig } from './config.ts';

await runStandalone({ name: 'auth', config: loadAuthConfig(process.env), plugin: authApp });
