export { type PlanLimits, DEFAULT_PLAN } from './plan.ts';
export { getUsage, incrementUsage, periodOf, assertCanUpload, assertCanTransform, assertCanDeliver, type Usage, type CounterMetric } from './usage.ts';
