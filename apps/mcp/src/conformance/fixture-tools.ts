/**
 * The conformance suite's fixture tools (names and behaviour fixed by
 * @modelcontextprotocol/conformance scenarios), registered only on the conformance test instance,
 * after Frameport's own tools. Adapted from the SDK's test/conformance/src/everythingServer.ts.
 */
import { randomUUID } from 'node:crypto';
import {
  acceptedContent,
  CLIENT_CAPABILITIES_META_KEY,
  inputRequired,
  ProtocolError,
  ProtocolErrorCode,
  type CallToolResult,
  type InputRequests,
  type InputRequiredResult,
  type McpServer,
  type RequestStateCodec,
} from '@modelcontextprotocol/server';
import { z } from 'zod';

const nameSchema = { type: 'object' as const, properties: { name: { type: 'string' as const } }, required: ['name'] };
const confirmSchema = { type: 'object' as const, properties: { ok: { type: 'boolean' as const } }, required: ['ok'] };
const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

export function registerConformanceFixtures(server: McpServer, codec: RequestStateCodec<unknown>): void {
  server.registerTool('test_simple_text', { description: 'Returns simple text content', inputSchema: z.object({}) }, async () =>
    text('This is a simple text response for testing.'),
  );

  // server-stateless (SEP-2575) diagnostics: names fixed by the scenario.
  server.registerTool(
    'test_missing_capability',
    { description: 'Requires the sampling client capability (drives the -32021 undeclared-capability rejection)', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      if (ctx.mcpReq.inputResponses?.['llm_answer'] === undefined) {
        return inputRequired({
          inputRequests: {
            llm_answer: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'Reply with the single word: pong' } }],
              maxTokens: 16,
            }),
          },
        });
      }
      return text('sampling round-trip complete');
    },
  );
  server.registerTool(
    'test_streaming_elicitation',
    { description: 'Yields a response stream carrying no independent top-level JSON-RPC requests', inputSchema: z.object({}) },
    async () => text('stream observed: result frames only, no top-level requests'),
  );
  server.registerTool(
    'test_logging_tool',
    { description: 'Logs via ctx.mcpReq.log so the no-log-without-logLevel rule is exercised', inputSchema: z.object({}) },
    async (_args, ctx) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran').catch(() => {});
      return text('logged through the request-scoped, logLevel-gated channel');
    },
  );

  // 2025-era push-style elicitation (tools-call-elicitation): needs the sessionful transport.
  server.registerTool(
    'test_elicitation',
    { description: 'Requests user input from the client', inputSchema: z.object({ message: z.string().describe('The message to show the user') }) },
    async (args, ctx) => {
      try {
        const result = await ctx.mcpReq.elicitInput({
          message: args.message,
          requestedSchema: {
            type: 'object',
            properties: { username: { type: 'string', description: "User's response" }, email: { type: 'string', description: "User's email address" } },
            required: ['username', 'email'],
          },
        });
        return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
      } catch (error) {
        return { isError: true, content: [{ type: 'text', text: `Elicitation failed: ${error instanceof Error ? error.message : String(error)}` }] };
      }
    },
  );

  server.registerTool(
    'test_input_required_result_elicitation',
    { description: 'MRTR: asks for the caller name via an in-band elicitation request', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'user_name')?.name;
      if (typeof name !== 'string') {
        return inputRequired({ inputRequests: { user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema }) } });
      }
      return text(`Hello, ${name}!`);
    },
  );

  server.registerTool(
    'test_input_required_result_sampling',
    { description: 'MRTR: asks for an LLM completion via an in-band sampling request', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const response = ctx.mcpReq.inputResponses?.['capital_question'] as { content?: { text?: string } } | undefined;
      if (response === undefined) {
        return inputRequired({
          inputRequests: {
            capital_question: inputRequired.createMessage({
              messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
              maxTokens: 100,
            }),
          },
        });
      }
      return text(`Sampling response: ${response.content?.text ?? JSON.stringify(response)}`);
    },
  );

  server.registerTool(
    'test_input_required_result_list_roots',
    { description: 'MRTR: asks for the client roots via an in-band roots/list request', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const response = ctx.mcpReq.inputResponses?.['client_roots'] as { roots?: { uri?: string }[] } | undefined;
      if (!Array.isArray(response?.roots)) return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
      return text(`Client exposed ${response.roots.length} root(s): ${response.roots.map((r) => r.uri).join(', ')}`);
    },
  );

  server.registerTool(
    'test_input_required_result_request_state',
    { description: 'MRTR: round-trips integrity-protected requestState alongside an elicitation request', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      if (acceptedContent(ctx.mcpReq.inputResponses, 'confirm') === undefined) {
        return inputRequired({
          inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: confirmSchema }) },
          requestState: await codec.mint({ tool: 'request_state', nonce: randomUUID() }, ctx),
        });
      }
      if (ctx.mcpReq.requestState() === undefined) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid requestState: missing or failed integrity verification');
      }
      return text('state-ok: requestState verified and confirmation received');
    },
  );

  server.registerTool(
    'test_input_required_result_multiple_inputs',
    { description: 'MRTR: asks for elicitation, sampling and roots input in a single round', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const responses = ctx.mcpReq.inputResponses;
      const name = acceptedContent<{ name: string }>(responses, 'user_name')?.name;
      const greeting = (responses?.['greeting'] as { content?: { text?: string } } | undefined)?.content?.text;
      const roots = (responses?.['client_roots'] as { roots?: unknown[] } | undefined)?.roots;
      if (typeof name !== 'string' || typeof greeting !== 'string' || !Array.isArray(roots)) {
        return inputRequired({
          inputRequests: {
            user_name: inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema }),
            greeting: inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }], maxTokens: 50 }),
            client_roots: inputRequired.listRoots(),
          },
          requestState: await codec.mint({ tool: 'multiple_inputs', nonce: randomUUID() }, ctx),
        });
      }
      return text(`${greeting} ${name} — ${roots.length} root(s) visible`);
    },
  );

  server.registerTool(
    'test_input_required_result_multi_round',
    { description: 'MRTR: two elicitation rounds with evolving requestState before completing', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      const state = ctx.mcpReq.requestState<Record<string, unknown>>();
      const round = state?.tool === 'multi_round' && typeof state.round === 'number' ? state.round : 0;
      if (round === 0) {
        return inputRequired({
          inputRequests: { step1: inputRequired.elicit({ message: 'Step 1: What is your name?', requestedSchema: nameSchema }) },
          requestState: await codec.mint({ tool: 'multi_round', round: 1, nonce: randomUUID() }, ctx),
        });
      }
      if (round === 1) {
        const name = acceptedContent<{ name: string }>(ctx.mcpReq.inputResponses, 'step1')?.name ?? 'unknown';
        return inputRequired({
          inputRequests: {
            step2: inputRequired.elicit({
              message: 'Step 2: What is your favorite color?',
              requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
            }),
          },
          requestState: await codec.mint({ tool: 'multi_round', round: 2, name, nonce: randomUUID() }, ctx),
        });
      }
      const color = acceptedContent<{ color: string }>(ctx.mcpReq.inputResponses, 'step2')?.color ?? 'unknown';
      return text(`Multi-round complete: ${String(state?.name ?? 'unknown')} likes ${color}`);
    },
  );

  server.registerTool(
    'test_input_required_result_tampered_state',
    { description: 'MRTR: rejects retries whose requestState fails integrity verification', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      if (ctx.mcpReq.requestState() !== undefined && acceptedContent(ctx.mcpReq.inputResponses, 'confirm') !== undefined) {
        return text('integrity-ok: requestState verified');
      }
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit({ message: 'Please confirm', requestedSchema: confirmSchema }) },
        requestState: await codec.mint({ tool: 'tampered_state', nonce: randomUUID() }, ctx),
      });
    },
  );

  server.registerTool(
    'test_input_required_result_capabilities',
    { description: 'MRTR: only requests input kinds the declared client capabilities cover', inputSchema: z.object({}) },
    async (_args, ctx): Promise<CallToolResult | InputRequiredResult> => {
      if (ctx.mcpReq.inputResponses !== undefined) return text('Capability-aware input requests fulfilled');
      const declared = (ctx.mcpReq.envelope as Record<string, { elicitation?: unknown; sampling?: unknown; roots?: unknown }> | undefined)?.[
        CLIENT_CAPABILITIES_META_KEY
      ];
      const inputRequests: InputRequests = {};
      if (declared?.elicitation !== undefined) {
        inputRequests.user_name = inputRequired.elicit({ message: 'What is your name?', requestedSchema: nameSchema });
      }
      if (declared?.sampling !== undefined) {
        inputRequests.greeting = inputRequired.createMessage({
          messages: [{ role: 'user', content: { type: 'text', text: 'Generate a short greeting' } }],
          maxTokens: 50,
        });
      }
      if (declared?.roots !== undefined) inputRequests.client_roots = inputRequired.listRoots();
      if (Object.keys(inputRequests).length === 0) return text('No declared client capability supports an in-band input request');
      return inputRequired({ inputRequests });
    },
  );
}
