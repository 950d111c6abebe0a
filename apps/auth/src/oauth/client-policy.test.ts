import { describe, expect, it } from 'vitest';
import { applyClientPolicy, ClientPolicyError, MAX_REDIRECT_URIS } from './client-policy.ts';

const policy = (metadata: Record<string, unknown>, given = metadata.application_type !== undefined) => {
  applyClientPolicy(metadata, given);
  return metadata;
};

describe('client metadata policy', () => {
  it('makes loopback-only and private-use-scheme clients without application_type native (RFC 8252)', () => {
    expect(policy({ redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'] }).application_type).toBe('native');
    expect(
      policy({ redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'https://www.cursor.com/cb', 'http://localhost:8787/callback'] })
        .application_type,
    ).toBe('native');
  });

  it('makes https-only clients without application_type web', () => {
    expect(policy({ redirect_uris: ['https://app.example/cb'] }).application_type).toBe('web');
  });

  it('keeps an explicit application_type', () => {
    expect(policy({ application_type: 'web', redirect_uris: ['http://localhost:3000/cb'] }).application_type).toBe('web');
  });

  it('refuses executable schemes, remote http for web clients and too many redirect URIs', () => {
    expect(() => policy({ redirect_uris: ['javascript:alert(1)'] })).toThrow(ClientPolicyError);
    expect(() => policy({ application_type: 'web', redirect_uris: ['http://app.example/cb'] })).toThrow(/loopback/);
    expect(() => policy({ redirect_uris: ['http://app.example/cb'] })).toThrow(/loopback/);
    const many = Array.from({ length: MAX_REDIRECT_URIS + 1 }, (_, i) => `http://127.0.0.1:${3000 + i}/cb`);
    expect(() => policy({ redirect_uris: many })).toThrow(/at most/);
  });

  it('checks software_id and software_version are short strings', () => {
    expect(() => policy({ redirect_uris: ['http://127.0.0.1/cb'], software_id: 42 })).toThrow(/software_id/);
    expect(policy({ redirect_uris: ['http://127.0.0.1/cb'], software_id: 'abc', software_version: '1.0' }).software_id).toBe('abc');
  });
});
