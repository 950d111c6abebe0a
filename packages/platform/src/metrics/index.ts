export { recordMetrics, recordStorageGauge, getMetrics, metricsQuerySchema, type MetricsDelta, type MetricsQuery, type MetricsPoint, type MetricsSeries } from './metrics.ts';
