import { schema, type Database } from '@frameport/db';
import { createTestDatabase } from '@frameport/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { signUp } from '../accounts/index.ts';
import { DeliveryCounter } from './delivery-counter.ts';

const handle = await createTestDatabase();
const { db } = handle;
afterAll(() => handle.close());

let n = 0;
async function environment() {
  const { organization, environments } = await signUp(db, { email: `counter${++n}@example.com`, password: 'long enough password' });
  return { organizationId: organization.id, environmentId: environments[0]!.id };
}
const metricsOf = async (environmentId: string) =>
  db.select().from(schema.deliveryMetrics).where(eq(schema.deliveryMetrics.environmentId, environmentId));
const deliveredBytes = async (organizationId: string) =>
  (await db.select().from(schema.usageCounters).where(eq(schema.usageCounters.organizationId, organizationId))).find((r) => r.metric === 'delivered_bytes')?.value;

describe('delivery counter', () => {
  it('adds deliveries up in memory and writes them together', async () => {
    const scope = await environment();
    const counter = new DeliveryCounter(db);
    counter.add(scope, { sizeBytes: 100, cacheHit: true });
    counter.add(scope, { sizeBytes: 200, cacheHit: true });
    counter.add(scope, { sizeBytes: 300, cacheHit: false });
    counter.add(scope, { sizeBytes: 0, cacheHit: null }); // a 304
    expect(await metricsOf(scope.environmentId)).toEqual([]);
    await counter.flush();
    expect(await metricsOf(scope.environmentId)).toEqual([
      expect.objectContaining({ requests: 4, transferBytes: 600, cacheHits: 2, cacheMisses: 1 }),
    ]);
    expect(await deliveredBytes(scope.organizationId)).toBe(600);
    await counter.close();
  });

  it('writes on its own within about a second', async () => {
    const scope = await environment();
    const counter = new DeliveryCounter(db);
    counter.add(scope, { sizeBytes: 42, cacheHit: true });
    await expect.poll(() => deliveredBytes(scope.organizationId), { timeout: 5000 }).toBe(42);
    await counter.close();
  });

  it('keeps the counts of a failed write and writes them once on the next flush', async () => {
    const scope = await environment();
    let failures = 1;
    const flaky = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'transaction' && failures-- > 0) return () => Promise.reject(new Error('connection lost'));
        return Reflect.get(target, prop, receiver);
      },
    }) as Database;
    const errors: unknown[] = [];
    const counter = new DeliveryCounter(flaky, (e) => errors.push(e));
    counter.add(scope, { sizeBytes: 10, cacheHit: true });
    await expect(counter.flush()).rejects.toThrow('connection lost');
    counter.add(scope, { sizeBytes: 5, cacheHit: false });
    await counter.flush();
    expect(await metricsOf(scope.environmentId)).toEqual([expect.objectContaining({ requests: 2, transferBytes: 15, cacheHits: 1, cacheMisses: 1 })]);
    expect(await deliveredBytes(scope.organizationId)).toBe(15);
    await counter.close();
  });
});
