import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, GRANT_ID_CLAIM, InvalidTokenError } from './token-verifier.ts';

const ISSUER = 'http://localhost:4000';
const AUDIENCE = 'http://localhost:4001/mcp';

let server: Server;
let jwksUrl: string;
let fetches = 0;
const published: JWK[] = [];

async function newKey(kid: string): Promise<{ kid: string; privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

const mint = (key: { kid: string; privateKey: CryptoKey }) =>
  new SignJWT({ scope: 'images:read', client_id: 'c1', [GRANT_ID_CLAIM]: 'g1' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('usr_1')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);

beforeAll(async () => {
  server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/oauth/jwks`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('access token verification', () => {
  it('caches the JWKS and refetches it when a token names a new key (rotation)', async () => {
    const first = await newKey('k1');
    published.push(first.jwk);
    const verify = createTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE, refetchCooldownMs: 0 });

    expect(await verify(await mint(first))).toEqual({ subject: 'usr_1', grantId: 'g1', clientId: 'c1', scopes: ['images:read'], expiresAt: expect.any(Number) });
    await verify(await mint(first));
    expect(fetches).toBe(1);

    const second = await newKey('k2');
    published.push(second.jwk);
    expect((await verify(await mint(second))).grantId).toBe('g1');
    expect(fetches).toBe(2);

    const unpublished = await newKey('k3');
    await expect(verify(await mint(unpublished))).rejects.toBeInstanceOf(InvalidTokenError);
  });
});
