import { index, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './columns.ts';

/**
 * oidc-provider's adapter storage: every model (Session, Grant, AuthorizationCode, RefreshToken,
 * Client, Interaction, ...) in one table keyed by (kind, id).
 */
export const oidcModels = pgTable(
  'oidc_models',
  {
    kind: text('kind').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').notNull(),
    grantId: text('grant_id'),
    userCode: text('user_code'),
    uid: text('uid'),
    expiresAt: at('expires_at'),
    consumedAt: at('consumed_at'),
    /**
     * Refresh tokens only: when the one extra use allowed inside the rotation grace window was
     * spent (parallel refreshes by several processes of one client, see INTEROP).
     */
    graceUsedAt: at('grace_used_at'),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.id] }),
    index('oidc_models_grant_idx').on(t.grantId),
    index('oidc_models_uid_idx').on(t.kind, t.uid),
    index('oidc_models_user_code_idx').on(t.kind, t.userCode),
    index('oidc_models_expires_idx').on(t.expiresAt),
  ],
);
