import { bigint, index, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { at, createdAt, updatedAt } from './columns.ts';
import { environmentOwned } from './tenant.ts';

export const downloadStatus = pgEnum('download_status', ['PENDING', 'PROCESSING', 'READY', 'FAILED']);

export const downloadJobs = pgTable(
  'download_jobs',
  {
    id: text('id').primaryKey(),
    ...environmentOwned(),
    status: downloadStatus('status').notNull().default('PENDING'),
    imageIds: text('image_ids').array().notNull(),
    storageKey: text('storage_key'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    failureReason: text('failure_reason'),
    expiresAt: at('expires_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: at('completed_at'),
  },
  (t) => [index('download_jobs_env_idx').on(t.environmentId, t.createdAt), index('download_jobs_status_idx').on(t.status)],
);
