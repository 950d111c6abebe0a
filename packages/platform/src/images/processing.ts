import { createHash } from 'node:crypto';
import { schema } from '@frameport/db';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import sharp, { type Metadata } from 'sharp';
import { recordMetrics, recordStorageGauge } from '../metrics/metrics.ts';
import { readAll } from '../storage/object-storage.ts';
import type { ImageContext } from './context.ts';
import { detectFormat, MAX_INPUT_PIXELS, normalizeMime } from './formats.ts';
import { storageKeys, type ImageRow } from './image-view.ts';

/** A claim older than this is taken to belong to a process that died. */
export const PROCESSING_LEASE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 3;
/** How long a client has to call complete itself before recovery looks for its bytes. */
const DIRECT_UPLOAD_GRACE_MS = 30_000;

type Verdict =
  | { status: 'READY'; width: number; height: number; mimeType: string; extension: string; sizeBytes: number; sha256: string }
  | { status: 'QUARANTINE' | 'FAILED'; reason: string; sizeBytes?: number; sha256?: string };

/** Decides what the bytes are. Pure apart from sharp; never throws for bad input. */
export async function inspectImage(bytes: Buffer, declared: { mimeType: string | null; sizeBytes: number | null; sha256: string | null }): Promise<Verdict> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sizeBytes = bytes.length;
  const quarantine = (reason: string): Verdict => ({ status: 'QUARANTINE', reason, sizeBytes, sha256 });
  if (declared.sizeBytes !== null && declared.sizeBytes !== sizeBytes) {
    return quarantine(`Received ${sizeBytes} bytes but ${declared.sizeBytes} were declared.`);
  }
  if (declared.sha256 && declared.sha256.toLowerCase() !== sha256) return quarantine('The bytes do not match the declared sha256.');
  let meta: Metadata;
  try {
    // Header only, no pixel limit yet: the dimensions are what we judge next.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return quarantine('The file is not an image in a supported format.');
  }
  const format = detectFormat(meta);
  if ('refused' in format) return quarantine(format.refused);
  const width = meta.width ?? 0;
  const height = meta.pageHeight && meta.pages ? meta.pageHeight : (meta.height ?? 0);
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  // Decompression bombs: refuse from the header, before any pixel is decoded.
  if (pixels > MAX_INPUT_PIXELS) {
    return quarantine(`The image is ${width}×${meta.height} (${Math.round(pixels / 1e6)} megapixels); the limit is ${MAX_INPUT_PIXELS / 1e6} megapixels.`);
  }
  const declaredMime = normalizeMime(declared.mimeType);
  if (declaredMime && declaredMime !== format.mimeType) {
    return quarantine(`The file was declared as ${declaredMime} but is ${format.mimeType}.`);
  }
  try {
    // A full decode proves the pixel data is intact (a truncated file passes the header read).
    await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', sequentialRead: true }).stats();
  } catch {
    return quarantine('The image data is corrupt or truncated.');
  }
  return { status: 'READY', width, height, mimeType: format.mimeType, extension: format.extension, sizeBytes, sha256 };
}

/**
 * Claims a record for processing: PENDING (bytes just arrived) or a PROCESSING record whose claim
 * is older than the lease (its process died). The conditional update is the lock: only one
 * claimant gets the row back.
 */
async function claim(ctx: ImageContext, imageId: string): Promise<ImageRow | null> {
  const t = schema.images;
  const staleBefore = new Date(Date.now() - PROCESSING_LEASE_MS);
  const [row] = await ctx.db
    .update(t)
    .set({ status: 'PROCESSING', processingAttempts: sql`${t.processingAttempts} + 1`, updatedAt: new Date() })
    .where(
      and(
        eq(t.id, imageId),
        isNull(t.deletedAt),
        or(eq(t.status, 'PENDING'), and(eq(t.status, 'PROCESSING'), lt(t.updatedAt, staleBefore))),
      ),
    )
    .returning();
  return row ?? null;
}

const inFlight = new Map<string, Promise<void>>();

/**
 * Processes an image whose original bytes are in storage. Status reaches READY only after the
 * bytes were read back from storage and verified, so a crash at any point leaves a PENDING or
 * PROCESSING record (picked up again by `recoverImages`), never a READY one without bytes.
 */
export function processImage(ctx: ImageContext, imageId: string): Promise<void> {
  const running = inFlight.get(imageId);
  if (running) return running;
  const run = runProcessing(ctx, imageId).finally(() => inFlight.delete(imageId));
  inFlight.set(imageId, run);
  return run;
}

