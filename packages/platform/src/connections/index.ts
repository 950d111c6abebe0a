export {
  createConnection,
  getConnectionByGrantId,
  getConnectionForUser,
  listConnectionsForUser,
  bindEnvironment,
  revokeConnection,
  revokeConnectionByGrantId,
  touchConnectionByGrantId,
  touchConnection,
  type Connection,
  type ConnectionListing,
  type CreateConnectionInput,
  type ClientKind,
} from './connections.ts';
export { subscribeToConnectionEvents, CONNECTIONS_CHANNEL, type ConnectionEvent } from './events.ts';
