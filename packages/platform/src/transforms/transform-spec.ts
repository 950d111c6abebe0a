import { PlatformError } from '../errors.ts';

/** Longest edge in pixels. */
export const PRESETS = { thumbnail: 150, small: 480, medium: 1024, large: 2048 } as const;
export type Preset = keyof typeof PRESETS;
export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type Fit = (typeof FITS)[number];
export const MAX_DIMENSION = 8192;

/** What a caller may ask for (URL builder input, and what the parser produces). */
export interface TransformOptions {
  preset?: Preset;
  width?: number;
  height?: number;
  /** Absent: the original's format (or JPEG when it cannot be written). `auto`: by `Accept`. */
  format?: OutputFormat | 'auto';
  quality?: number | 'auto';
  fit?: Fit;
  dpr?: number;
}

/** Canonical parameter name → accepted spellings. Each canonical parameter may appear once. */
export const PARAMETERS = {
  width: ['width', 'w'],
  height: ['height', 'h'],
  format: ['format', 'f'],
  quality: ['quality', 'q'],
  fit: ['fit'],
  dpr: ['dpr'],
} as const;
type Canonical = keyof typeof PARAMETERS;
const ALIASES = new Map<string, Canonical>(
  Object.entries(PARAMETERS).flatMap(([canonical, names]) => names.map((n) => [n, canonical as Canonical] as const)),
);

const bad = (parameter: string, message: string) => new PlatformError('invalid_input', `${parameter}: ${message}`, { field: parameter });

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw bad(name, `must be a whole number from ${min} to ${max}.`);
  const n = Number(raw);
  if (n < min || n > max) throw bad(name, `must be from ${min} to ${max}, got ${raw}.`);
  return n;
}

/**
 * Parses `{imageId}[@preset]` and the raw query string into options. Unknown parameters, repeats
 * (including `w` and `width` together) and out-of-range values are refused with the parameter named.
 */
export function parseTransformRequest(imageRef: string, rawQuery: string): { imageId: string; options: TransformOptions } {
  const at = imageRef.indexOf('@');
  const imageId = at === -1 ? imageRef : imageRef.slice(0, at);
  const options: TransformOptions = {};
  if (at !== -1) {
    const preset = imageRef.slice(at + 1);
    if (!(preset in PRESETS)) throw bad('preset', `unknown preset "${preset}"; use ${Object.keys(PRESETS).join(', ')}.`);
    options.preset = preset as Preset;
  }
  const seen = new Set<Canonical>();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const canonical = ALIASES.get(name);
    if (!canonical) throw bad(name, `unknown parameter; use ${[...ALIASES.keys()].join(', ')}.`);
    if (seen.has(canonical)) throw bad(name, `${canonical} is given more than once.`);
    seen.add(canonical);
    switch (canonical) {
      case 'width':
      case 'height':
        options[canonical] = integer(name, value, 1, MAX_DIMENSION);
        break;
      case 'dpr':
        options.dpr = integer(name, value, 1, 4);
        break;
      case 'quality':
        options.quality = value === 'auto' ? 'auto' : integer(name, value, 1, 100);
        break;
      case 'format': {
        const format = value === 'jpg' ? 'jpeg' : value;
        if (format !== 'auto' && !(OUTPUT_FORMATS as readonly string[]).includes(format)) {
          throw bad(name, `must be auto, ${OUTPUT_FORMATS.join(', ')}; got "${value}".`);
        }
        options.format = format as OutputFormat | 'auto';
        break;
      }
      case 'fit':
        if (!(FITS as readonly string[]).includes(value)) throw bad(name, `must be ${FITS.join(', ')}; got "${value}".`);
        options.fit = value as Fit;
        break;
    }
  }
  return { imageId, options };
}

/** Checks options given programmatically (same ranges as the URL grammar). */
export function validateTransformOptions(options: TransformOptions): TransformOptions {
  const query = new URLSearchParams();
  if (options.width !== undefined) query.set('width', String(options.width));
  if (options.height !== undefined) query.set('height', String(options.height));
  if (options.fit !== undefined) query.set('fit', options.fit);
  if (options.format !== undefined) query.set('format', options.format);
  if (options.quality !== undefined) query.set('quality', String(options.quality));
  if (options.dpr !== undefined) query.set('dpr', String(options.dpr));
  return parseTransformRequest(options.preset ? `x@${options.preset}` : 'x', query.toString()).options;
}

export interface ResolvedVariant {
  /** Target box in device pixels (dpr applied, capped at MAX_DIMENSION); undefined = free. */
  width: number | undefined;
  height: number | undefined;
  fit: Fit;
  format: OutputFormat;
  quality: number;
  /** Stable across equivalent requests: `@small` and `?w=480&h=480&fit=inside` share it. */
  key: string;
  /** True when the response depends on `Accept` (format=auto). */
  negotiated: boolean;
  /** No resize and no format change: serve the original bytes. */
  original: boolean;
}

const DEFAULT_QUALITY: Record<OutputFormat, number> = { jpeg: 80, webp: 80, avif: 50, png: 100, gif: 100 };

/** Chooses the output for `format=auto` from the `Accept` header (RFC 9110 §12.5.1). */
export function negotiateFormat(accept: string | undefined, originalFormat: OutputFormat | null): OutputFormat {
  const accepted = new Set<string>();
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    if (type && !(q && Number(q.slice(2)) === 0)) accepted.add(type);
  }
  if (accepted.has('image/avif')) return 'avif';
  if (accepted.has('image/webp')) return 'webp';
  return originalFormat ?? 'jpeg';
}

/** Normalizes options to the one variant they denote for this image. Pure. */
export function resolveVariant(options: TransformOptions, originalFormat: OutputFormat | null, accept?: string): ResolvedVariant {
  const dpr = options.dpr ?? 1;
  const edge = options.preset ? PRESETS[options.preset] : undefined;
  let width = options.width ?? (options.height === undefined ? edge : undefined);
  let height = options.height ?? (options.width === undefined ? edge : undefined);
  const fit: Fit = options.fit ?? (edge !== undefined && options.width === undefined && options.height === undefined ? 'inside' : 'cover');
  if (width !== undefined) width = Math.min(width * dpr, MAX_DIMENSION);
  if (height !== undefined) height = Math.min(height * dpr, MAX_DIMENSION);
  const negotiated = options.format === 'auto';
  const format: OutputFormat = negotiated ? negotiateFormat(accept, originalFormat) : ((options.format as OutputFormat | undefined) ?? originalFormat ?? 'jpeg');
  const quality = options.quality === undefined || options.quality === 'auto' ? DEFAULT_QUALITY[format] : options.quality;
  const original =
    width === undefined && height === undefined && format === originalFormat && (options.quality === undefined || options.quality === 'auto');
  const key = `w${width ?? 0}-h${height ?? 0}-${width === undefined && height === undefined ? 'none' : fit}-${format}-q${quality}`;
  return { width, height, fit, format, quality, key, negotiated, original };
}
