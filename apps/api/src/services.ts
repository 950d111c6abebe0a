import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbHandle } from '@frameport/db';
import { LocalStorage, S3Storage, type ImageContext, type ObjectStorage } from '@frameport/platform';
import type { ApiConfig, StorageConfig } from './config.ts';
import type { DownloadWorker } from './download-worker.ts';

export interface ApiServices {
  config: ApiConfig;
  database: DbHandle;
  ctx: ImageContext;
  downloads: DownloadWorker;
}

export function createStorage(config: StorageConfig): ObjectStorage {
  return config.driver === 's3' ? new S3Storage(config) : new LocalStorage(config.root);
}

/**
 * The HMAC key of upload and download URLs. Embedded default: generated once into the data
 * directory (0600) so URLs survive a restart; production sets FRAMEPORT_SIGNING_SECRET on every
 * instance.
 */
export async function signingSecret(config: ApiConfig): Promise<string> {
  if (config.signingSecret) return config.signingSecret;
  const dir = join(config.dataDir, 'secrets');
  const file = join(dir, 'api-signing.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(() => {});
    return (await readFile(file, 'utf8')).trim();
  }
}
