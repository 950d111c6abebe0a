import { describe, expect, it } from 'vitest';
import { normalizingMetadataFetch } from './provider.ts';

const serve = (body: unknown, init: ResponseInit = {}) =>
  normalizingMetadataFetch(async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status: 200, ...init }));

describe('client metadata documents as they arrive', () => {
  it("normalizes Claude Code's document: native, public client", async () => {
    const fetchDoc = serve({
      client_id: 'https://claude.ai/oauth/claude-code-client-metadata',
      client_name: 'Claude Code',
      redirect_uris: ['http://localhost/callback', 'http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    const doc = (await (await fetchDoc('https://claude.ai/oauth/claude-code-client-metadata')).json()) as Record<string, unknown>;
    expect(doc.application_type).toBe('native');
    expect(doc.token_endpoint_auth_method).toBe('none');
  });

  it('refuses a document with an executable redirect and an oversized document', async () => {
    await expect(serve({ client_id: 'https://a.example/c', redirect_uris: ['javascript:alert(1)'] })('https://a.example/c')).rejects.toThrow();
    await expect(serve('x'.repeat(6000))('https://a.example/c')).rejects.toThrow(/too large/);
  });

  it('passes non-200 answers through for the provider to refuse', async () => {
    const response = await normalizingMetadataFetch(async () => new Response('nope', { status: 404 }))('https://a.example/c');
    expect(response.status).toBe(404);
  });
});
