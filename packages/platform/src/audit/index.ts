export { recordToolCall, argumentsDigest, USER_AGENT_MAX_CHARS, type ToolCallRecord } from './audit.ts';
