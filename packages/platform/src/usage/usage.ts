import { schema, type Database } from '@frameport/db';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { PlatformError } from '../errors.ts';
import type { OrganizationScope } from '../scope.ts';
import type { PlanLimits } from './plan.ts';

export type CounterMetric = 'uploads' | 'transformations' | 'delivered_bytes';

/** Billing period of a moment: the UTC calendar month, `YYYY-MM`. */
export function periodOf(at: Date = new Date()): string {
  return at.toISOString().slice(0, 7);
}

export async function incrementUsage(db: Database, scope: OrganizationScope, metric: CounterMetric, by = 1, at = new Date()): Promise<void> {
  if (by === 0) return;
  await db
    .insert(schema.usageCounters)
    .values({ organizationId: scope.organizationId, period: periodOf(at), metric, value: by })
    .onConflictDoUpdate({
      target: [schema.usageCounters.organizationId, schema.usageCounters.period, schema.usageCounters.metric],
      set: { value: sql`${schema.usageCounters.value} + ${by}`, updatedAt: sql`now()` },
    });
}

export interface Usage {
  period: string;
  storedBytes: number;
  imageCount: number;
  uploads: number;
  transformations: number;
  deliveredBytes: number;
  limits: PlanLimits;
}

/** Stored bytes and image count are live (images not deleted); the rest are the period's counters. */
export async function getUsage(db: Database, scope: OrganizationScope, plan: PlanLimits, at = new Date()): Promise<Usage> {
  const period = periodOf(at);
  const [stored] = await db
    .select({
      bytes: sql<string>`coalesce(sum(coalesce(${schema.images.sizeBytes}, ${schema.images.declaredSizeBytes}, 0)), 0)`,
      count: sql<string>`count(*)`,
    })
    .from(schema.images)
    .where(
      and(
        eq(schema.images.organizationId, scope.organizationId),
        isNull(schema.images.deletedAt),
        inArray(schema.images.status, ['PENDING', 'PROCESSING', 'READY']),
      ),
    );
  const counters = await db
    .select({ metric: schema.usageCounters.metric, value: schema.usageCounters.value })
    .from(schema.usageCounters)
    .where(and(eq(schema.usageCounters.organizationId, scope.organizationId), eq(schema.usageCounters.period, period)));
  const counter = (m: CounterMetric) => Number(counters.find((c) => c.metric === m)?.value ?? 0);
  return {
    period,
    storedBytes: Number(stored?.bytes ?? 0),
    imageCount: Number(stored?.count ?? 0),
    uploads: counter('uploads'),
    transformations: counter('transformations'),
    deliveredBytes: counter('delivered_bytes'),
    limits: plan,
  };
}

function exceeded(what: string, limit: number): PlatformError {
  return new PlatformError('limit_exceeded', `This organization has reached its plan limit of ${limit} ${what} and nothing was changed. Delete images or upgrade the plan.`, {
    field: what.replace(/ /g, '_'),
  });
}

/** Refuses a new upload of `bytes` when it would pass a limit. Call before writing anything. */
export async function assertCanUpload(db: Database, scope: OrganizationScope, plan: PlanLimits, bytes: number): Promise<void> {
  const usage = await getUsage(db, scope, plan);
  if (plan.maxImages !== null && usage.imageCount + 1 > plan.maxImages) throw exceeded('images', plan.maxImages);
  if (plan.maxStoredBytes !== null && usage.storedBytes + bytes > plan.maxStoredBytes) throw exceeded('stored bytes', plan.maxStoredBytes);
  if (plan.maxUploadsPerPeriod !== null && usage.uploads + 1 > plan.maxUploadsPerPeriod) throw exceeded('uploads this month', plan.maxUploadsPerPeriod);
}

async function counterValue(db: Database, scope: OrganizationScope, metric: CounterMetric): Promise<number> {
  const [row] = await db
    .select({ value: schema.usageCounters.value })
    .from(schema.usageCounters)
    .where(
      and(
        eq(schema.usageCounters.organizationId, scope.organizationId),
        eq(schema.usageCounters.period, periodOf()),
        eq(schema.usageCounters.metric, metric),
      ),
    );
  return Number(row?.value ?? 0);
}

export async function assertCanTransform(db: Database, scope: OrganizationScope, plan: PlanLimits): Promise<void> {
  if (plan.maxTransformationsPerPeriod === null) return;
  if ((await counterValue(db, scope, 'transformations')) + 1 > plan.maxTransformationsPerPeriod) {
    throw exceeded('transformations this month', plan.maxTransformationsPerPeriod);
  }
}

export async function assertCanDeliver(db: Database, scope: OrganizationScope, plan: PlanLimits): Promise<void> {
  if (plan.maxDeliveredBytesPerPeriod === null) return;
  if ((await counterValue(db, scope, 'delivered_bytes')) >= plan.maxDeliveredBytesPerPeriod) {
    throw exceeded('delivered bytes this month', plan.maxDeliveredBytesPerPeriod);
  }
}
