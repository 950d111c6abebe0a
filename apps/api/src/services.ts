import type { DbHandle } from '@frameport/db';
import type { ImageContext } from '@frameport/platform';
import type { ApiConfig } from './config.ts';
import type { DownloadWorker } from './download-worker.ts';

export interface ApiServices {
  config: ApiConfig;
  database: DbHandle;
  ctx: ImageContext;
  downloads: DownloadWorker;
}
