export {
  createDownloadJob,
  getDownloadJob,
  runDownloadJob,
  failDownloadJob,
  listUnfinishedDownloadJobs,
  findArchive,
  purgeExpiredArchives,
  createDownloadInput,
  MAX_DOWNLOAD_IMAGES,
  DOWNLOAD_URL_TTL_MS,
  type DownloadJob,
  type DownloadJobRow,
  type CreateDownloadInput,
} from './downloads.ts';
export { createDownloadQueue, type DownloadQueue, type QueueLogger } from './queue.ts';
