import type { AnyToolDefinition } from './define-tool.ts';
import createBulkImageDownload from './tools/create-bulk-image-download.ts';
import createClientToken from './tools/create-client-token.ts';
import fetchMetrics from './tools/fetch-metrics.ts';
import getImageUrl from './tools/get-image-url.ts';
import getServerTokenDashboardLink from './tools/get-server-token-dashboard-link.ts';
import getUsage from './tools/get-usage.ts';
import listImages from './tools/list-images.ts';
import retrieveBulkImageDownload from './tools/retrieve-bulk-image-download.ts';
import retrieveImage from './tools/retrieve-image.ts';
import uploadImage from './tools/upload-image.ts';
import uploadImageViaUrl from './tools/upload-image-via-url.ts';
import whoami from './tools/whoami.ts';

/** Every tool the MCP server offers, one file each in ./tools. */
export const tools: readonly AnyToolDefinition[] = [
  whoami,
  createClientToken,
  uploadImageViaUrl,
  uploadImage,
  retrieveImage,
  getImageUrl,
  listImages,
  fetchMetrics,
  getUsage,
  createBulkImageDownload,
  retrieveBulkImageDownload,
  getServerTokenDashboardLink,
];

/** The tools a connection with these scopes may see and call (a read-only connection sees no write tool). */
export function toolsForScopes(all: readonly AnyToolDefinition[], scopes: readonly string[]): AnyToolDefinition[] {
  return all.filter((t) => scopes.includes(t.requiredScope));
}
