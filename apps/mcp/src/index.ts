export { mcpApp, type McpAppOptions } from './app.ts';
export { loadMcpConfig, type McpConfig } from './config.ts';
