import type { Database } from '@frameport/db';
import { PgBoss } from 'pg-boss';
import type { ImageContext } from '../images/context.ts';
import { failDownloadJob, listUnfinishedDownloadJobs, runDownloadJob } from './downloads.ts';

const QUEUE = 'download-archive';
const RETRIES = 3;

interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

interface PgliteLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(text: string): Promise<{ rows: unknown[] }[]>;
}
interface PostgresJsLike {
  reserve(): Promise<{ unsafe(text: string, values?: unknown[]): Promise<unknown[]>; release(): void }>;
}

/**
 * pg-boss over the app's own database connection, on both drivers, so jobs live in the same
 * database as everything else (on PGlite too). pg-boss sends multi-statement text without
 * parameters (its migrations, and BEGIN…COMMIT blocks); PGlite runs those only through `exec`,
 * and postgres.js only on a reserved connection (it refuses BEGIN on a pooled one). drizzle keeps
 * the driver's client as `$client`.
 */
export function executor(db: Database): SqlExecutor {
  const client = (db as unknown as { $client: PgliteLike | PostgresJsLike }).$client;
  if ('exec' in client) {
    return {
      async executeSql(text, values) {
        if (values && values.length) return client.query(text, values);
        try {
          return (await client.exec(text)).at(-1) ?? { rows: [] };
        } catch (error) {
          // PGlite has one session: an aborted BEGIN…COMMIT would leave every later query failing.
          await client.exec('ROLLBACK').catch(() => {});
          throw error;
        }
      },
    };
  }
  return {
    async executeSql(text, values) {
      const reserved = await client.reserve();
      try {
        const result = await reserved.unsafe(text, values ?? []);
        // A multi-statement text answers one result per statement; pg-boss reads the last.
        return { rows: Array.isArray(result[0]) ? (result.at(-1) as unknown[]) : result };
      } catch (error) {
        // A BEGIN…COMMIT text that failed halfway leaves its transaction open and aborted (25P02
        // for whoever gets the connection next). ROLLBACK outside a transaction only warns.
        await reserved.unsafe('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        reserved.release();
      }
    },
  };
}

export interface DownloadQueue {
  /** Queues a job; a second call for a queued or running job is a no-op (`exclusive` policy per job id). */
  enqueue(jobId: string): Promise<void>;
  /** Runs jobs in this process until `stop()`, after re-queueing every unfinished one. */
  work(ctx: ImageContext): Promise<void>;
  stop(): Promise<void>;
}

export interface QueueLogger {
  error(object: unknown, message: string): void;
}

/**
 * The bulk-download job queue (pg-boss 12, schema `pgboss`). Any app may enqueue; instances that
 * call `work` build archives. Jobs survive restarts: they are rows in the database, and a job
 * whose worker died is retried by pg-boss after it expires (15 min) up to 3 times.
 */
export function createDownloadQueue(db: Database, log: QueueLogger, options: { maintenance?: boolean } = {}): DownloadQueue {
  const boss = new PgBoss({ db: executor(db), schema: 'pgboss', supervise: options.maintenance ?? true, schedule: false });
  boss.on('error', (error: Error) => log.error({ err: error }, 'job queue error'));
  let started: Promise<void> | null = null;
  const ready = () =>
    (started ??= (async () => {
      await boss.start();
      await boss.createQueue(QUEUE, { policy: 'exclusive', retryLimit: RETRIES, retryDelay: 2, expireInSeconds: 15 * 60 });
    })());
  const send = async (jobId: string) => {
    await boss.send(QUEUE, { jobId }, { singletonKey: jobId });
  };
  return {
    async enqueue(jobId) {
      await ready();
      await send(jobId);
    },
    async work(ctx) {
      await ready();
      await boss.work<{ jobId: string }>(QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1, includeMetadata: true }, async ([job]) => {
        if (!job) return;
        try {
          await runDownloadJob(ctx, job.data.jobId);
        } catch (error) {
          log.error({ err: error, jobId: job.data.jobId }, 'download job failed');
          if ((job as { retryCount?: number }).retryCount! >= RETRIES) {
            await failDownloadJob(ctx, job.data.jobId, 'Building the archive failed. Create the download again.');
          }
          throw error;
        }
      });
      // Jobs created while no worker ran, or whose queue entry was lost.
      for (const id of await listUnfinishedDownloadJobs(ctx)) await send(id);
    },
    async stop() {
      if (!started) return;
      await started.catch(() => {});
      await boss.stop({ graceful: true, timeout: 5_000, close: false });
    },
  };
}
