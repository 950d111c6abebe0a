import { schema } from '@frameport/db';
import { and, eq, inArray, isNotNull, isNull, lt } from 'drizzle-orm';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { ImageContext } from '../images/context.ts';
import { storageKeys } from '../images/image-view.ts';
import { signPath } from '../images/signed-urls.ts';
import type { EnvironmentScope } from '../scope.ts';

export const MAX_DOWNLOAD_IMAGES = 1000;
export const DOWNLOAD_URL_TTL_MS = 24 * 3600_000;

export type DownloadJobRow = typeof schema.downloadJobs.$inferSelect;

export interface DownloadJob {
  id: string;
  environmentId: string;
  status: 'PENDING' | 'PROCESSING' | 'READY' | 'FAILED';
  imageCount: number;
  sizeBytes: number | null;
  failureReason: string | null;
  /** Signed, expiring (24 h) URL of the zip once READY. */
  downloadUrl: string | null;
  expiresAt: string | null;
  createdAt: string;
  completedAt: string | null;
}

export const createDownloadInput = z.object({
  imageIds: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(MAX_DOWNLOAD_IMAGES, { message: `At most ${MAX_DOWNLOAD_IMAGES} images per download.` }),
});
export type CreateDownloadInput = z.input<typeof createDownloadInput>;

async function toDownloadJob(ctx: ImageContext, row: DownloadJobRow): Promise<DownloadJob> {
  let downloadUrl: string | null = null;
  const live = row.status === 'READY' && row.storageKey && row.expiresAt && row.expiresAt.getTime() > Date.now();
  if (live) {
    const expiresInSeconds = Math.floor((row.expiresAt!.getTime() - Date.now()) / 1000);
    downloadUrl =
      (await ctx.storage.presignGet(row.storageKey!, { expiresInSeconds, fileName: `frameport-${row.id}.zip` })) ??
      `${ctx.apiBaseUrl}${signPath(ctx.signingSecret, 'GET', `/downloads/${row.id}/archive`, row.expiresAt!)}`;
  }
  return {
    id: row.id,
    environmentId: row.environmentId,
    status: row.status,
    imageCount: row.imageIds.length,
    sizeBytes: row.sizeBytes,
    failureReason: row.failureReason,
    downloadUrl,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

/**
 * Creates a PENDING bulk download of up to 1000 images of this Environment. Every id must be a
 * READY image of the Environment; otherwise nothing is created and the error names the ids.
 * Queued on `ctx.downloads` when the context has a queue (`runDownloadJob` does the work).
 */
export async function createDownloadJob(ctx: ImageContext, scope: EnvironmentScope, input: CreateDownloadInput): Promise<DownloadJob> {
  const parsed = createDownloadInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PlatformError('invalid_input', `imageIds: ${issue.message}`, { field: 'imageIds' });
  }
  const ids = [...new Set(parsed.data.imageIds)];
  const found = await ctx.db
    .select({ id: schema.images.id })
    .from(schema.images)
    .where(
      and(
        eq(schema.images.organizationId, scope.organizationId),
        eq(schema.images.environmentId, scope.environmentId),
        inArray(schema.images.id, ids),
        isNull(schema.images.deletedAt),
        eq(schema.images.status, 'READY'),
      ),
    );
  const have = new Set(found.map((r) => r.id));
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length) {
    const shown = missing.slice(0, 10).join(', ');
    throw new PlatformError('invalid_input', `imageIds: not READY images of this Environment: ${shown}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}.`, {
      field: 'imageIds',
    });
  }
  const [row] = await ctx.db
    .insert(schema.downloadJobs)
    .values({ id: newId('dl'), organizationId: scope.organizationId, environmentId: scope.environmentId, status: 'PENDING', imageIds: ids })
    .returning();
  // A crash between insert and enqueue leaves a PENDING row; workers re-queue those on start.
  await ctx.downloads?.enqueue(row!.id);
  return toDownloadJob(ctx, row!);
}

export async function getDownloadJob(ctx: ImageContext, scope: EnvironmentScope, jobId: string): Promise<DownloadJob> {
  const [row] = await ctx.db
    .select()
    .from(schema.downloadJobs)
    .where(
      and(
        eq(schema.downloadJobs.id, jobId),
        eq(schema.downloadJobs.organizationId, scope.organizationId),
        eq(schema.downloadJobs.environmentId, scope.environmentId),
      ),
    );
  if (!row) throw new PlatformError('not_found', `No download ${jobId} in this Environment.`);
  return toDownloadJob(ctx, row);
}

/** Jobs a restart may have interrupted, for the worker to enqueue again (the queue dedupes). */
export async function listUnfinishedDownloadJobs(ctx: Pick<ImageContext, 'db'>): Promise<string[]> {
  const rows = await ctx.db
    .select({ id: schema.downloadJobs.id })
    .from(schema.downloadJobs)
    .where(inArray(schema.downloadJobs.status, ['PENDING', 'PROCESSING']));
  return rows.map((r) => r.id);
}

