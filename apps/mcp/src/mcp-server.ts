import type { Database } from '@frameport/db';
import { toolsForScopes, ToolError, type AnyToolDefinition, type Principal, type ToolContext } from '@frameport/image-tools';
import { isPlatformError, recordToolCall, type ImageContext } from '@frameport/platform';
import {
  McpServer,
  type CallToolResult,
  type RequestStateCodec,
  type ServerContext,
  type StandardSchemaWithJSON,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { FastifyBaseLogger } from 'fastify';
import { resolveEnvironment } from './environment-elicitation.ts';
import { requestInfoFromContext } from './request-info.ts';

export interface McpServerDeps {
  db: Database;
  /** The image platform the tools act on (built once per app from the platform config). */
  images: ImageContext;
  tools: readonly AnyToolDefinition[];
  codec: RequestStateCodec<unknown>;
  urls: { dashboard: string; api: string };
  log: FastifyBaseLogger;
}

const INSTRUCTIONS =
  'Frameport stores, transforms and delivers images. Every image tool acts inside the Environment linked to this ' +
  'connection; call whoami to see it. Server API Keys are never available here: send the user to the dashboard.';

const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text }] });

type CheckedArguments = { ok: true; value: unknown } | { ok: false; raw: unknown; message: string };

/**
 * The tool's input schema as the SDK sees it: the same JSON Schema in tools/list, but validation
 * always "succeeds" with a verdict, so a call with bad arguments still reaches the handler wrapper
 * and gets its audit row before the error goes back.
 */
function checkedInput(schema: z.ZodObject): StandardSchemaWithJSON<unknown, CheckedArguments> {
  return {
    '~standard': {
      version: 1,
      vendor: 'frameport',
      validate: (value: unknown) => {
        const result = schema.safeParse(value ?? {});
        return {
          value: result.success ? { ok: true, value: result.data } : { ok: false, raw: value, message: z.prettifyError(result.error) },
        };
      },
      jsonSchema: schema['~standard'].jsonSchema,
    },
  };
}

/**
 * One McpServer per principal and serving unit (a 2026-07-28 request, or a 2025 session). Only the
 * tools the principal's scopes allow are registered, so a read-only connection's tools/list has no
 * write tool; calling one is refused earlier, at the HTTP layer, with the step-up 403.
 */
export function buildMcpServer(deps: McpServerDeps, principal: Principal): McpServer {
  const server = new McpServer(
    { name: 'frameport', version: '0.1.0' },
    {
      capabilities: { tools: {} },
      instructions: INSTRUCTIONS,
      requestState: { verify: deps.codec.verify },
      // Bounds the work an oversized arguments object can cause before validation rejects it.
      maxToolInputElements: 10_000,
    },
  );
  for (const tool of toolsForScopes(deps.tools, principal.scopes)) registerTool(server, deps, tool);
  return server;
}

function registerTool(server: McpServer, deps: McpServerDeps, tool: AnyToolDefinition): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: checkedInput(tool.input),
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    async (checked: CheckedArguments, ctx: ServerContext) => {
      const started = performance.now();
      const args = checked.ok ? checked.value : checked.raw;
      const { principal, ip, userAgent } = requestInfoFromContext(ctx);
      let environmentId: string | null = null;
      const audit = (outcome: 'ok' | 'error', errorCode: string | null) =>
        recordToolCall(deps.db, {
          organizationId: principal.organizationId,
          userId: principal.userId,
          connectionId: principal.connectionId,
          environmentId,
          tool: tool.name,
          args,
          outcome,
          errorCode,
          latencyMs: performance.now() - started,
          ip,
          userAgent,
        }).catch((error) => deps.log.error({ err: error, tool: tool.name }, 'audit write failed'));

      if (!checked.ok) {
        await audit('error', 'invalid_arguments');
        return toolError(`Invalid arguments for ${tool.name}:\n${checked.message}`);
      }
      try {
        const toolCtx: ToolContext = {
          principal,
          environment: null,
          services: { db: deps.db, images: deps.images, urls: deps.urls },
          signal: ctx.mcpReq.signal,
          reportProgress: async (progress, total, message) => {
            const progressToken = ctx.mcpReq._meta?.progressToken;
            if (progressToken === undefined) return;
            await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress, total, message } });
          },
        };
        if (tool.needsEnvironment) {
          const resolution = await resolveEnvironment({ ...deps, dashboardUrl: deps.urls.dashboard }, server, ctx, principal, tool.name);
          // An intermediate round is not a call outcome: the audit row is written when the call completes.
          if (resolution.kind === 'input_required') return resolution.result;
          if (resolution.kind === 'unavailable') {
            await audit('error', resolution.code);
            return toolError(resolution.message);
          }
          toolCtx.environment = resolution.environment;
          environmentId = resolution.environment.id;
        }
        // A handler whose result breaks its own output schema is a server bug: reported generically, audited as such.
        const output = tool.output.parse(await tool.handler(args, toolCtx));
        await audit('ok', null);
        return { content: [{ type: 'text', text: tool.render(output) }], structuredContent: output };
      } catch (error) {
        if (error instanceof ToolError) {
          await audit('error', error.code);
          return toolError(error.message);
        }
        if (isPlatformError(error)) {
          await audit('error', error.code);
          return toolError(error.message);
        }
        deps.log.error({ err: error, tool: tool.name }, 'tool failed unexpectedly');
        await audit('error', 'internal_error');
        return toolError(`${tool.name} failed because of a problem on Frameport's side. Try again later.`);
      }
    },
  );
}
