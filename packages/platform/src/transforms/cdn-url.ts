import { validateTransformOptions, type TransformOptions } from './transform-spec.ts';

export interface CdnImageRef {
  organizationId: string;
  environmentId: string;
  imageId: string;
}

/**
 * The canonical CDN URL of an image or one of its variants:
 * `{cdnBaseUrl}/{organizationId}/{environmentId}/{imageId}[@preset][?width&height&fit&format&quality&dpr]`.
 * Pure (no database): the MCP tool `get_image_url` and the REST API both call it. Options are
 * validated with the same rules as the CDN's parser, so a URL built here is always servable.
 */
export function buildCdnUrl(cdnBaseUrl: string, image: CdnImageRef, options: TransformOptions = {}): string {
  const o = validateTransformOptions(options);
  const path = [image.organizationId, image.environmentId, image.imageId].map(encodeURIComponent).join('/');
  const query = new URLSearchParams();
  if (o.width !== undefined) query.set('width', String(o.width));
  if (o.height !== undefined) query.set('height', String(o.height));
  if (o.fit !== undefined) query.set('fit', o.fit);
  if (o.format !== undefined) query.set('format', o.format);
  if (o.quality !== undefined && o.quality !== 'auto') query.set('quality', String(o.quality));
  if (o.dpr !== undefined && o.dpr !== 1) query.set('dpr', String(o.dpr));
  const q = query.toString();
  return `${cdnBaseUrl.replace(/\/+$/, '')}/${path}${o.preset ? `@${o.preset}` : ''}${q ? `?${q}` : ''}`;
}