function entryName(used: Set<string>, row: { id: string; fileName: string | null; extension: string | null }): string {
  const base = (row.fileName ?? row.id).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || row.id;
  let name = base;
  for (let i = 2; used.has(name.toLowerCase()); i++) name = base.replace(/(\.[^.]*)?$/, (ext) => `-${i}${ext}`);
  used.add(name.toLowerCase());
  return name;
}

/**
 * Builds the zip: each original streamed from storage into the archive stream, which is streamed
 * into storage (never the whole archive in memory). Safe to run again: the archive key is fixed
 * and puts are atomic, so a retry after a crash overwrites a complete object or nothing.
 * Unexpected errors are rethrown for the queue to retry; expected ones mark the job FAILED.
 */
export async function runDownloadJob(ctx: ImageContext, jobId: string): Promise<void> {
  const t = schema.downloadJobs;
  const [job] = await ctx.db
    .update(t)
    .set({ status: 'PROCESSING', updatedAt: new Date() })
    .where(and(eq(t.id, jobId), inArray(t.status, ['PENDING', 'PROCESSING'])))
    .returning();
  if (!job) return;
  const images = await ctx.db
    .select()
    .from(schema.images)
    .where(
      and(
        eq(schema.images.organizationId, job.organizationId),
        eq(schema.images.environmentId, job.environmentId),
        inArray(schema.images.id, job.imageIds),
        isNull(schema.images.deletedAt),
        eq(schema.images.status, 'READY'),
      ),
    );
  if (images.length === 0) {
    await ctx.db
      .update(t)
      .set({ status: 'FAILED', failureReason: 'None of the images exists any more.', updatedAt: new Date(), completedAt: new Date() })
      .where(eq(t.id, jobId));
    return;
  }
  const present: typeof images = [];
  const missing: string[] = [];
  for (const image of images) {
    if (await ctx.storage.head(image.storageKey)) present.push(image);
    else missing.push(image.id);
  }
  const zip = new ZipFile();
  zip.on('error', (error: Error) => zip.outputStream.destroy(error));
  const key = storageKeys.archive(job);
  const stored = ctx.storage.put(key, zip.outputStream, { contentType: 'application/zip' });
  const used = new Set<string>();
  for (const image of present) {
    // Lazy: one original open at a time, however many images the archive holds.
    zip.addReadStreamLazy(entryName(used, image), { compress: false, mtime: image.createdAt }, (cb) => {
      ctx.storage.get(image.storageKey).then(
        (stream) => (stream ? cb(null, stream) : cb(new Error(`original of ${image.id} vanished from storage`))),
        (error: Error) => cb(error),
      );
    });
  }
  if (missing.length) zip.addBuffer(Buffer.from(`Missing from storage:\n${missing.join('\n')}\n`), 'MISSING.txt');
  zip.end();
  const { sizeBytes } = await stored;
  const now = new Date();
  await ctx.db
    .update(t)
    .set({ status: 'READY', storageKey: key, sizeBytes, expiresAt: new Date(now.getTime() + DOWNLOAD_URL_TTL_MS), updatedAt: now, completedAt: now })
    .where(eq(t.id, jobId));
}

/** Marks a job FAILED after the queue gave up on it. */
export async function failDownloadJob(ctx: Pick<ImageContext, 'db'>, jobId: string, reason: string): Promise<void> {
  const t = schema.downloadJobs;
  await ctx.db
    .update(t)
    .set({ status: 'FAILED', failureReason: reason, updatedAt: new Date(), completedAt: new Date() })
    .where(and(eq(t.id, jobId), inArray(t.status, ['PENDING', 'PROCESSING'])));
}

/** For the local archive route: the job's archive key when READY and not expired. */
export async function findArchive(ctx: Pick<ImageContext, 'db'>, jobId: string): Promise<DownloadJobRow | null> {
  const [row] = await ctx.db.select().from(schema.downloadJobs).where(eq(schema.downloadJobs.id, jobId));
  if (!row || row.status !== 'READY' || !row.storageKey || !row.expiresAt || row.expiresAt.getTime() < Date.now()) return null;
  return row;
}

/** Deletes archives whose download URL has expired; the job stays, without a URL. */
export async function purgeExpiredArchives(ctx: Pick<ImageContext, 'db' | 'storage'>, now = new Date()): Promise<number> {
  const t = schema.downloadJobs;
  const rows = await ctx.db
    .select({ id: t.id, storageKey: t.storageKey })
    .from(t)
    .where(and(eq(t.status, 'READY'), isNotNull(t.storageKey), lt(t.expiresAt, now)))
    .limit(500);
  for (const row of rows) {
    await ctx.storage.delete(row.storageKey!);
    await ctx.db.update(t).set({ storageKey: null, updatedAt: now }).where(eq(t.id, row.id));
  }
  return rows.length;
}
