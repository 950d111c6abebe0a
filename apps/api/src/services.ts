import type { DbHandle } from '@frameport/db';
import type { DownloadQueue, ImageContext } from '@frameport/platform';
import type { ApiConfig } from './config.ts';

export interface ApiServices {
  config: ApiConfig;
  database: DbHandle;
  ctx: ImageContext;
  downloads: DownloadQueue;
}