async function runProcessing(ctx: ImageContext, imageId: string): Promise<void> {
  const row = await claim(ctx, imageId);
  if (!row) return;
  const t = schema.images;
  const finish = (values: Partial<typeof t.$inferInsert>) =>
    ctx.db
      .update(t)
      .set({ ...values, updatedAt: new Date() })
      .where(and(eq(t.id, row.id), eq(t.status, 'PROCESSING')));
  let verdict: Verdict;
  try {
    const stream = await ctx.storage.get(row.storageKey);
    if (!stream) {
      verdict = { status: 'FAILED', reason: 'The uploaded bytes were not found in storage.' };
    } else {
      verdict = await inspectImage(await readAll(stream), { mimeType: row.mimeType, sizeBytes: row.declaredSizeBytes, sha256: row.declaredSha256 });
    }
  } catch (error) {
    if (row.processingAttempts < MAX_ATTEMPTS) {
      // Leave it PROCESSING: recovery retries it after the lease.
      throw error;
    }
    verdict = { status: 'FAILED', reason: 'Processing failed on our side. Upload the image again.' };
  }
  const scope = { organizationId: row.organizationId, environmentId: row.environmentId };
  if (verdict.status === 'READY') {
    await finish({
      status: 'READY',
      statusReason: null,
      width: verdict.width,
      height: verdict.height,
      mimeType: verdict.mimeType,
      extension: verdict.extension,
      sizeBytes: verdict.sizeBytes,
      sha256: verdict.sha256,
    });
    await recordStorageGauge(ctx.db, scope);
  } else {
    // Quarantined bytes stay in storage for inspection but are never delivered, downloaded or
    // counted as stored usage; deleting the image removes them.
    await finish({ status: verdict.status, statusReason: verdict.reason, sizeBytes: verdict.sizeBytes ?? null, sha256: verdict.sha256 ?? null });
  }
  await recordMetrics(ctx.db, scope, { uploads: 1 });
}

/**
 * Picks up work a restart interrupted: PROCESSING records past their lease, and PENDING records
 * whose bytes are already in storage (a crash between storing and claiming, or an S3 upload whose
 * client never called complete). PENDING uploads past their URL's expiry without bytes fail.
 * URL uploads that were mid-fetch are fetched again by `resumeUrlUpload`.
 */
export async function recoverImages(
  ctx: ImageContext,
  resumeUrlUpload: (row: ImageRow) => Promise<void>,
  options: { now?: Date; limit?: number } = {},
): Promise<{ resumed: number; failed: number }> {
  const now = options.now ?? new Date();
  const t = schema.images;
  const staleBefore = new Date(now.getTime() - PROCESSING_LEASE_MS);
  const rows = await ctx.db
    .select()
    .from(t)
    .where(
      and(
        isNull(t.deletedAt),
        or(
          and(eq(t.status, 'PROCESSING'), lt(t.updatedAt, staleBefore)),
          and(eq(t.status, 'PENDING'), lt(t.updatedAt, staleBefore)),
          and(eq(t.status, 'PENDING'), lt(t.uploadExpiresAt, now)),
          // A direct-to-S3 upload whose client never called complete: look for its bytes.
          and(eq(t.status, 'PENDING'), isNull(t.sourceUrl), isNull(t.uploadStartedAt), lt(t.createdAt, new Date(now.getTime() - DIRECT_UPLOAD_GRACE_MS))),
        ),
      ),
    )
    .limit(options.limit ?? 500);
  let resumed = 0;
  let failed = 0;
  for (const row of rows) {
    if (row.status === 'PROCESSING' && row.processingAttempts >= MAX_ATTEMPTS) {
      await ctx.db
        .update(t)
        .set({ status: 'FAILED', statusReason: 'Processing failed repeatedly. Upload the image again.', updatedAt: now })
        .where(and(eq(t.id, row.id), eq(t.status, 'PROCESSING')));
      failed++;
      continue;
    }
    if (row.status === 'PENDING' && row.sourceUrl && !(await ctx.storage.head(row.storageKey))) {
      await resumeUrlUpload(row).catch(() => {});
      resumed++;
      continue;
    }
    if (row.status === 'PROCESSING' || (await ctx.storage.head(row.storageKey))) {
      await processImage(ctx, row.id).catch(() => {});
      resumed++;
      continue;
    }
    // An upload still streaming when its URL expired gets the lease to finish.
    if (row.uploadExpiresAt && row.uploadExpiresAt < now && (!row.uploadStartedAt || row.uploadStartedAt < staleBefore)) {
      await ctx.db
        .update(t)
        .set({ status: 'FAILED', statusReason: 'The upload URL expired before the bytes arrived.', updatedAt: now })
        .where(and(eq(t.id, row.id), eq(t.status, 'PENDING')));
      failed++;
    }
  }
  return { resumed, failed };
}
