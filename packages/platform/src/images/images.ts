import { createHash } from 'node:crypto';
import { schema } from '@frameport/db';
import { and, desc, eq, gte, inArray, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { isUniqueViolation, PlatformError } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordStorageGauge } from '../metrics/metrics.ts';
import { safeFetch } from '../net/safe-fetch.ts';
import type { EnvironmentScope } from '../scope.ts';
import type { StorageBody } from '../storage/object-storage.ts';
import { assertCanUpload, incrementUsage } from '../usage/usage.ts';
import type { ImageContext } from './context.ts';
import { normalizeMime } from './formats.ts';
import { storageKeys, toImage, type Image, type ImageRow, type ImageStatus } from './image-view.ts';
import { processImage } from './processing.ts';
import { signPath } from './signed-urls.ts';

export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const UPLOAD_URL_TTL_MS = 15 * 60_000;

const metadataSchema = z
  .record(z.string().min(1).max(64), z.union([z.string().max(1024), z.number().finite(), z.boolean()]))
  .refine((m) => Object.keys(m).length <= 50, { message: 'At most 50 metadata keys.' });

const commonFields = {
  idempotencyKey: z.string().trim().min(1).max(255).optional(),
  purpose: z.string().trim().min(1).max(100).optional(),
  metadata: metadataSchema.optional(),
};

export const createUploadInput = z.object({
  fileName: z.string().trim().min(1).max(255),
  mimeType: z
    .string()
    .regex(/^image\/[a-z0-9.+-]+$/i, 'must be an image/* media type')
    .optional(),
  contentLength: z.number().int().min(1),
  sha256: z
    .string()
    .regex(/^[a-f0-9]{64}$/i, 'must be 64 hex characters')
    .optional(),
  ...commonFields,
});
export type CreateUploadInput = z.input<typeof createUploadInput>;

export const uploadFromUrlInput = z.object({
  url: z.string().min(1).max(4096),
  fileName: z.string().trim().min(1).max(255).optional(),
  ...commonFields,
});
export type UploadFromUrlInput = z.input<typeof uploadFromUrlInput>;

export interface UploadTarget {
  method: 'PUT';
  url: string;
  /** Headers the PUT must carry. */
  headers: Record<string, string>;
  expiresAt: string;
}

export interface CreatedUpload {
  image: Image;
  /** Null when an idempotent retry finds the upload already used or finished. */
  upload: UploadTarget | null;
  /** True when the idempotency key matched an existing image. */
  existing: boolean;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.') || 'input';
  throw new PlatformError('invalid_input', `${field}: ${issue.message}`, { field });
}

const inScope = (scope: EnvironmentScope) =>
  and(eq(schema.images.organizationId, scope.organizationId), eq(schema.images.environmentId, scope.environmentId));

async function findByIdempotencyKey(ctx: ImageContext, scope: EnvironmentScope, key: string): Promise<ImageRow | undefined> {
  const [row] = await ctx.db
    .select()
    .from(schema.images)
    .where(and(inScope(scope), eq(schema.images.idempotencyKey, key)));
  return row;
}

async function uploadTarget(ctx: ImageContext, row: ImageRow): Promise<UploadTarget | null> {
  if (row.status !== 'PENDING' || row.uploadStartedAt || row.sourceUrl || !row.uploadExpiresAt || row.uploadExpiresAt.getTime() <= Date.now()) return null;
  const contentType = row.mimeType ?? 'application/octet-stream';
  const expiresInSeconds = Math.floor((row.uploadExpiresAt.getTime() - Date.now()) / 1000);
  const presigned = await ctx.storage.presignPut(row.storageKey, { contentType, expiresInSeconds });
  const url = presigned ?? `${ctx.apiBaseUrl}${signPath(ctx.signingSecret, 'PUT', `/uploads/${row.id}`, row.uploadExpiresAt)}`;
  return { method: 'PUT', url, headers: { 'content-type': contentType }, expiresAt: row.uploadExpiresAt.toISOString() };
}

/**
 * Standard upload, step 1: the record (PENDING) and a single-use PUT target that expires in 15
 * minutes. The same idempotency key in the same Environment returns the existing record.
 * `maxBytes` narrows the 100 MiB cap (a Client Key's `maximum_upload_bytes`).
 */
