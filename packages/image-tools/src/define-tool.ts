import type { Database } from '@frameport/db';
import type { Environment, EnvironmentScope, ImageContext } from '@frameport/platform';
import type { z } from 'zod';

/** OAuth scopes an MCP connection can hold (the authorization server grants them per connection). */
export const SCOPES = { read: 'images:read', write: 'images:write' } as const;
export type ToolScope = (typeof SCOPES)[keyof typeof SCOPES];

/** Who is calling: the verified access token's connection, never anything the model sent. */
export interface Principal {
  userId: string;
  organizationId: string;
  connectionId: string;
  grantId: string;
  clientId: string;
  scopes: readonly string[];
}

/**
 * What tools reach besides the principal. Grouped by feature so the image platform's services
 * (images, uploads, transforms, downloads, usage, metrics) are added here without touching tools
 * that do not use them.
 */
export interface ToolServices {
  db: Database;
  /**
   * The image platform as the hosting app built it: storage, CDN/API base URLs (apps/api's public
   * URL), the signing secret apps/api verifies upload URLs with, the plan, and a download queue
   * that only enqueues (apps/api works it).
   */
  images: ImageContext;
  urls: {
    /** Base of the dashboard pages (`…/dashboard`). */
    dashboard: string;
    /** Public base of the platform API and CDN. */
    api: string;
  };
}

export interface ToolContext {
  principal: Principal;
  /** The connection's linked Environment, read from the connections table for this call; null for tools that do not need one. */
  environment: Environment | null;
  services: ToolServices;
  /** Aborted when the client cancels the call. */
  signal: AbortSignal;
  /** Sends `notifications/progress` when the caller supplied a progress token; a no-op otherwise. */
  reportProgress(progress: number, total?: number, message?: string): Promise<void>;
}

export type EnvironmentToolContext = ToolContext & { environment: Environment };

/** The platform scope of a tool call: the principal's organization and the linked Environment, never anything the model sent. */
export function scopeOf(ctx: EnvironmentToolContext): EnvironmentScope {
  return { organizationId: ctx.principal.organizationId, environmentId: ctx.environment.id };
}

/** MCP tool annotations (spec: server/tools, ToolAnnotations). All four are stated explicitly on every tool. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolSpec<I extends z.ZodObject, O extends z.ZodObject, N extends boolean> {
  /** snake_case; the file is the kebab-case of it. */
  name: string;
  title: string;
  /** Written for a model: when to use the tool and what to do next. */
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  requiredScope: ToolScope;
  /** True when the tool acts inside the connection's Environment (elicited when none is linked). */
  needsEnvironment: N;
  /** The short text rendering sent beside `structuredContent`. */
  render(output: z.output<O>): string;
}

export type ToolHandler<I extends z.ZodObject, O extends z.ZodObject, N extends boolean> = (
  args: z.output<I>,
  ctx: N extends true ? EnvironmentToolContext : ToolContext,
) => Promise<z.output<O>>;

export interface ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject, N extends boolean = boolean>
  extends ToolSpec<I, O, N> {
  handler: ToolHandler<I, O, N>;
}

// biome-ignore lint: the registry holds tools of every shape.
export type AnyToolDefinition = ToolDefinition<any, any, any>;

export function defineTool<I extends z.ZodObject, O extends z.ZodObject, N extends boolean>(
  spec: ToolSpec<I, O, N>,
  handler: ToolHandler<I, O, N>,
): ToolDefinition<I, O, N> {
  return { ...spec, handler };
}

/**
 * An expected failure whose message is written for the model and safe to show: it names what was
 * wrong and what to do. Anything else thrown by a handler is reported generically.
 */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly code: string;
  constructor(message: string, code = 'tool_error') {
    super(message);
    this.code = code;
  }
}
