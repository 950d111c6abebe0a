import { html, Html } from './html.ts';

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 24px;display:flex;justify-content:space-between;align-items:center}
header a{color:#fff;margin-left:16px}
main{max-width:760px;margin:32px auto;background:#fff;padding:28px 32px;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:12px 0 4px;font-weight:600}
input[type=email],input[type=password],input[type=text],select{width:100%;padding:8px;box-sizing:border-box;border:1px solid #c5cad3;border-radius:4px}
.checks label{font-weight:400;display:flex;gap:8px;align-items:center}
button{padding:8px 18px;border-radius:4px;border:1px solid #1d2330;background:#1d2330;color:#fff;cursor:pointer;margin-right:8px}
button.secondary{background:#fff;color:#1d2330}
.error{background:#fde8e8;color:#8a1c1c;padding:10px 12px;border-radius:4px}
.notice{background:#e8f3fd;padding:10px 12px;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px}dt{font-weight:600}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{border-bottom:1px solid #e3e6eb;padding:8px 6px;text-align:left;vertical-align:top}
td form{display:inline}
code{background:#f0f1f4;padding:1px 4px;border-radius:3px}
`;

export interface LayoutOptions {
  title: string;
  /** The signed-in user's email, to show the dashboard navigation. */
  user?: { email: string } | null;
  csrf?: string;
}

export function layout(options: LayoutOptions, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · Frameport</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header><strong>Frameport</strong>${
    options.user
      ? html`<nav><span>${options.user.email}</span><a href="/dashboard/connections">Authorized Connections</a><a href="/dashboard/keys">Server API Keys</a><form method="post" action="/logout" style="display:inline"><input type="hidden" name="csrf" value="${options.csrf ?? ''}"><button class="secondary" type="submit" style="margin-left:16px">Log out</button></form></nav>`
      : ''
  }</header>
<main>
${body}
</main>
</body>
</html>`.value;
}
