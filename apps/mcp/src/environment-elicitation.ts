import type { Database } from '@frameport/db';
import type { Principal } from '@frameport/image-tools';
import { bindEnvironment, getConnectionForUser, getEnvironment, listEnvironments, type Environment } from '@frameport/platform';
import {
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  inputResponse,
  type ClientCapabilities,
  type InputRequiredResult,
  type McpServer,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';

/** What the sealed requestState carries between rounds; the codec binds it to the principal. */
export interface ElicitationState {
  step: 'environment';
  tool: string;
}

export const ENVIRONMENT_INPUT_KEY = 'environment';

export type EnvironmentResolution =
  | { kind: 'ready'; environment: Environment }
  | { kind: 'input_required'; result: InputRequiredResult }
  | { kind: 'unavailable'; code: 'environment_declined' | 'elicitation_unsupported' | 'environment_invalid'; message: string };

export interface EnvironmentResolverDeps {
  db: Database;
  codec: RequestStateCodec<unknown>;
  dashboardUrl: string;
}

/**
 * Form elicitation support (spec 2025-11-25 client/elicitation §Capabilities): an empty
 * `elicitation` object means form mode; `{ url }` alone does not include it. On 2026-07-28 the
 * request's envelope declares the capabilities; on a 2025 session the initialize handshake did.
 */
function supportsFormElicitation(server: McpServer, ctx: ServerContext): boolean {
  const declared =
    ((ctx.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.server.getClientCapabilities();
  const elicitation = declared?.elicitation as { form?: object; url?: object } | undefined;
  if (!elicitation) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

function environmentList(environments: Environment[]): string {
  return environments.map((e) => `${e.name} (${e.id})`).join(', ');
}

function unavailableMessage(tool: string, environments: Environment[], dashboardUrl: string, reason: string): string {
  return (
    `${reason} ${tool} works inside one Environment and this connection has none linked. ` +
    `Your Environments: ${environmentList(environments) || 'none'}. ` +
    `Ask the user to link one to this connection at ${dashboardUrl}/connections, then call ${tool} again.`
  );
}

/**
 * The connection's Environment, written once in multi-round-trip style (2026-07-28 basic/patterns/mrtr):
 * when none is linked, return `input_required` with a titled single-select of the user's
 * Environments and a sealed requestState; on the retry, validate the answer, store it on the
 * connection (the dashboard shows it at once) and continue. On 2025 sessions the SDK's legacy
 * shim sends the same request as `elicitation/create` on the tools/call stream and re-enters here.
 */
export async function resolveEnvironment(
  deps: EnvironmentResolverDeps,
  server: McpServer,
  ctx: ServerContext,
  principal: Principal,
  tool: string,
): Promise<EnvironmentResolution> {
  const { userId, organizationId, connectionId } = principal;
  // Read on every call, never cached: a rebind in the dashboard applies to the next call.
  const connection = await getConnectionForUser(deps.db, { userId, connectionId });
  if (connection.environmentId) {
    const environment = await getEnvironment(deps.db, { userId, organizationId, environmentId: connection.environmentId });
    return { kind: 'ready', environment };
  }
  const environments = await listEnvironments(deps.db, { userId, organizationId });

  const state = ctx.mcpReq.requestState<ElicitationState | string>();
  const answer = inputResponse(ctx.mcpReq.inputResponses, ENVIRONMENT_INPUT_KEY);
  // An answer counts only alongside the state this server sealed for this principal (verified by the codec).
  if (answer.kind === 'elicit' && typeof state === 'object' && state?.step === 'environment') {
    if (answer.action !== 'accept') {
      return {
        kind: 'unavailable',
        code: 'environment_declined',
        message: unavailableMessage(tool, environments, deps.dashboardUrl, 'No Environment was chosen.'),
      };
    }
    const chosen = answer.content?.[ENVIRONMENT_INPUT_KEY];
    const environment = environments.find((e) => e.id === chosen);
    if (!environment) {
      return {
        kind: 'unavailable',
        code: 'environment_invalid',
        message: unavailableMessage(tool, environments, deps.dashboardUrl, 'The chosen Environment is not one of yours.'),
      };
    }
    await bindEnvironment(deps.db, { userId, connectionId, environmentId: environment.id });
    return { kind: 'ready', environment };
  }

  if (environments.length === 0 || !supportsFormElicitation(server, ctx)) {
    return {
      kind: 'unavailable',
      code: 'elicitation_unsupported',
      message: unavailableMessage(tool, environments, deps.dashboardUrl, 'This client cannot ask the user to choose an Environment.'),
    };
  }

  return {
    kind: 'input_required',
    result: inputRequired({
      inputRequests: {
        [ENVIRONMENT_INPUT_KEY]: inputRequired.elicit({
          message: `Choose the Frameport Environment this connection (${connection.clientName}) should use. You can change it later in the dashboard.`,
          requestedSchema: {
            type: 'object',
            properties: {
              [ENVIRONMENT_INPUT_KEY]: {
                type: 'string',
                title: 'Environment',
                description: 'Images are uploaded to and read from this Environment.',
                // Titled single-select (2025-11-25 elicitation schema, SEP-1330): ids as values, names as labels.
                oneOf: environments.map((e) => ({ const: e.id, title: `${e.name} (${e.slug})` })),
              },
            },
            required: [ENVIRONMENT_INPUT_KEY],
          },
        }),
      },
      requestState: await deps.codec.mint({ step: 'environment', tool }, ctx),
    }),
  };
}
