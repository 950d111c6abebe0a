import type { ConnectionListing } from '@frameport/platform';
import { html } from './html.ts';
import { layout } from './layout.ts';

export interface ConnectionsView {
  csrf: string;
  user: { email: string };
  connections: ConnectionListing[];
  /** Environments per organization id, for each row's picker. */
  environments: Map<string, { id: string; name: string }[]>;
  notice?: string;
}

const KIND_LABEL = { dcr: 'registered', cimd: 'metadata document' } as const;
const when = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'never');

export function renderConnectionsPage(view: ConnectionsView): string {
  return layout(
    { title: 'Authorized Connections', user: view.user, csrf: view.csrf },
    html`<h1>Authorized Connections</h1>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${
  view.connections.length === 0
    ? html`<p>No connections yet. Connect an MCP client to <code>/mcp</code> and approve it here.</p>`
    : html`<table>
<thead><tr><th>Client</th><th>Organization</th><th>Environment</th><th>Scopes</th><th>Created</th><th>Last used</th><th></th></tr></thead>
<tbody>
${view.connections.map(
  (c) => html`<tr data-connection-id="${c.id}">
<td><strong>${c.clientName}</strong><br><small>${KIND_LABEL[c.clientKind]}</small></td>
<td>${c.organizationName}</td>
<td><form method="post" action="/dashboard/connections/${c.id}/environment">
<input type="hidden" name="csrf" value="${view.csrf}">
<select name="environment_id" aria-label="Environment for ${c.clientName}">
<option value=""${c.environmentId === null ? html` selected` : ''}>Choose when first needed</option>
${(view.environments.get(c.organizationId) ?? []).map(
  (e) => html`<option value="${e.id}"${e.id === c.environmentId ? html` selected` : ''}>${e.name}</option>`,
)}
</select>
<button type="submit" name="action" value="rebind" class="secondary">Save</button>
</form></td>
<td>${c.scopes.join(' ')}</td>
<td>${when(c.createdAt)}</td>
<td>${when(c.lastUsedAt)}</td>
<td><form method="post" action="/dashboard/connections/${c.id}/revoke">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit" name="action" value="revoke">Revoke</button>
</form></td>
</tr>`,
)}
</tbody></table>`
}`,
  );
}
