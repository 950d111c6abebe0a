import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { detectFormat, HEIC_SUPPORTED } from './formats.ts';
import { inspectImage } from './processing.ts';

const none = { mimeType: null, sizeBytes: null, sha256: null };
const image = (format: 'jpeg' | 'png' | 'webp' | 'avif' | 'gif' | 'tiff') =>
  sharp({ create: { width: 30, height: 20, channels: 3, background: '#336699' } }).toFormat(format).toBuffer();

describe('inspectImage', () => {
  it.each([
    ['jpeg', 'image/jpeg', 'jpg'],
    ['png', 'image/png', 'png'],
    ['webp', 'image/webp', 'webp'],
    ['avif', 'image/avif', 'avif'],
    ['gif', 'image/gif', 'gif'],
    ['tiff', 'image/tiff', 'tiff'],
  ] as const)('accepts %s and records its dimensions', async (format, mimeType, extension) => {
    const bytes = await image(format);
    expect(await inspectImage(bytes, { ...none, mimeType, sizeBytes: bytes.length })).toMatchObject({ status: 'READY', width: 30, height: 20, mimeType, extension, sizeBytes: bytes.length });
  });

  it('refuses SVG (not an accepted type) and empty input', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    expect(await inspectImage(svg, none)).toMatchObject({ status: 'QUARANTINE', reason: expect.stringMatching(/svg format is not accepted/) });
    expect(await inspectImage(Buffer.alloc(0), none)).toMatchObject({ status: 'QUARANTINE' });
  });

  it('treats image/jpg as image/jpeg when comparing the declared type', async () => {
    expect((await inspectImage(await image('jpeg'), { ...none, mimeType: 'image/jpg' })).status).toBe('READY');
  });

  it('refuses HEIC unless the libvips build decodes HEVC, and says so', () => {
    const verdict = detectFormat({ format: 'heif', compression: 'hevc' });
    if (HEIC_SUPPORTED) expect(verdict).toMatchObject({ name: 'heic' });
    else expect(verdict).toEqual({ refused: expect.stringMatching(/HEIC images cannot be decoded by this server build/) });
    expect(detectFormat({ format: 'heif', compression: 'av1' })).toMatchObject({ name: 'avif' });
  });
});
