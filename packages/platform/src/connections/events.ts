import type { DbHandle } from '@frameport/db';

export const CONNECTIONS_CHANNEL = 'frameport_connections';

export interface ConnectionEvent {
  type: 'revoked' | 'rebound';
  connectionId: string;
  grantId: string;
}

/**
 * Subscribes to committed connection changes. The same LISTEN/NOTIFY path serves both
 * deployments: on PostgreSQL every instance hears every change; on embedded PGlite the
 * notification stays inside the one process that owns the database.
 */
export async function subscribeToConnectionEvents(
  handle: Pick<DbHandle, 'listen'>,
  onEvent: (event: ConnectionEvent) => void,
): Promise<() => Promise<void>> {
  return handle.listen(CONNECTIONS_CHANNEL, (payload) => {
    let event: ConnectionEvent;
    try {
      event = JSON.parse(payload) as ConnectionEvent;
    } catch {
      return; // Not ours: someone else NOTIFYing on the channel.
    }
    onEvent(event);
  });
}
