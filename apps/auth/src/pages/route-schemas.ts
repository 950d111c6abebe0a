/** Fastify route schemas for the HTML form routes: bounded shapes, fields checked in the handlers. */
const formValue = { anyOf: [{ type: 'string', maxLength: 2000 }, { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 2000 } }] };

export const formBody = { type: 'object', maxProperties: 20, additionalProperties: formValue } as const;

export const interactionParams = {
  type: 'object',
  properties: { uid: { type: 'string', minLength: 1, maxLength: 128 } },
  required: ['uid'],
} as const;

export const connectionParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
  required: ['id'],
} as const;

export const connectionsQuery = {
  type: 'object',
  properties: { done: { type: 'string', maxLength: 32 } },
} as const;

export const keysQuery = {
  type: 'object',
  properties: { environment: { type: 'string', maxLength: 128 }, done: { type: 'string', maxLength: 32 } },
} as const;
