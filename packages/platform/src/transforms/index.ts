export { buildCdnUrl, type CdnImageRef } from './cdn-url.ts';
export {
  PRESETS,
  OUTPUT_FORMATS,
  FITS,
  MAX_DIMENSION,
  PARAMETERS,
  parseTransformRequest,
  validateTransformOptions,
  resolveVariant,
  negotiateFormat,
  type TransformOptions,
  type Preset,
  type OutputFormat,
  type Fit,
  type ResolvedVariant,
} from './transform-spec.ts';
export { deliverImage, recordDelivery, type Delivery, type DeliverRequest } from './deliver.ts';
