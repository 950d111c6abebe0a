import { getImage, waitForImage } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';
import { describeImage, imageOutput, imageShape, progressReporter, waitFields } from '../shapes.ts';

const settled = (status: string) => status !== 'PENDING' && status !== 'PROCESSING';

export default defineTool(
  {
    name: 'retrieve_image',
    title: 'Retrieve an image',
    description:
      'Returns one image of the linked Environment by id: status, dimensions, size, metadata and the CDN URL of the original once READY. ' +
      'After upload_image (and the PUT) or upload_image_via_url, call it with waitUntilReady: true to wait until processing finishes; ' +
      'if timedOut is true, call it again. READY means deliverable (use get_image_url); QUARANTINE or FAILED give the reason in statusReason.',
    input: z.object({
      imageId: z.string().trim().min(1).max(100).describe('The image id (img_…).'),
      ...waitFields,
    }),
    output: z.object({
      image: imageShape,
      timedOut: z.boolean().describe('True when waitUntilReady was asked and the image was still PENDING or PROCESSING at the timeout.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) => `${describeImage(o.image)}${o.timedOut ? ' — still processing; call retrieve_image again with waitUntilReady.' : ''}`,
  },
  async (args, ctx) => {
    const scope = scopeOf(ctx);
    if (!args.waitUntilReady) return { image: imageOutput(await getImage(ctx.services.images, scope, args.imageId)), timedOut: false };
    const timeoutMs = args.timeoutSeconds * 1000;
    const progress = progressReporter(ctx.reportProgress, timeoutMs);
    const image = await waitForImage(ctx.services.images, scope, args.imageId, {
      timeoutMs,
      signal: ctx.signal,
      onProgress: (current, elapsedMs) => progress(elapsedMs, `Image ${current.id} is ${current.status}.`),
    });
    return { image: imageOutput(image), timedOut: !settled(image.status) };
  },
);
