export { recordMetrics, recordStorageGauge, getMetrics, metricsQuerySchema, type MetricsDelta, type MetricsQuery, type MetricsPoint, type MetricsSeries } from './metrics.ts';
export { DeliveryCounter, DELIVERY_FLUSH_MS } from './delivery-counter.ts';
