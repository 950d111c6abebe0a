import { bigint, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.ts';
import { environments } from './environments.ts';
import { organizations } from './organizations.ts';

/** Hourly buckets per Environment; daily series are sums of these. */
export const deliveryMetrics = pgTable(
  'delivery_metrics',
  {
    environmentId: text('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    bucket: at('bucket').notNull(),
    uploads: bigint('uploads', { mode: 'number' }).notNull().default(0),
    transformations: bigint('transformations', { mode: 'number' }).notNull().default(0),
    requests: bigint('requests', { mode: 'number' }).notNull().default(0),
    transferBytes: bigint('transfer_bytes', { mode: 'number' }).notNull().default(0),
    cacheHits: bigint('cache_hits', { mode: 'number' }).notNull().default(0),
    cacheMisses: bigint('cache_misses', { mode: 'number' }).notNull().default(0),
    /** A gauge, not a sum: the Environment's stored bytes as last written within the bucket. */
    storageBytes: bigint('storage_bytes', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.environmentId, t.bucket] })],
);
