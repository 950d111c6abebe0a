export { type ObjectStorage, type StorageBody, type PutOptions, readAll } from './object-storage.ts';
export { LocalStorage } from './local-storage.ts';
export { S3Storage, type S3StorageConfig } from './s3-storage.ts';
