export { type ImageContext } from './context.ts';
export { toImage, storageKeys, type Image, type ImageRow, type ImageStatus } from './image-view.ts';
export {
  createUpload,
  receiveUpload,
  completeUpload,
  uploadFromUrl,
  fetchAndProcess,
  getImage,
  listImages,
  deleteImage,
  getReadyImages,
  sha256Hex,
  waitForImage,
  createUploadInput,
  uploadFromUrlInput,
  listImagesInput,
  MAX_UPLOAD_BYTES,
  UPLOAD_URL_TTL_MS,
  type CreateUploadInput,
  type UploadFromUrlInput,
  type ListImagesInput,
  type CreatedUpload,
  type UploadTarget,
  type ImagePage,
} from './images.ts';
export { processImage, recoverImages, inspectImage, PROCESSING_LEASE_MS } from './processing.ts';
export { signPath, verifyPath, type SignatureCheck } from './signed-urls.ts';
export { detectFormat, HEIC_SUPPORTED, MAX_INPUT_PIXELS } from './formats.ts';
export {
  platformEnvSchema,
  loadPlatformConfig,
  createStorage,
  createImageContext,
  resolveSigningSecret,
  type PlatformConfig,
  type StorageConfig,
} from './setup.ts';
