import { html } from './html.ts';
import { layout } from './layout.ts';

/** The page oidc-provider shows when it cannot redirect an error back to the client (renderError). */
export function renderErrorPage(out: { error: string; error_description?: string }): string {
  return layout(
    { title: 'Sign-in problem' },
    html`<h1>This sign-in request cannot continue</h1>
<p class="error"><code>${out.error}</code> ${out.error_description ?? ''}</p>
<p>Start the connection again from your MCP client.</p>`,
  );
}
