import { parseEnv, serviceEnvSchema } from '@frameport/http-kit';
import { DEFAULT_PLAN, type PlanLimits } from '@frameport/platform';
import { z } from 'zod';

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

const apiEnvSchema = z.object({
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
  /** HMAC key for upload and download URLs; every API instance needs the same. Generated into the data directory when unset. */
  FRAMEPORT_SIGNING_SECRET: z.string().min(32).optional(),
  PLAN_MAX_STORED_BYTES: limit(DEFAULT_PLAN.maxStoredBytes),
  PLAN_MAX_IMAGES: limit(DEFAULT_PLAN.maxImages),
  PLAN_MAX_UPLOADS_PER_MONTH: limit(DEFAULT_PLAN.maxUploadsPerPeriod),
  PLAN_MAX_TRANSFORMATIONS_PER_MONTH: limit(DEFAULT_PLAN.maxTransformationsPerPeriod),
  PLAN_MAX_DELIVERED_BYTES_PER_MONTH: limit(DEFAULT_PLAN.maxDeliveredBytesPerPeriod),
  /** Unsafe outside development: CIDRs the URL fetcher may reach although private (comma-separated). */
  FETCH_ALLOW_CIDRS: z.string().optional(),
  /** `off` runs no background work in this instance (recovery, download jobs). */
  API_WORKER: z.enum(['on', 'off']).default('on'),
});

export type StorageConfig =
  | { driver: 'local'; root: string }
  | {
      driver: 's3';
      bucket: string;
      region: string;
      endpoint?: string;
      forcePathStyle?: boolean;
      accessKeyId?: string;
      secretAccessKey?: string;
      prefix?: string;
    };

/** Parsed once at boot; nothing below this file reads process.env. */
export function loadApiConfig(env: Record<string, string | undefined>) {
  const s = parseEnv(serviceEnvSchema, env);
  const a = parseEnv(apiEnvSchema, env);
  if (a.STORAGE_DRIVER === 's3' && !a.S3_BUCKET) throw new Error('Invalid configuration:\n  S3_BUCKET: required when STORAGE_DRIVER=s3');
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
      : { driver: 'local', root: `${s.FRAMEPORT_DATA_DIR}/storage` };
  const plan: PlanLimits = {
    maxStoredBytes: a.PLAN_MAX_STORED_BYTES,
    maxImages: a.PLAN_MAX_IMAGES,
    maxUploadsPerPeriod: a.PLAN_MAX_UPLOADS_PER_MONTH,
    maxTransformationsPerPeriod: a.PLAN_MAX_TRANSFORMATIONS_PER_MONTH,
    maxDeliveredBytesPerPeriod: a.PLAN_MAX_DELIVERED_BYTES_PER_MONTH,
  };
  return {
    host: s.HOST,
    port: s.API_PORT,
    logLevel: s.LOG_LEVEL,
    databaseUrl: s.DATABASE_URL,
    dataDir: s.FRAMEPORT_DATA_DIR,
    publicUrl: s.API_PUBLIC_URL,
    urls: { auth: s.AUTH_PUBLIC_URL, mcp: s.MCP_PUBLIC_URL, api: s.API_PUBLIC_URL },
    storage,
    signingSecret: a.FRAMEPORT_SIGNING_SECRET,
    plan,
    fetchAllowCidrs: (a.FETCH_ALLOW_CIDRS ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    /** Lets tests shorten the 30 s deadline of fetches of user URLs. */
    fetchTimeoutMs: 30_000,
    worker: a.API_WORKER === 'on',
  };
}

export type ApiConfig = ReturnType<typeof loadApiConfig>;
