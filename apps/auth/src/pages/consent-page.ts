import { html } from './html.ts';
import { layout } from './layout.ts';

export interface ConsentView {
  action: string;
  csrf: string;
  user: { email: string };
  client: { name: string; kind: 'dcr' | 'cimd'; id: string };
  redirectHost: string;
  organizations: { id: string; name: string; environments: { id: string; name: string }[] }[];
  selectedOrganizationId: string;
  /** Resource scopes offered; read is always granted, write is on by default. */
  writeRequested: boolean;
  error?: string;
}

const KIND_LABEL = { dcr: 'registered client', cimd: 'client metadata document' } as const;

export function renderConsentPage(view: ConsentView): string {
  const multipleOrgs = view.organizations.length > 1;
  const selectedOrg = view.organizations.find((o) => o.id === view.selectedOrganizationId) ?? view.organizations[0];
  return layout(
    { title: 'Authorize connection', user: view.user, csrf: view.csrf },
    html`<h1>Connect ${view.client.name} to Frameport?</h1>
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<dl>
<dt>Client</dt><dd><strong>${view.client.name}</strong> (${KIND_LABEL[view.client.kind]})${
      view.client.kind === 'cimd' ? html`<br><code>${view.client.id}</code>` : ''
    }</dd>
<dt>Returns to</dt><dd><code>${view.redirectHost}</code></dd>
<dt>Signed in as</dt><dd>${view.user.email}</dd>
${multipleOrgs ? '' : html`<dt>Organization</dt><dd>${selectedOrg?.name ?? ''}</dd>`}
</dl>
<form method="post" action="${view.action}">
<input type="hidden" name="csrf" value="${view.csrf}">
${
  multipleOrgs
    ? html`<label for="organization_id">Organization</label>
<select id="organization_id" name="organization_id">${view.organizations.map(
        (o) => html`<option value="${o.id}"${o.id === selectedOrg?.id ? html` selected` : ''}>${o.name}</option>`,
      )}</select>`
    : html`<input type="hidden" name="organization_id" value="${selectedOrg?.id ?? ''}">`
}
<label for="environment_id">Environment</label>
<select id="environment_id" name="environment_id">
<option value="">Choose when first needed</option>
${view.organizations.map(
  (o) =>
    html`<optgroup label="${o.name}">${o.environments.map((e) => html`<option value="${e.id}">${e.name}</option>`)}</optgroup>`,
)}
</select>
<fieldset class="checks"><legend>Permissions</legend>
<label><input type="checkbox" name="scope" value="images:read" checked disabled> Read images (always included)</label>
<input type="hidden" name="scope" value="images:read">
<label><input type="checkbox" name="scope" value="images:write"${view.writeRequested ? html` checked` : ''}> Upload and change images</label>
</fieldset>
<p>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</p>
</form>`,
  );
}
