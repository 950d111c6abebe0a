import type { schema } from '@frameport/db';
import { buildCdnUrl } from '../transforms/cdn-url.ts';

export type ImageStatus = 'PENDING' | 'PROCESSING' | 'READY' | 'QUARANTINE' | 'FAILED';
export type ImageRow = typeof schema.images.$inferSelect;

/** An image as every caller (REST, MCP tools, dashboard) sees it. */
export interface Image {
  id: string;
  organizationId: string;
  environmentId: string;
  status: ImageStatus;
  /** Why it is QUARANTINE or FAILED. */
  statusReason: string | null;
  fileName: string | null;
  mimeType: string | null;
  extension: string | null;
  width: number | null;
  height: number | null;
  sizeBytes: number | null;
  sha256: string | null;
  idempotencyKey: string | null;
  purpose: string | null;
  metadata: Record<string, string | number | boolean>;
  sourceUrl: string | null;
  /** The CDN URL of the original; null until READY. */
  url: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export function toImage(row: ImageRow, cdnBaseUrl: string): Image {
  return {
    id: row.id,
    organizationId: row.organizationId,
    environmentId: row.environmentId,
    status: row.status,
    statusReason: row.statusReason,
    fileName: row.fileName,
    mimeType: row.mimeType,
    extension: row.extension,
    width: row.width,
    height: row.height,
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    idempotencyKey: row.idempotencyKey,
    purpose: row.purpose,
    metadata: row.customMetadata,
    sourceUrl: row.sourceUrl,
    url: row.status === 'READY' && !row.deletedAt ? buildCdnUrl(cdnBaseUrl, { organizationId: row.organizationId, environmentId: row.environmentId, imageId: row.id }) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}

/** Storage keys: built only from ids the platform minted. */
export const storageKeys = {
  original: (r: { organizationId: string; environmentId: string; id: string }) => `originals/${r.organizationId}/${r.environmentId}/${r.id}`,
  variantPrefix: (r: { organizationId: string; environmentId: string; id: string }) => `variants/${r.organizationId}/${r.environmentId}/${r.id}/`,
  variant: (r: { organizationId: string; environmentId: string; id: string }, key: string) => `variants/${r.organizationId}/${r.environmentId}/${r.id}/${key}`,
  archive: (j: { organizationId: string; environmentId: string; id: string }) => `downloads/${j.organizationId}/${j.environmentId}/${j.id}.zip`,
};
