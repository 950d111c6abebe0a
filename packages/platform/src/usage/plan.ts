/** Limits per organization; the default plan comes from config. `null` = unlimited. */
export interface PlanLimits {
  maxStoredBytes: number | null;
  maxImages: number | null;
  /** Per period (calendar month, UTC). */
  maxUploadsPerPeriod: number | null;
  maxTransformationsPerPeriod: number | null;
  maxDeliveredBytesPerPeriod: number | null;
}

export const DEFAULT_PLAN: PlanLimits = {
  maxStoredBytes: 10 * 1024 ** 3,
  maxImages: 100_000,
  maxUploadsPerPeriod: 50_000,
  maxTransformationsPerPeriod: 100_000,
  maxDeliveredBytesPerPeriod: 100 * 1024 ** 3,
};