export async function createUpload(ctx: ImageContext, scope: EnvironmentScope, input: CreateUploadInput, options: { maxBytes?: number } = {}): Promise<CreatedUpload> {
  const data = parse(createUploadInput, input);
  const maxBytes = Math.min(options.maxBytes ?? MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES);
  if (data.idempotencyKey) {
    const existing = await findByIdempotencyKey(ctx, scope, data.idempotencyKey);
    if (existing) return { image: toImage(existing, ctx.cdnBaseUrl), upload: await uploadTarget(ctx, existing), existing: true };
  }
  if (data.contentLength > maxBytes) {
    throw new PlatformError('invalid_input', `contentLength: ${data.contentLength} bytes is over the upload limit of ${maxBytes} bytes.`, { field: 'contentLength' });
  }
  await assertCanUpload(ctx.db, scope, ctx.plan, data.contentLength);
  const id = newId('img');
  let row: ImageRow;
  try {
    [row] = (await ctx.db
      .insert(schema.images)
      .values({
        id,
        organizationId: scope.organizationId,
        environmentId: scope.environmentId,
        status: 'PENDING',
        fileName: data.fileName,
        mimeType: normalizeMime(data.mimeType),
        extension: extensionOf(data.fileName),
        declaredSizeBytes: data.contentLength,
        declaredSha256: data.sha256?.toLowerCase() ?? null,
        idempotencyKey: data.idempotencyKey ?? null,
        purpose: data.purpose ?? null,
        customMetadata: data.metadata ?? {},
        storageKey: storageKeys.original({ ...scope, id }),
        uploadExpiresAt: new Date(Date.now() + UPLOAD_URL_TTL_MS),
      })
      .returning()) as [ImageRow];
  } catch (error) {
    // Two requests with one idempotency key raced; the loser returns the winner's record.
    if (data.idempotencyKey && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(ctx, scope, data.idempotencyKey);
      if (existing) return { image: toImage(existing, ctx.cdnBaseUrl), upload: await uploadTarget(ctx, existing), existing: true };
    }
    throw error;
  }
  await incrementUsage(ctx.db, scope, 'uploads');
  return { image: toImage(row, ctx.cdnBaseUrl), upload: await uploadTarget(ctx, row), existing: false };
}

