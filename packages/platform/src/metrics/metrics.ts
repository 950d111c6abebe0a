import { schema, type Database } from '@frameport/db';
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { PlatformError } from '../errors.ts';
import type { EnvironmentScope } from '../scope.ts';

export interface MetricsDelta {
  uploads?: number;
  transformations?: number;
  requests?: number;
  transferBytes?: number;
  cacheHits?: number;
  cacheMisses?: number;
  /** A gauge: the Environment's stored bytes now. */
  storageBytes?: number;
}

function hourOf(at: Date): Date {
  const d = new Date(at);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** Adds to the Environment's hourly bucket (one upsert; concurrent writers add, never overwrite). */
export async function recordMetrics(db: Database, scope: EnvironmentScope, delta: MetricsDelta, at = new Date()): Promise<void> {
  const t = schema.deliveryMetrics;
  const values = {
    uploads: delta.uploads ?? 0,
    transformations: delta.transformations ?? 0,
    requests: delta.requests ?? 0,
    transferBytes: delta.transferBytes ?? 0,
    cacheHits: delta.cacheHits ?? 0,
    cacheMisses: delta.cacheMisses ?? 0,
  };
  await db
    .insert(t)
    .values({ environmentId: scope.environmentId, organizationId: scope.organizationId, bucket: hourOf(at), ...values, storageBytes: delta.storageBytes ?? null })
    .onConflictDoUpdate({
      target: [t.environmentId, t.bucket],
      set: {
        uploads: sql`${t.uploads} + ${values.uploads}`,
        transformations: sql`${t.transformations} + ${values.transformations}`,
        requests: sql`${t.requests} + ${values.requests}`,
        transferBytes: sql`${t.transferBytes} + ${values.transferBytes}`,
        cacheHits: sql`${t.cacheHits} + ${values.cacheHits}`,
        cacheMisses: sql`${t.cacheMisses} + ${values.cacheMisses}`,
        ...(delta.storageBytes !== undefined ? { storageBytes: delta.storageBytes } : {}),
      },
    });
}

/** Records the Environment's current stored bytes (sum of its live images) as the gauge. */
export async function recordStorageGauge(db: Database, scope: EnvironmentScope): Promise<void> {
  const [row] = await db
    .select({ bytes: sql<string>`coalesce(sum(${schema.images.sizeBytes}), 0)` })
    .from(schema.images)
    .where(
      and(
        eq(schema.images.environmentId, scope.environmentId),
        eq(schema.images.organizationId, scope.organizationId),
        sql`${schema.images.deletedAt} is null`,
        eq(schema.images.status, 'READY'),
      ),
    );
  await recordMetrics(db, scope, { storageBytes: Number(row?.bytes ?? 0) });
}

export const metricsQuerySchema = z
  .object({
    from: z.coerce.date(),
    to: z.coerce.date(),
    granularity: z.enum(['hour', 'day']).default('day'),
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to.', path: ['from'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= 366 * 24 * 3600 * 1000, { message: 'The range may span at most 366 days.', path: ['to'] });
export type MetricsQuery = z.input<typeof metricsQuerySchema>;

export interface MetricsPoint {
  start: string;
  uploads: number;
  transformations: number;
  requests: number;
  transferBytes: number;
  cacheHits: number;
  cacheMisses: number;
  /** Hits over cache lookups in the bucket; null when there were none. */
  cacheHitRatio: number | null;
  /** Last known stored bytes at the end of the bucket; null before any was recorded. */
  storageBytes: number | null;
}

export interface MetricsSeries {
  environmentId: string;
  granularity: 'hour' | 'day';
  from: string;
  to: string;
  points: MetricsPoint[];
  totals: Omit<MetricsPoint, 'start' | 'storageBytes'>;
}

/** Time series for [from, to), one point per hour or UTC day, empty buckets included. */
export async function getMetrics(db: Database, scope: EnvironmentScope, query: MetricsQuery): Promise<MetricsSeries> {
  const parsed = metricsQuerySchema.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'query');
    throw new PlatformError('invalid_input', `${field}: ${issue.message}`, { field });
  }
  const { from, to, granularity } = parsed.data;
  const step = granularity === 'hour' ? 3600_000 : 86_400_000;
  const start = granularity === 'hour' ? hourOf(from) : new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  const t = schema.deliveryMetrics;
  const rows = await db
    .select()
    .from(t)
    .where(and(eq(t.environmentId, scope.environmentId), eq(t.organizationId, scope.organizationId), gte(t.bucket, start), lt(t.bucket, to)))
    .orderBy(asc(t.bucket));
  const points: MetricsPoint[] = [];
  const totals = { uploads: 0, transformations: 0, requests: 0, transferBytes: 0, cacheHits: 0, cacheMisses: 0 };
  let lastStorage: number | null = null;
  let i = 0;
  for (let s = start.getTime(); s < to.getTime(); s += step) {
    const p = { start: new Date(s).toISOString(), uploads: 0, transformations: 0, requests: 0, transferBytes: 0, cacheHits: 0, cacheMisses: 0 };
    while (i < rows.length && rows[i]!.bucket.getTime() < s + step) {
      const r = rows[i++]!;
      p.uploads += r.uploads;
      p.transformations += r.transformations;
      p.requests += r.requests;
      p.transferBytes += r.transferBytes;
      p.cacheHits += r.cacheHits;
      p.cacheMisses += r.cacheMisses;
      if (r.storageBytes !== null) lastStorage = r.storageBytes;
    }
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += p[k];
    const lookups = p.cacheHits + p.cacheMisses;
    points.push({ ...p, cacheHitRatio: lookups ? p.cacheHits / lookups : null, storageBytes: lastStorage });
  }
  const lookups = totals.cacheHits + totals.cacheMisses;
  return {
    environmentId: scope.environmentId,
    granularity,
    from: from.toISOString(),
    to: to.toISOString(),
    points,
    totals: { ...totals, cacheHitRatio: lookups ? totals.cacheHits / lookups : null },
  };
}
