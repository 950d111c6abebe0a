import type { DownloadJob, Image } from '@frameport/platform';
import { z } from 'zod';

/**
 * Output shapes shared by several tools. What a model sees of an image or a download: no
 * organization ids, storage keys or idempotency keys it has no use for.
 */
export const imageShape = z.object({
  id: z.string().describe('Image id (img_…).'),
  environmentId: z.string(),
  status: z.enum(['PENDING', 'PROCESSING', 'READY', 'QUARANTINE', 'FAILED']).describe('READY images can be delivered; QUARANTINE and FAILED never will be.'),
  statusReason: z.string().nullable().describe('Why the image is QUARANTINE or FAILED.'),
  fileName: z.string().nullable(),
  mimeType: z.string().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  purpose: z.string().nullable(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  sourceUrl: z.string().nullable(),
  url: z.string().nullable().describe('CDN URL of the original once READY; use get_image_url for resized or converted variants.'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ImageOutput = z.output<typeof imageShape>;

export function imageOutput(image: Image): ImageOutput {
  return {
    id: image.id,
    environmentId: image.environmentId,
    status: image.status,
    statusReason: image.statusReason,
    fileName: image.fileName,
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    sizeBytes: image.sizeBytes,
    sha256: image.sha256,
    purpose: image.purpose,
    metadata: image.metadata,
    sourceUrl: image.sourceUrl,
    url: image.url,
    createdAt: image.createdAt,
    updatedAt: image.updatedAt,
  };
}

/** One line about an image for the text rendering. */
export function describeImage(image: ImageOutput): string {
  const size = image.width && image.height ? ` ${image.width}×${image.height}` : '';
  const reason = image.statusReason ? ` (${image.statusReason})` : '';
  return `${image.id} ${image.fileName ?? ''}${size} ${image.status}${reason}${image.url ? ` ${image.url}` : ''}`.replace(/\s+/g, ' ').trim();
}

export const downloadShape = z.object({
  id: z.string().describe('Download id (dl_…).'),
  environmentId: z.string(),
  status: z.enum(['PENDING', 'PROCESSING', 'READY', 'FAILED']),
  imageCount: z.number(),
  sizeBytes: z.number().nullable(),
  failureReason: z.string().nullable(),
  downloadUrl: z.string().nullable().describe('Signed URL of the zip archive once READY; valid until expiresAt.'),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type DownloadOutput = z.output<typeof downloadShape>;

export function downloadOutput(job: DownloadJob): DownloadOutput {
  return { ...job };
}

export function describeDownload(d: DownloadOutput): string {
  if (d.status === 'READY') return `Download ${d.id} is READY (${d.imageCount} images, ${d.sizeBytes} bytes): ${d.downloadUrl} (expires ${d.expiresAt}).`;
  if (d.status === 'FAILED') return `Download ${d.id} FAILED: ${d.failureReason}.`;
  return `Download ${d.id} is ${d.status} (${d.imageCount} images). Call retrieve_bulk_image_download with waitUntilReady until it is READY.`;
}

/** Bounded waits: a tool call never holds a request longer than this. */
export const waitFields = {
  waitUntilReady: z
    .boolean()
    .default(false)
    .describe('Wait until processing has finished (or the timeout passes) instead of answering at once.'),
  timeoutSeconds: z.number().int().min(1).max(60).default(30).describe('Longest wait with waitUntilReady, 1–60 seconds (default 30).'),
};

/**
 * notifications/progress for a bounded wait (MCP basic/utilities/progress): elapsed time against
 * the deadline, at most once a second however often the caller polls.
 */
export function progressReporter(report: (progress: number, total?: number, message?: string) => Promise<void>, totalMs: number) {
  let last = -Infinity;
  return async (elapsedMs: number, message: string) => {
    if (elapsedMs - last < 1000) return;
    last = elapsedMs;
    await report(elapsedMs, totalMs, message);
  };
}
