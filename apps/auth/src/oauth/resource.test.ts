import { describe, expect, it } from 'vitest';
import { canonicalizeParams, canonicalizeResources } from './resource.ts';

const MCP = 'https://frameport.example/mcp';

describe('resource indicator aliases (RFC 8707)', () => {
  it('maps the origin, the origin with a slash and the URL with a slash to the canonical URL', () => {
    for (const alias of ['https://frameport.example', 'https://frameport.example/', 'https://frameport.example/mcp/', MCP]) {
      expect(canonicalizeResources([alias], MCP)).toEqual([MCP]);
    }
  });

  it("collapses Codex's doubled pair into one value", () => {
    expect(canonicalizeResources([MCP, 'https://frameport.example/'], MCP)).toEqual([MCP]);
  });

  it('leaves unknown resources for the provider to refuse', () => {
    expect(canonicalizeResources(['https://elsewhere.example/api', MCP], MCP)).toEqual(['https://elsewhere.example/api', MCP]);
    expect(canonicalizeResources(['https://frameport.example/other'], MCP)).toEqual(['https://frameport.example/other']);
  });

  it('rewrites query parameters only when something changes', () => {
    const unchanged = new URLSearchParams({ resource: MCP, scope: 'images:read' });
    expect(canonicalizeParams(unchanged, MCP)).toBe(false);
    const doubled = new URLSearchParams([['resource', MCP], ['resource', 'https://frameport.example/'], ['state', 's']]);
    expect(canonicalizeParams(doubled, MCP)).toBe(true);
    expect(doubled.getAll('resource')).toEqual([MCP]);
    expect(doubled.get('state')).toBe('s');
  });
});
