export {
  createServerKeyForDashboard,
  revokeServerKeyForDashboard,
  listServerKeysForDashboard,
  authenticateServerKey,
  KEY_ADMIN_ROLES,
  type ServerKey,
} from './server-keys.ts';
export {
  createClientKey,
  listClientKeys,
  revokeClientKey,
  findClientKey,
  clientKeyAllowsOrigin,
  createClientKeyInput,
  CLIENT_KEY_MIN_UPLOAD_BYTES,
  CLIENT_KEY_MAX_UPLOAD_BYTES,
  CLIENT_KEY_DEFAULT_UPLOAD_BYTES,
  type ClientKey,
  type CreateClientKeyInput,
} from './client-keys.ts';
