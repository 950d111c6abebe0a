import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, updatedAt } from './columns.ts';
import { environmentOwned } from './tenant.ts';

export const imageStatus = pgEnum('image_status', ['PENDING', 'PROCESSING', 'READY', 'QUARANTINE', 'FAILED']);

export type CustomMetadata = Record<string, string | number | boolean>;

export const images = pgTable(
  'images',
  {
    id: text('id').primaryKey(),
    ...environmentOwned(),
    status: imageStatus('status').notNull().default('PENDING'),
    /** Why the image is QUARANTINE or FAILED, written for the user. */
    statusReason: text('status_reason'),
    fileName: text('file_name'),
    mimeType: text('mime_type'),
    extension: text('extension'),
    width: integer('width'),
    height: integer('height'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    /** Declared by the uploader; checked against the bytes that arrive. */
    declaredSizeBytes: bigint('declared_size_bytes', { mode: 'number' }),
    declaredSha256: text('declared_sha256'),
    sha256: text('sha256'),
    idempotencyKey: text('idempotency_key'),
    purpose: text('purpose'),
    customMetadata: jsonb('custom_metadata').$type<CustomMetadata>().notNull().default({}),
    /** Where the original bytes live in object storage. */
    storageKey: text('storage_key').notNull(),
    /** For uploads via URL: the URL the bytes were fetched from. */
    sourceUrl: text('source_url'),
    processingAttempts: integer('processing_attempts').notNull().default(0),
    /** Set when the single-use upload URL is first used; a second PUT is refused. */
    uploadStartedAt: at('upload_started_at'),
    /** When the presigned upload URL stops working; a PENDING record past it never gets bytes. */
    uploadExpiresAt: at('upload_expires_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: at('deleted_at'),
  },
  (t) => [
    uniqueIndex('images_env_idempotency_key')
      .on(t.environmentId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    // Cursor pagination: newest first within an Environment.
    index('images_env_created_idx').on(t.environmentId, t.createdAt, t.id),
    // Recovery of work interrupted by a restart.
    index('images_status_idx').on(t.status, t.updatedAt),
  ],
);