function extensionOf(fileName: string | undefined): string | null {
  const m = fileName && /\.([a-z0-9]{1,10})$/i.exec(fileName);
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * Standard upload, step 2 (local storage): the bytes of a signed PUT. The first use claims the
 * URL (single use); the body may not exceed the declared length. Processing runs before this
 * resolves, so the caller gets the final status. The signature is checked by the HTTP layer.
 */
export async function receiveUpload(ctx: ImageContext, imageId: string, body: AsyncIterable<Buffer>): Promise<Image> {
  const t = schema.images;
  const [row] = await ctx.db
    .update(t)
    .set({ uploadStartedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(t.id, imageId), eq(t.status, 'PENDING'), isNull(t.uploadStartedAt), isNull(t.sourceUrl), isNull(t.deletedAt)))
    .returning();
  if (!row) throw new PlatformError('conflict', 'This upload URL has already been used.');
  const limit = row.declaredSizeBytes ?? MAX_UPLOAD_BYTES;
  async function* capped(): AsyncGenerator<Buffer> {
    let total = 0;
    for await (const chunk of body) {
      total += chunk.length;
      if (total > limit) throw new PlatformError('invalid_input', `The body is larger than the declared ${limit} bytes.`, { field: 'contentLength' });
      yield chunk;
    }
  }
  try {
    await ctx.storage.put(row.storageKey, capped() as StorageBody, { contentType: row.mimeType ?? 'application/octet-stream' });
  } catch (error) {
    // Nothing was stored (puts are atomic): give the URL back so the client can retry it.
    await ctx.db
      .update(t)
      .set({ uploadStartedAt: null })
      .where(and(eq(t.id, row.id), eq(t.status, 'PENDING')));
    throw error;
  }
  await processImage(ctx, row.id);
  return getImageRow(ctx, row).then((r) => toImage(r, ctx.cdnBaseUrl));
}

async function getImageRow(ctx: ImageContext, ref: { id: string; organizationId: string; environmentId: string }): Promise<ImageRow> {
  const [row] = await ctx.db
    .select()
    .from(schema.images)
    .where(and(eq(schema.images.id, ref.id), inScope(ref)));
  if (!row) throw new PlatformError('not_found', `No image ${ref.id} in this Environment.`);
  return row;
}

/**
 * Standard upload, step 2 (S3): the client PUT the bytes straight to the bucket and says so; the
 * object must be there. Idempotent: a finished image is returned as it is.
 */
export async function completeUpload(ctx: ImageContext, scope: EnvironmentScope, imageId: string): Promise<Image> {
  const row = await getImageRow(ctx, { ...scope, id: imageId });
  if (row.status === 'PENDING') {
    if (!(await ctx.storage.head(row.storageKey))) {
      throw new PlatformError('conflict', 'No bytes have been uploaded for this image yet. PUT the file to the upload URL first.');
    }
    await processImage(ctx, row.id);
  }
  return toImage(await getImageRow(ctx, row), ctx.cdnBaseUrl);
}

/**
 * Upload via URL: fetched through the SSRF guard (see net/safe-fetch.ts), stored, processed;
 * resolves with the final record. A refused or failed fetch marks the record FAILED with the
 * reason and throws the expected error.
 */
export async function uploadFromUrl(ctx: ImageContext, scope: EnvironmentScope, input: UploadFromUrlInput): Promise<CreatedUpload> {
  const data = parse(uploadFromUrlInput, input);
  if (data.idempotencyKey) {
    const existing = await findByIdempotencyKey(ctx, scope, data.idempotencyKey);
    if (existing) return { image: toImage(existing, ctx.cdnBaseUrl), upload: null, existing: true };
  }
  let url: URL;
  try {
    url = new URL(data.url);
  } catch {
    throw new PlatformError('invalid_input', 'url: not a valid absolute URL.', { field: 'url' });
  }
  await assertCanUpload(ctx.db, scope, ctx.plan, 0);
  const id = newId('img');
  const fileName = data.fileName ?? (decodeURIComponent(url.pathname.split('/').pop() || '') || 'image');
  let row: ImageRow;
  try {
    [row] = (await ctx.db
      .insert(schema.images)
      .values({
        id,
        organizationId: scope.organizationId,
        environmentId: scope.environmentId,
        status: 'PENDING',
        fileName,
        extension: extensionOf(fileName),
        idempotencyKey: data.idempotencyKey ?? null,
        purpose: data.purpose ?? null,
        customMetadata: data.metadata ?? {},
        storageKey: storageKeys.original({ ...scope, id }),
        sourceUrl: url.toString(),
      })
      .returning()) as [ImageRow];
  } catch (error) {
    if (data.idempotencyKey && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(ctx, scope, data.idempotencyKey);
      if (existing) return { image: toImage(existing, ctx.cdnBaseUrl), upload: null, existing: true };
    }
    throw error;
  }
  await incrementUsage(ctx.db, scope, 'uploads');
  await fetchAndProcess(ctx, row);
  return { image: toImage(await getImageRow(ctx, row), ctx.cdnBaseUrl), upload: null, existing: false };
}

/** The fetch half of an upload via URL; also what recovery re-runs after a restart. */
export async function fetchAndProcess(ctx: ImageContext, row: ImageRow): Promise<void> {
  const t = schema.images;
  try {
    const response = await safeFetch(row.sourceUrl!, { allowCidrs: ctx.fetchPolicy?.allowCidrs ?? [], maxBytes: MAX_UPLOAD_BYTES, timeoutMs: ctx.fetchTimeoutMs ?? 30_000 });
    if (response.status < 200 || response.status > 299) {
      response.cancel();
      throw new PlatformError('invalid_input', `url: the server answered HTTP ${response.status}.`, { field: 'url' });
    }
    await ctx.storage.put(row.storageKey, response.body, { contentType: 'application/octet-stream' });
  } catch (error) {
    if (error instanceof PlatformError) {
      await ctx.db
        .update(t)
        .set({ status: 'FAILED', statusReason: error.message, updatedAt: new Date() })
        .where(and(eq(t.id, row.id), eq(t.status, 'PENDING')));
    }
    throw error;
  }
  await processImage(ctx, row.id);
}

export async function getImage(ctx: Pick<ImageContext, 'db' | 'cdnBaseUrl'>, scope: EnvironmentScope, imageId: string): Promise<Image> {
  const [row] = await ctx.db
    .select()
    .from(schema.images)
    .where(and(eq(schema.images.id, imageId), inScope(scope), isNull(schema.images.deletedAt)));
  if (!row) throw new PlatformError('not_found', `No image ${imageId} in this Environment.`);
  return toImage(row, ctx.cdnBaseUrl);
}

export const listImagesInput = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
  status: z.enum(['PENDING', 'PROCESSING', 'READY', 'QUARANTINE', 'FAILED']).optional(),
  purpose: z.string().trim().min(1).max(100).optional(),
  createdAfter: z.coerce.date().optional(),
  createdBefore: z.coerce.date().optional(),
});
export type ListImagesInput = z.input<typeof listImagesInput>;

