import { describe, expect, it } from 'vitest';
import { buildCdnUrl } from './cdn-url.ts';
import { negotiateFormat, parseTransformRequest, resolveVariant } from './transform-spec.ts';

describe('transform grammar', () => {
  it('parses presets, aliases and values', () => {
    expect(parseTransformRequest('img_a@small', 'w=10&h=20&f=webp&q=50&fit=contain&dpr=2')).toEqual({
      imageId: 'img_a',
      options: { preset: 'small', width: 10, height: 20, format: 'webp', quality: 50, fit: 'contain', dpr: 2 },
    });
    expect(parseTransformRequest('img_a', 'format=jpg&quality=auto').options).toEqual({ format: 'jpeg', quality: 'auto' });
  });

  it('normalizes equivalent requests to one key', () => {
    const a = resolveVariant(parseTransformRequest('i@small', '').options, 'png');
    const b = resolveVariant(parseTransformRequest('i', 'width=480&height=480&fit=inside').options, 'png');
    const c = resolveVariant(parseTransformRequest('i', 'h=240&w=240&fit=inside&dpr=2').options, 'png');
    expect(b.key).toBe(a.key);
    expect(c.key).toBe(a.key);
    expect(resolveVariant({ quality: 'auto', format: 'webp' }, 'png').key).toBe(resolveVariant({ format: 'webp' }, 'png').key);
  });

  it('treats a request for the original as the original', () => {
    expect(resolveVariant({}, 'png').original).toBe(true);
    expect(resolveVariant({ format: 'png' }, 'png').original).toBe(true);
    expect(resolveVariant({}, null)).toMatchObject({ original: false, format: 'jpeg' });
  });

  it('caps dpr-scaled dimensions at 8192', () => {
    expect(resolveVariant({ width: 5000, dpr: 4 }, 'png').width).toBe(8192);
  });

  it('negotiates formats by Accept, honouring q=0', () => {
    expect(negotiateFormat('image/avif,image/webp,*/*', 'png')).toBe('avif');
    expect(negotiateFormat('image/avif;q=0, image/webp', 'png')).toBe('webp');
    expect(negotiateFormat('text/html', 'gif')).toBe('gif');
    expect(negotiateFormat(undefined, null)).toBe('jpeg');
  });

  it('builds URLs with canonical names in a fixed order', () => {
    const ref = { organizationId: 'org_a', environmentId: 'env_b', imageId: 'img_c' };
    expect(buildCdnUrl('https://cdn.example/cdn/', ref)).toBe('https://cdn.example/cdn/org_a/env_b/img_c');
    expect(buildCdnUrl('https://cdn.example/cdn', ref, { dpr: 1, quality: 'auto', fit: 'cover', height: 5, width: 4 })).toBe(
      'https://cdn.example/cdn/org_a/env_b/img_c?width=4&height=5&fit=cover',
    );
    expect(() => buildCdnUrl('https://x', ref, { dpr: 9 })).toThrow(/dpr/);
  });
});
