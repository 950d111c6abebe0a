import type { ServerKey } from '@frameport/platform';
import { html } from './html.ts';
import { layout } from './layout.ts';

export interface EnvironmentChoice {
  id: string;
  name: string;
  organizationId: string;
  organizationName: string;
}

export interface KeysView {
  csrf: string;
  user: { email: string };
  environments: EnvironmentChoice[];
  selected: EnvironmentChoice;
  keys: ServerKey[];
  canManage: boolean;
  /** A key just created: shown on this response only. */
  created?: { name: string; key: string };
  notice?: string;
  error?: string;
}

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : 'never');
const label = (e: EnvironmentChoice, many: boolean) => (many ? `${e.organizationName} / ${e.name}` : e.name);

export function renderKeysPage(view: KeysView): string {
  const manyOrgs = new Set(view.environments.map((e) => e.organizationId)).size > 1;
  const active = view.keys.filter((k) => !k.revokedAt);
  return layout(
    { title: 'Server API Keys', user: view.user, csrf: view.csrf },
    html`<h1>Server API Keys</h1>
<p>A Server API Key (<code>sk_…</code>) lets your backend call the REST API for one Environment. Keep it on the server: agents connected through MCP never see or create these keys.</p>
<form method="get" action="/dashboard/keys">
<label for="environment">Environment</label>
<select id="environment" name="environment">
${view.environments.map((e) => html`<option value="${e.id}"${e.id === view.selected.id ? html` selected` : ''}>${label(e, manyOrgs)}</option>`)}
</select>
<p><button type="submit" class="secondary">Show keys</button></p>
</form>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${
  view.created
    ? html`<div class="notice" role="status" data-created-key>
<p><strong>${view.created.name}</strong> was created. Copy the key now: it is not stored and will not be shown again.</p>
<p><code id="new-key">${view.created.key}</code></p>
</div>`
    : ''
}
${
  view.canManage
    ? html`<form method="post" action="/dashboard/keys">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="environment_id" value="${view.selected.id}">
<label for="key-name">New key name</label>
<input type="text" id="key-name" name="name" required maxlength="100" placeholder="e.g. production backend">
<p><button type="submit" name="action" value="create">Create key for ${view.selected.name}</button></p>
</form>`
    : html`<p>Only an organization OWNER or ADMIN can create or revoke keys.</p>`
}
${
  active.length === 0
    ? html`<p>No active keys in ${view.selected.name}.</p>`
    : html`<table>
<thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th><th></th></tr></thead>
<tbody>
${active.map(
  (k) => html`<tr data-key-id="${k.id}">
<td>${k.name}</td><td><code>${k.prefix}…</code></td><td>${when(k.createdAt)}</td><td>${when(k.lastUsedAt)}</td>
<td>${
    view.canManage
      ? html`<form method="post" action="/dashboard/keys/${k.id}/revoke">
<input type="hidden" name="csrf" value="${view.csrf}">
<input type="hidden" name="environment_id" value="${view.selected.id}">
<button type="submit" name="action" value="revoke">Revoke</button>
</form>`
      : ''
  }</td>
</tr>`,
)}
</tbody></table>`
}`,
  );
}