export interface ImagePage {
  images: Image[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');
}
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) throw new PlatformError('invalid_input', 'cursor: not a cursor this API returned.', { field: 'cursor' });
  return { createdAt, id };
}

/** Newest first, keyset pagination on (created_at, id): stable under concurrent inserts. */
export async function listImages(ctx: Pick<ImageContext, 'db' | 'cdnBaseUrl'>, scope: EnvironmentScope, input: ListImagesInput = {}): Promise<ImagePage> {
  const { limit, cursor, status, purpose, createdAfter, createdBefore } = parse(listImagesInput, input);
  const t = schema.images;
  const after = cursor ? decodeCursor(cursor) : null;
  const rows = await ctx.db
    .select()
    .from(t)
    .where(
      and(
        inScope(scope),
        isNull(t.deletedAt),
        status ? eq(t.status, status as ImageStatus) : undefined,
        purpose ? eq(t.purpose, purpose) : undefined,
        createdAfter ? gte(t.createdAt, createdAfter) : undefined,
        createdBefore ? lt(t.createdAt, createdBefore) : undefined,
        after ? or(lt(t.createdAt, after.createdAt), and(eq(t.createdAt, after.createdAt), lt(t.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(t.createdAt), desc(t.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { images: page.map((r) => toImage(r, ctx.cdnBaseUrl)), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null };
}

/** Soft-deletes the record (kept for audit) and removes its bytes and variants. */
export async function deleteImage(ctx: ImageContext, scope: EnvironmentScope, imageId: string): Promise<Image> {
  const t = schema.images;
  const [row] = await ctx.db
    .update(t)
    .set({ deletedAt: new Date(), updatedAt: new Date() })
    .where(and(eq(t.id, imageId), inScope(scope), isNull(t.deletedAt)))
    .returning();
  if (!row) throw new PlatformError('not_found', `No image ${imageId} in this Environment.`);
  await ctx.storage.delete(row.storageKey);
  await ctx.storage.deletePrefix(storageKeys.variantPrefix(row));
  await recordStorageGauge(ctx.db, scope);
  return toImage(row, ctx.cdnBaseUrl);
}

/** Images of one Environment by id, READY and not deleted; ids not found are reported. */
export async function getReadyImages(ctx: Pick<ImageContext, 'db'>, scope: EnvironmentScope, ids: string[]): Promise<{ rows: ImageRow[]; missing: string[] }> {
  const rows = ids.length
    ? await ctx.db
        .select()
        .from(schema.images)
        .where(and(inScope(scope), inArray(schema.images.id, ids), isNull(schema.images.deletedAt), eq(schema.images.status, 'READY')))
    : [];
  const found = new Set(rows.map((r) => r.id));
  return { rows, missing: ids.filter((id) => !found.has(id)) };
}

/** sha256 helper for callers that want to declare it. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Resolves when the image leaves PENDING/PROCESSING, or with its current state after `timeoutMs`
 * (for callers that want to wait, e.g. the `retrieve_image` tool). `onProgress` hears each poll.
 */
export async function waitForImage(
  ctx: Pick<ImageContext, 'db' | 'cdnBaseUrl'>,
  scope: EnvironmentScope,
  imageId: string,
  options: { timeoutMs?: number; intervalMs?: number; onProgress?: (image: Image, elapsedMs: number) => void | Promise<void>; signal?: AbortSignal } = {},
): Promise<Image> {
  const started = Date.now();
  const timeoutMs = Math.min(options.timeoutMs ?? 30_000, 120_000);
  for (;;) {
    const image = await getImage(ctx, scope, imageId);
    const elapsed = Date.now() - started;
    if ((image.status !== 'PENDING' && image.status !== 'PROCESSING') || elapsed >= timeoutMs || options.signal?.aborted) return image;
    await options.onProgress?.(image, elapsed);
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 250, timeoutMs - elapsed)));
  }
}
