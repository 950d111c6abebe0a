import { buildCdnUrl, FITS, MAX_DIMENSION, OUTPUT_FORMATS, PRESETS, type Preset } from '@frameport/platform';
import { z } from 'zod';
import { defineTool, SCOPES } from '../define-tool.ts';

export default defineTool(
  {
    name: 'get_image_url',
    title: 'Get a CDN URL for an image',
    description:
      'Builds the canonical CDN URL of an image of the linked Environment, optionally resized or converted: a preset ' +
      `(${Object.entries(PRESETS)
        .map(([name, px]) => `${name} ${px}px`)
        .join(', ')}, longest edge) and/or width, height, fit, format, quality, dpr. ` +
      'Use it to put images in pages or answers; the variant is rendered on first request and cached. ' +
      'The URL is computed without looking the image up: call retrieve_image first if unsure the id exists and is READY.',
    input: z.object({
      imageId: z.string().trim().min(1).max(100).describe('The image id (img_…).'),
      preset: z.enum(Object.keys(PRESETS) as [Preset, ...Preset[]]).optional().describe('Named size: the longest edge fits in the preset.'),
      width: z.number().int().min(1).max(MAX_DIMENSION).optional().describe('Target width in CSS pixels.'),
      height: z.number().int().min(1).max(MAX_DIMENSION).optional().describe('Target height in CSS pixels.'),
      fit: z.enum(FITS).optional().describe('How the image fits width × height (default cover when both are given).'),
      format: z.enum(['auto', ...OUTPUT_FORMATS]).optional().describe('Output format; auto picks AVIF/WebP by the browser\'s Accept header.'),
      quality: z.number().int().min(1).max(100).optional().describe('Encoder quality 1–100.'),
      dpr: z.number().int().min(1).max(4).optional().describe('Device pixel ratio 1–4: multiplies width and height.'),
    }),
    output: z.object({
      imageId: z.string(),
      url: z.string().describe('The transformed URL (the original when no option was given).'),
      original: z.string().describe('The URL of the untransformed original.'),
    }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    requiredScope: SCOPES.read,
    needsEnvironment: true,
    render: (o) => o.url,
  },
  // Pure: no database or storage access (the URL grammar is deterministic); the CDN checks the image when the URL is fetched.
  async ({ imageId, ...options }, ctx) => {
    const ref = { organizationId: ctx.principal.organizationId, environmentId: ctx.environment.id, imageId };
    const { cdnBaseUrl } = ctx.services.images;
    return { imageId, url: buildCdnUrl(cdnBaseUrl, ref, options), original: buildCdnUrl(cdnBaseUrl, ref) };
  },
);
