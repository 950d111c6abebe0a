/**
 * Test support: what an agent does with images once connected, through the MCP tools only.
 * Upload from a URL, wait until READY, get a preset CDN URL and fetch it (it must decode to the
 * preset's size), order a bulk download, wait for it, fetch the zip and find the image inside.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { expect } from 'vitest';
import { fromBuffer, type Entry } from 'yauzl';
import type { Agent } from './agents.ts';

interface Image {
  id: string;
  status: string;
  statusReason: string | null;
  width: number | null;
  height: number | null;
  sha256: string | null;
  fileName: string | null;
}
interface Download {
  id: string;
  status: string;
  failureReason: string | null;
  downloadUrl: string | null;
}

/** A PNG of the given size with a gradient (so it is not trivially compressible); `seed` makes images differ. */
export async function makePng(width: number, height: number, seed = 0): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels[i * 3] = (i % width) % 256;
    pixels[i * 3 + 1] = Math.floor(i / width) % 256;
    pixels[i * 3 + 2] = (128 + seed * 37) % 256;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function call<T>(agent: Agent, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await agent.callTool(name, args);
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
  return result.structuredContent as T;
}

/** Entries of a zip, name → bytes (yauzl, reading the whole archive from memory). */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: true }, (error, archive) => {
      if (error || !archive) return reject(error);
      const entries = new Map<string, Buffer>();
      archive.on('entry', (entry: Entry) => {
        archive.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            archive.readEntry();
          });
          stream.on('error', reject);
        });
      });
      archive.on('end', () => resolve(entries));
      archive.on('error', reject);
      archive.readEntry();
    });
  });
}

export interface ImageFlowResult {
  image: Image;
  download: Download;
  /** Responses of the CDN and archive fetches, for assertions about who served them. */
  cdn: Response;
  archive: Response;
}

/**
 * The whole image flow for one agent. `source` is served at `url` with the given size; the
 * thumbnail preset fits it inside 150×150.
 */
export async function imageFlow(agent: Agent, options: { url: string; fileName: string; source: Buffer; width: number; height: number }): Promise<ImageFlowResult> {
  const uploaded = await call<{ image: Image; existing: boolean }>(agent, 'upload_image_via_url', { url: options.url, fileName: options.fileName });
  expect(uploaded.existing).toBe(false);
  let image = uploaded.image;
  for (let i = 0; i < 5 && (image.status === 'PENDING' || image.status === 'PROCESSING'); i++) {
    image = (await call<{ image: Image }>(agent, 'retrieve_image', { imageId: image.id, waitUntilReady: true, timeoutSeconds: 10 })).image;
  }
  expect(image, image.statusReason ?? '').toMatchObject({ status: 'READY', width: options.width, height: options.height });
  expect(image.sha256).toBe(createHash('sha256').update(options.source).digest('hex'));

  const { url } = await call<{ url: string }>(agent, 'get_image_url', { imageId: image.id, preset: 'thumbnail' });
  expect(url).toMatch(/@thumbnail$/);
  const cdn = await fetch(url);
  expect(cdn.status).toBe(200);
  const thumbnail = await sharp(Buffer.from(await cdn.arrayBuffer())).metadata();
  const scale = 150 / Math.max(options.width, options.height);
  expect([thumbnail.width, thumbnail.height]).toEqual([Math.round(options.width * scale), Math.round(options.height * scale)]);

  let { download } = await call<{ download: Download }>(agent, 'create_bulk_image_download', { imageIds: [image.id] });
  for (let i = 0; i < 10 && (download.status === 'PENDING' || download.status === 'PROCESSING'); i++) {
    download = (await call<{ download: Download }>(agent, 'retrieve_bulk_image_download', { downloadId: download.id, waitUntilReady: true, timeoutSeconds: 10 }))
      .download;
  }
  expect(download, download.failureReason ?? '').toMatchObject({ status: 'READY', downloadUrl: expect.any(String) });
  const archive = await fetch(download.downloadUrl!);
  expect(archive.status).toBe(200);
  const entries = await unzip(Buffer.from(await archive.arrayBuffer()));
  const inside = [...entries.values()].find((bytes) => createHash('sha256').update(bytes).digest('hex') === image.sha256);
  expect(inside, `image not in the archive (entries: ${[...entries.keys()].join(', ')})`).toBeDefined();
  return { image, download, cdn, archive };
}
