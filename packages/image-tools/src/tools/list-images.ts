import { listImages } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES, scopeOf } from '../define-tool.ts';
import { describeImage, imageOutput, imageShape } from '../shapes.ts';

const isoDate = z.iso.datetime({ offset: true });

export default defineTool(
  {
    name: 'list_images',
    title: 'List images',
    description:
      'Lists images of the linked Environment, newest first, with optional filters by status, purpose and creation time. ' +
      'Results come in pages: when nextCursor is not null, call again with cursor set to it for the next page. ' +
      'Use retrieve_image for one image by id and get_image_url for delivery URLs.',
    input: z.object({
      limit: z.number().int().min(1).max(100).default(25).describe('Images per page, 1–100 (default 25).'),
      cursor: z.string().max(200).optional().describe('nextCursor from the previous page.'),
      status: z.enum(['PENDING', 'PROCESSING', 'READY', 'QUARANTINE', 'FAILED']).optional().describe('Only images with this status.'),
      purpose: z.string().trim().min(1).max(100).optional().describe('Only images uploaded with this purpose.'),
      createdAfter: isoDate.optional().describe('Only images created at or after this ISO 8601 time.'),
      createdBefore: isoDate.optional().describe('Only images created before this ISO 8601 time.'),
    }),
    output: z.object({
      images: z.array(imageShape),
      nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) =>
      [
        o.images.length ? `${o.images.length} image(s):` : 'No images match.',
        ...o.images.map((i) => `- ${describeImage(i)}`),
        ...(o.nextCursor ? [`More: call list_images with cursor "${o.nextCursor}".`] : []),
      ].join('\n'),
  },
  async (args, ctx) => {
    const page = await listImages(ctx.services.images, scopeOf(ctx), args);
    return { images: page.images.map(imageOutput), nextCursor: page.nextCursor };
  },
);
