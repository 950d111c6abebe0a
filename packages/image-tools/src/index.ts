export {
  defineTool,
  ToolError,
  SCOPES,
  scopeOf,
  type AnyToolDefinition,
  type EnvironmentToolContext,
  type Principal,
  type ToolAnnotations,
  type ToolContext,
  type ToolDefinition,
  type ToolHandler,
  type ToolScope,
  type ToolServices,
  type ToolSpec,
} from './define-tool.ts';
export { tools, toolsForScopes } from './registry.ts';
