import sharp from 'sharp';

/** Accepted input formats, keyed by what `sharp().metadata()` reports. */
export interface DetectedFormat {
  name: 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff' | 'heic';
  mimeType: string;
  extension: string;
}

const BY_NAME: Record<DetectedFormat['name'], Omit<DetectedFormat, 'name'>> = {
  jpeg: { mimeType: 'image/jpeg', extension: 'jpg' },
  png: { mimeType: 'image/png', extension: 'png' },
  webp: { mimeType: 'image/webp', extension: 'webp' },
  avif: { mimeType: 'image/avif', extension: 'avif' },
  gif: { mimeType: 'image/gif', extension: 'gif' },
  tiff: { mimeType: 'image/tiff', extension: 'tiff' },
  heic: { mimeType: 'image/heic', extension: 'heic' },
};

/**
 * The prebuilt libvips that ships with sharp decodes AVIF but not HEIC (HEVC is patent-encumbered
 * and left out); a custom libvips with libde265 adds `.heic` to the heif loader's suffixes.
 */
export const HEIC_SUPPORTED = (sharp.format.heif?.input as { fileSuffix?: string[] } | undefined)?.fileSuffix?.includes('.heic') ?? false;

/** Maps sharp's metadata to an accepted format, or explains why not. */
export function detectFormat(meta: { format?: string; compression?: string }): DetectedFormat | { refused: string } {
  switch (meta.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return { name: meta.format, ...BY_NAME[meta.format] };
    case 'heif':
      if (meta.compression === 'av1') return { name: 'avif', ...BY_NAME.avif };
      if (meta.compression === 'hevc' && HEIC_SUPPORTED) return { name: 'heic', ...BY_NAME.heic };
      return { refused: 'HEIC images cannot be decoded by this server build; convert to JPEG, PNG, WebP or AVIF.' };
    default:
      return { refused: `${meta.format ?? 'This'} format is not accepted; upload JPEG, PNG, WebP, AVIF, GIF or TIFF.` };
  }
}

const MIME_ALIASES: Record<string, string> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/heif': 'image/heic', 'image/tif': 'image/tiff' };
export function normalizeMime(mime: string | null | undefined): string | null {
  if (!mime) return null;
  const bare = mime.split(';')[0]!.trim().toLowerCase();
  return MIME_ALIASES[bare] ?? bare;
}

export const MAX_INPUT_PIXELS = 250_000_000;
