import type { Database } from '@frameport/db';
import type { DeliveryCounter } from '../metrics/delivery-counter.ts';
import type { AddressPolicy } from '../net/address-policy.ts';
import type { ObjectStorage } from '../storage/object-storage.ts';
import type { PlanLimits } from '../usage/plan.ts';

/**
 * What the image functions need besides a scope: the database, object storage and the few
 * deployment facts that shape URLs and limits. Built once by the app that hosts them.
 */
export interface ImageContext {
  db: Database;
  storage: ObjectStorage;
  /** e.g. `http://localhost:4002/cdn`. */
  cdnBaseUrl: string;
  /** Origin of the API that serves the HMAC-signed upload and download targets (local storage). */
  apiBaseUrl: string;
  /** Key for the HMAC of upload and download URLs; shared by every API instance. */
  signingSecret: string;
  plan: PlanLimits;
  /** Write-behind counts of CDN deliveries; the hosting app closes it (flushes) on shutdown. */
  deliveries: DeliveryCounter;
  /** Extra addresses the URL fetcher may reach (tests only; empty in production). */
  fetchPolicy?: AddressPolicy;
  /** Lets tests shorten the 30 s fetch deadline. */
  fetchTimeoutMs?: number;
  /** Where `createDownloadJob` queues its jobs (any app may enqueue; apps/api works them). */
  downloads?: { enqueue(jobId: string): Promise<void> };
}
