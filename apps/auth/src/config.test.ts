import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './config.ts';

describe('AUTH_DEV_CIMD_ALLOWED_ORIGINS (development only)', () => {
  it('is empty unless set: metadata documents on private addresses stay refused by default', () => {
    expect(loadAuthConfig({}).devMetadataOrigins).toEqual([]);
  });

  it('takes a comma-separated list of https origins', () => {
    expect(loadAuthConfig({ AUTH_DEV_CIMD_ALLOWED_ORIGINS: 'https://localhost:8443, https://10.0.0.5' }).devMetadataOrigins).toEqual([
      'https://localhost:8443',
      'https://10.0.0.5',
    ]);
  });

  it('refuses anything but a bare https origin, naming the variable', () => {
    for (const bad of ['http://localhost:8443', 'https://localhost:8443/client.json', 'localhost']) {
      expect(() => loadAuthConfig({ AUTH_DEV_CIMD_ALLOWED_ORIGINS: bad })).toThrow(/AUTH_DEV_CIMD_ALLOWED_ORIGINS/);
    }
  });
});
