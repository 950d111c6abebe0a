import { runStandalone } from '@frameport/http-kit';
import { mcpApp } from './app.ts';
import { loadMcpConfig } from './config.ts';

await runStandalone({ name: 'mcp', config: loadMcpConfig(process.env), plugin: mcpApp });
