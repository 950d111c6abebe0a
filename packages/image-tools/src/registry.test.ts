import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SCOPES } from './define-tool.ts';
import { tools, toolsForScopes } from './registry.ts';

const kebab = (name: string) => name.replaceAll('_', '-');

describe('every tool follows the shared rules', () => {
  it('has one file per tool, named after it, and every file is registered', async () => {
    const files = (await readdir(new URL('./tools', import.meta.url))).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.sort()).toEqual(tools.map((t) => `${kebab(t.name)}.ts`).sort());
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
  });

  it('offers exactly the twelve tools of the catalog', () => {
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'whoami',
        'create_client_token',
        'upload_image_via_url',
        'upload_image',
        'retrieve_image',
        'get_image_url',
        'list_images',
        'fetch_metrics',
        'get_usage',
        'create_bulk_image_download',
        'retrieve_bulk_image_download',
        'get_server_token_dashboard_link',
      ].sort(),
    );
  });

  it('marks exactly the tools that fetch from the internet as open-world', () => {
    expect(tools.filter((t) => t.annotations.openWorldHint).map((t) => t.name)).toEqual(['upload_image_via_url']);
  });

  it('acts inside the linked Environment in every tool but whoami and the dashboard link', () => {
    expect(tools.filter((t) => !t.needsEnvironment).map((t) => t.name).sort()).toEqual(['get_server_token_dashboard_link', 'whoami']);
  });

  for (const tool of tools) {
    describe(tool.name, () => {
      it('has a snake_case name, a title and a model-facing description of useful length', () => {
        expect(tool.name).toMatch(/^[a-z][a-z0-9_]{2,63}$/);
        expect(tool.title.length).toBeGreaterThan(3);
        expect(tool.title.length).toBeLessThanOrEqual(60);
        expect(tool.description.length).toBeGreaterThanOrEqual(80);
        expect(tool.description.length).toBeLessThanOrEqual(1024);
      });

      it('states every annotation, never destructive', () => {
        for (const key of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
          expect(typeof tool.annotations[key], key).toBe('boolean');
        }
        expect(tool.annotations.destructiveHint).toBe(false);
        // A read-only tool needs only the read scope; anything that writes needs images:write.
        expect(tool.requiredScope).toBe(tool.annotations.readOnlyHint ? SCOPES.read : SCOPES.write);
      });

      it('describes every input field and has an object output schema that converts to JSON Schema', () => {
        for (const [field, schema] of Object.entries(tool.input.shape as Record<string, z.ZodType>)) {
          expect(schema.description, `${tool.name}.${field} needs .describe()`).toBeTruthy();
        }
        expect(tool.output).toBeInstanceOf(z.ZodObject);
        expect(z.toJSONSchema(tool.output, { io: 'output' }).type).toBe('object');
        expect(z.toJSONSchema(tool.input, { io: 'input' }).type).toBe('object');
      });

      it('declares whether it needs an Environment and renders a short text', () => {
        expect(typeof tool.needsEnvironment).toBe('boolean');
        expect(typeof tool.render).toBe('function');
      });
    });
  }

  it('hides write tools from a read-only connection', () => {
    const readOnly = toolsForScopes(tools, [SCOPES.read]);
    expect(readOnly.every((t) => t.requiredScope === SCOPES.read)).toBe(true);
    expect(toolsForScopes(tools, [SCOPES.read, SCOPES.write])).toHaveLength(tools.length);
  });
});
