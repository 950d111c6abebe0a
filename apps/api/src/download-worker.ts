import type { PGlite } from '@electric-sql/pglite';
import type { DbHandle } from '@frameport/db';
import { failDownloadJob, listUnfinishedDownloadJobs, runDownloadJob, type ImageContext } from '@frameport/platform';
import type { FastifyBaseLogger } from 'fastify';
import { PgBoss } from 'pg-boss';
import type { Sql } from 'postgres';

const QUEUE = 'download-archive';

interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * pg-boss over the app's own database connection, on both drivers, so jobs live in the same
 * database as everything else (on PGlite too). pg-boss sends multi-statement text without
 * parameters (its migrations, and BEGIN…COMMIT blocks); PGlite runs those only through `exec`,
 * and postgres.js only on a reserved connection (it refuses BEGIN on a pooled one).
 * drizzle keeps the driver's client as `$client`.
 */
function executor(database: DbHandle): SqlExecutor {
  const client = (database.db as unknown as { $client: unknown }).$client;
  if (database.kind === 'pglite') {
    const pg = client as PGlite;
    return {
      async executeSql(text, values) {
        if (values && values.length) return pg.query(text, values);
        const results = await pg.exec(text);
        return results.at(-1) ?? { rows: [] };
      },
    };
  }
  const sql = client as Sql;
  return {
    async executeSql(text, values) {
      const reserved = await sql.reserve();
      try {
        const result = await reserved.unsafe(text, (values ?? []) as never[]);
        // A multi-statement text answers one result per statement; pg-boss reads the last.
        const rows = Array.isArray(result[0]) ? (result.at(-1) as unknown[]) : (result as unknown[]);
        return { rows };
      } finally {
        reserved.release();
      }
    },
  };
}

export interface DownloadWorker {
  /** Queues a job; safe to call twice for one id. */
  enqueue(jobId: string): Promise<void>;
  /** Whether this instance runs jobs (false: jobs wait in the queue for an instance that does). */
  readonly working: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createDownloadWorker(database: DbHandle, ctx: ImageContext, log: FastifyBaseLogger, options: { work: boolean }): DownloadWorker {
  const boss = new PgBoss({ db: executor(database), schema: 'pgboss', supervise: options.work, schedule: false });
  boss.on('error', (error: Error) => log.error({ err: error }, 'job queue error'));
  let started: Promise<void> | null = null;
  const ensureStarted = () =>
    (started ??= (async () => {
      await boss.start();
      await boss.createQueue(QUEUE, { retryLimit: 3, retryDelay: 2, expireInSeconds: 15 * 60 });
    })());

  return {
    working: options.work,
    async enqueue(jobId) {
      await ensureStarted();
      await boss.send(QUEUE, { jobId }, { singletonKey: jobId });
    },
    async start() {
      await ensureStarted();
      if (!options.work) return;
      await boss.work<{ jobId: string }>(QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
        if (!job) return;
        try {
          await runDownloadJob(ctx, job.data.jobId);
        } catch (error) {
          log.error({ err: error, jobId: job.data.jobId }, 'download job failed');
          if (job.retryCount !== undefined && job.retryCount >= 3) await failDownloadJob(ctx, job.data.jobId, 'Building the archive failed. Create the download again.');
          throw error;
        }
      });
      // Jobs created while no worker ran, or whose queue entry was lost: the singleton key dedupes.
      for (const id of await listUnfinishedDownloadJobs(ctx)) await boss.send(QUEUE, { jobId: id }, { singletonKey: id });
    },
    async stop() {
      if (!started) return;
      await started.catch(() => {});
      await boss.stop({ graceful: true, timeout: 5_000, close: false });
    },
  };
}
