import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { schema } from '@frameport/db';
import { and, eq, isNull } from 'drizzle-orm';
import sharp from 'sharp';
import { PlatformError } from '../errors.ts';
import type { ImageContext } from '../images/context.ts';
import { MAX_INPUT_PIXELS } from '../images/formats.ts';
import { storageKeys, type ImageRow } from '../images/image-view.ts';
import { recordMetrics } from '../metrics/metrics.ts';
import type { EnvironmentScope } from '../scope.ts';
import { readAll } from '../storage/object-storage.ts';
import { assertCanDeliver, assertCanTransform, incrementUsage } from '../usage/usage.ts';
import { OUTPUT_FORMATS, parseTransformRequest, resolveVariant, type OutputFormat, type ResolvedVariant } from './transform-spec.ts';

export interface Delivery {
  body: Readable;
  contentType: string;
  sizeBytes: number;
  etag: string;
  cacheControl: string;
  /** `Accept` when the format was negotiated. */
  vary: string | null;
  /** True when served from storage without rendering. */
  cacheHit: boolean;
}

const MIME: Record<OutputFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', avif: 'image/avif', gif: 'image/gif' };

function originalFormat(row: ImageRow): OutputFormat | null {
  const f = row.mimeType?.replace('image/', '') as OutputFormat | undefined;
  return f && (OUTPUT_FORMATS as readonly string[]).includes(f) ? f : null;
}

async function findReady(ctx: ImageContext, scope: EnvironmentScope, imageId: string): Promise<ImageRow> {
  const [row] = await ctx.db
    .select()
    .from(schema.images)
    .where(
      and(
        eq(schema.images.id, imageId),
        eq(schema.images.organizationId, scope.organizationId),
        eq(schema.images.environmentId, scope.environmentId),
        eq(schema.images.status, 'READY'),
        isNull(schema.images.deletedAt),
      ),
    );
  if (!row) throw new PlatformError('not_found', 'No such image.');
  return row;
}

/**
 * Renders are single-flight per process: concurrent first requests for one variant share one
 * render. Across processes two renders of the same variant may race; both write identical bytes
 * to the same key (puts are atomic), so the only cost is the duplicate work.
 */
const renders = new Map<string, Promise<{ sizeBytes: number; rendered: boolean }>>();

async function render(ctx: ImageContext, row: ImageRow, variant: ResolvedVariant, key: string): Promise<number> {
  const original = await ctx.storage.get(row.storageKey);
  if (!original) throw new Error(`original bytes missing for ${row.id}`);
  const input = await readAll(original);
  const animated = variant.format === 'gif' || variant.format === 'webp';
  let pipeline = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, animated }).rotate();
  if (variant.width !== undefined || variant.height !== undefined) {
    pipeline = pipeline.resize({ width: variant.width, height: variant.height, fit: variant.fit, withoutEnlargement: true });
  }
  const output = await pipeline.toFormat(variant.format, variant.format === 'png' || variant.format === 'gif' ? {} : { quality: variant.quality }).toBuffer();
  await ctx.storage.put(key, output, { contentType: MIME[variant.format] });
  const scope = { organizationId: row.organizationId, environmentId: row.environmentId };
  await incrementUsage(ctx.db, scope, 'transformations');
  await recordMetrics(ctx.db, scope, { transformations: 1 });
  return output.length;
}

export interface DeliverRequest {
  organizationId: string;
  environmentId: string;
  /** `{imageId}` or `{imageId}@{preset}`. */
  imageRef: string;
  /** The raw query string, without `?`. */
  query: string;
  accept?: string;
}

/**
 * The CDN: parses the request to one canonical variant, serves it from storage, rendering it the
 * first time. Throws invalid_input (400, parameter named) before any lookup, not_found for
 * anything not READY in that Environment.
 */
export async function deliverImage(ctx: ImageContext, request: DeliverRequest): Promise<Delivery> {
  const { imageId, options } = parseTransformRequest(request.imageRef, request.query);
  const scope = { organizationId: request.organizationId, environmentId: request.environmentId };
  const row = await findReady(ctx, scope, imageId);
  await assertCanDeliver(ctx.db, scope, ctx.plan);
  const variant = resolveVariant(options, originalFormat(row), request.accept);
  // Fixed URLs never change meaning (a new upload is a new id): cache forever. Negotiated ones
  // vary by Accept (RFC 9110 §12.5.5) and get a shorter life.
  const cacheControl = variant.negotiated ? 'public, max-age=86400' : 'public, max-age=31536000, immutable';
  const vary = variant.negotiated ? 'Accept' : null;
  const etag = `"${createHash('sha256').update(`${row.sha256}:${variant.original ? 'original' : variant.key}`).digest('base64url').slice(0, 32)}"`;

  if (variant.original) {
    const body = await ctx.storage.get(row.storageKey);
    if (!body) throw new Error(`original bytes missing for ${row.id}`);
    return { body, contentType: row.mimeType ?? 'application/octet-stream', sizeBytes: row.sizeBytes ?? 0, etag, cacheControl, vary, cacheHit: true };
  }
  const key = storageKeys.variant(row, variant.key);
  let cacheHit = true;
  let head = await ctx.storage.head(key);
  if (!head) {
    // Look up and register in the same tick, so every concurrent request finds the one render.
    let pending = renders.get(key);
    if (!pending) {
      pending = (async () => {
        // A render that finished between our head() and now must not run again.
        const done = await ctx.storage.head(key);
        if (done) return { sizeBytes: done.sizeBytes, rendered: false };
        await assertCanTransform(ctx.db, scope, ctx.plan);
        return { sizeBytes: await render(ctx, row, variant, key), rendered: true };
      })().finally(() => renders.delete(key));
      renders.set(key, pending);
      cacheHit = !(await pending).rendered;
    }
    head = { sizeBytes: (await pending).sizeBytes };
  }
  const body = await ctx.storage.get(key);
  if (!body) throw new Error(`variant ${key} vanished`);
  return { body, contentType: MIME[variant.format], sizeBytes: head.sizeBytes, etag, cacheControl, vary, cacheHit };
}

/** Counts a delivered response (request, bytes, hit or miss) for metrics and usage (written within a second). */
export function recordDelivery(ctx: Pick<ImageContext, 'deliveries'>, scope: EnvironmentScope, d: { sizeBytes: number; cacheHit: boolean | null }): void {
  ctx.deliveries.add(scope, d);
}
