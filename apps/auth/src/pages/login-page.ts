import { html } from './html.ts';
import { layout } from './layout.ts';

export interface AccountFormView {
  /** Where the form posts: `/login`, or `/interaction/<uid>/login` inside an authorization. */
  action: string;
  /** Link to the other form (sign-up from log-in and back), keeping the authorization. */
  switchHref: string;
  csrf: string;
  email?: string;
  error?: string;
  /** Shown when the page interrupts an authorization. */
  clientName?: string;
}

export function renderLoginPage(view: AccountFormView): string {
  return layout(
    { title: 'Log in' },
    html`<h1>Log in to Frameport</h1>
${view.clientName ? html`<p class="notice">Log in to continue connecting <strong>${view.clientName}</strong>.</p>` : ''}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${view.action}">
<input type="hidden" name="csrf" value="${view.csrf}">
<label for="email">Email</label>
<input id="email" type="email" name="email" autocomplete="username" required value="${view.email ?? ''}">
<label for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" required>
<p><button type="submit">Log in</button></p>
</form>
<p>No account yet? <a href="${view.switchHref}">Sign up</a></p>`,
  );
}

export function renderSignUpPage(view: AccountFormView & { minPasswordLength: number }): string {
  return layout(
    { title: 'Sign up' },
    html`<h1>Create your Frameport account</h1>
${view.clientName ? html`<p class="notice">Sign up to continue connecting <strong>${view.clientName}</strong>.</p>` : ''}
${view.error ? html`<p class="error" role="alert">${view.error}</p>` : ''}
<form method="post" action="${view.action}">
<input type="hidden" name="csrf" value="${view.csrf}">
<label for="email">Email</label>
<input id="email" type="email" name="email" autocomplete="username" required value="${view.email ?? ''}">
<label for="password">Password (at least ${view.minPasswordLength} characters)</label>
<input id="password" type="password" name="password" autocomplete="new-password" required minlength="${view.minPasswordLength}">
<p><button type="submit">Sign up</button></p>
</form>
<p>Already have an account? <a href="${view.switchHref}">Log in</a></p>`,
  );
}
