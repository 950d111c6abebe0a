import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '@frameport/db';
import { z } from 'zod';
import { LocalStorage } from '../storage/local-storage.ts';
import type { ObjectStorage } from '../storage/object-storage.ts';
import { S3Storage, type S3StorageConfig } from '../storage/s3-storage.ts';
import { DEFAULT_PLAN, type PlanLimits } from '../usage/plan.ts';
import { ConfigError, parseEnv } from '../config.ts';
import type { ImageContext } from './context.ts';
import { DeliveryCounter } from '../metrics/delivery-counter.ts';

const limit = (fallback: number | null) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if (v === 'unlimited') return null;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a non-negative integer or "unlimited"' });
        return z.NEVER;
      }
      return n;
    });

/**
 * The environment variables of the image platform, shared by every app that hosts image
 * functions (apps/api, and apps/mcp for its tools): storage, URL signing, the default plan and
 * the fetcher's allow-list. An app's config.ts passes its env in; nothing here reads process.env.
 */
export const platformEnvSchema = z.object({
  /** `local` (files under FRAMEPORT_DATA_DIR/storage, the default) or `s3`. */
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  S3_BUCKET: z.string().min(1).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Any S3-compatible endpoint (MinIO, R2 …); unset means AWS. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_PREFIX: z.string().optional(),
  /** HMAC key of upload and download URLs; every instance needs the same. Generated into the data directory when unset. */
  FRAMEPORT_SIGNING_SECRET: z.string().min(32).optional(),
  PLAN_MAX_STORED_BYTES: limit(DEFAULT_PLAN.maxStoredBytes),
  PLAN_MAX_IMAGES: limit(DEFAULT_PLAN.maxImages),
  PLAN_MAX_UPLOADS_PER_MONTH: limit(DEFAULT_PLAN.maxUploadsPerPeriod),
  PLAN_MAX_TRANSFORMATIONS_PER_MONTH: limit(DEFAULT_PLAN.maxTransformationsPerPeriod),
  PLAN_MAX_DELIVERED_BYTES_PER_MONTH: limit(DEFAULT_PLAN.maxDeliveredBytesPerPeriod),
  /** Unsafe outside development: CIDRs the URL fetcher may reach although private (comma-separated). */
  FETCH_ALLOW_CIDRS: z.string().optional(),
});

export type StorageConfig = { driver: 'local'; root: string } | ({ driver: 's3' } & S3StorageConfig);

export interface PlatformConfig {
  storage: StorageConfig;
  /** Absent: generated once into `<dataDir>/secrets/api-signing.key`. */
  signingSecret: string | undefined;
  plan: PlanLimits;
  fetchAllowCidrs: string[];
  /** Deadline of fetches of user URLs (30 s; tests shorten it). */
  fetchTimeoutMs: number;
  dataDir: string;
  /** Public origin of apps/api: the CDN, upload and download URLs live there. */
  apiPublicUrl: string;
}

export function loadPlatformConfig(env: Record<string, string | undefined>, deployment: { dataDir: string; apiPublicUrl: string }): PlatformConfig {
  const a = parseEnv(platformEnvSchema, env);
  if (a.STORAGE_DRIVER === 's3' && !a.S3_BUCKET) throw new ConfigError('Invalid configuration:\n  S3_BUCKET: required when STORAGE_DRIVER=s3');
  const storage: StorageConfig =
    a.STORAGE_DRIVER === 's3'
      ? {
          driver: 's3',
          bucket: a.S3_BUCKET!,
          region: a.S3_REGION,
          ...(a.S3_ENDPOINT ? { endpoint: a.S3_ENDPOINT } : {}),
          ...(a.S3_FORCE_PATH_STYLE ? { forcePathStyle: a.S3_FORCE_PATH_STYLE === 'true' } : {}),
          ...(a.S3_ACCESS_KEY_ID ? { accessKeyId: a.S3_ACCESS_KEY_ID } : {}),
          ...(a.S3_SECRET_ACCESS_KEY ? { secretAccessKey: a.S3_SECRET_ACCESS_KEY } : {}),
          ...(a.S3_PREFIX ? { prefix: a.S3_PREFIX } : {}),
        }
      : { driver: 'local', root: join(deployment.dataDir, 'storage') };
  return {
    storage,
    signingSecret: a.FRAMEPORT_SIGNING_SECRET,
    plan: {
      maxStoredBytes: a.PLAN_MAX_STORED_BYTES,
      maxImages: a.PLAN_MAX_IMAGES,
      maxUploadsPerPeriod: a.PLAN_MAX_UPLOADS_PER_MONTH,
      maxTransformationsPerPeriod: a.PLAN_MAX_TRANSFORMATIONS_PER_MONTH,
      maxDeliveredBytesPerPeriod: a.PLAN_MAX_DELIVERED_BYTES_PER_MONTH,
    },
    fetchAllowCidrs: (a.FETCH_ALLOW_CIDRS ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    fetchTimeoutMs: 30_000,
    dataDir: deployment.dataDir,
    apiPublicUrl: deployment.apiPublicUrl,
  };
}

export function createStorage(config: StorageConfig): ObjectStorage {
  if (config.driver === 's3') {
    const { driver: _driver, ...s3 } = config;
    return new S3Storage(s3);
  }
  return new LocalStorage(config.root);
}

/**
 * The HMAC key of upload and download URLs. Embedded default: generated once into the data
 * directory (0600) so URLs survive a restart and every app of one process agrees; production
 * sets FRAMEPORT_SIGNING_SECRET on every instance.
 */
export async function resolveSigningSecret(config: Pick<PlatformConfig, 'signingSecret' | 'dataDir'>): Promise<string> {
  if (config.signingSecret) return config.signingSecret;
  const dir = join(config.dataDir, 'secrets');
  const file = join(dir, 'api-signing.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dir, { recursive: true });
    // `wx`: if two apps race on first start, one writes and both read the same key.
    await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(() => {});
    return (await readFile(file, 'utf8')).trim();
  }
}

/** The context every image function takes, from the parsed config. */
/** `onError` hears of background failures (a delivery-count flush); the app logs them. */
export async function createImageContext(db: Database, config: PlatformConfig, onError: (error: unknown) => void = () => {}): Promise<ImageContext> {
  return {
    db,
    storage: createStorage(config.storage),
    cdnBaseUrl: `${config.apiPublicUrl}/cdn`,
    apiBaseUrl: config.apiPublicUrl,
    signingSecret: await resolveSigningSecret(config),
    plan: config.plan,
    deliveries: new DeliveryCounter(db, onError),
    fetchPolicy: { allowCidrs: config.fetchAllowCidrs },
    fetchTimeoutMs: config.fetchTimeoutMs,
  };
}
