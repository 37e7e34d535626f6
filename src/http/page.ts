import { createHash } from 'node:crypto';
import { escapeHtml } from '../render/index.js';

/**
 * The one stylesheet of the service's own pages (unsubscribe, preferences, archive index,
 * errors). Inline so a page is one request on a slow phone connection; allowed by its hash
 * in the Content-Security-Policy rather than by 'unsafe-inline'.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6475;--bg:#f6f7f9;--card:#fff;--line:#dde1e8;--accent:#1f5fbf;--danger:#b3261e}
@media (prefers-color-scheme:dark){:root{--fg:#e8ebf1;--muted:#a3abba;--bg:#14171c;--card:#1d2129;--line:#323844;--accent:#7fb0ff;--danger:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1.5rem}
h1{font-size:1.4rem;line-height:1.25;margin:0 0 .75rem}
p{margin:.5rem 0}
.muted{color:var(--muted);font-size:.9rem}
.notice{border-left:4px solid var(--accent);padding:.25rem .75rem;margin:0 0 1rem}
.notice.bad{border-color:var(--danger)}
button{font:inherit;font-weight:600;border:0;border-radius:8px;padding:.7rem 1.2rem;min-height:44px;background:var(--accent);color:#fff;cursor:pointer;width:100%}
button.secondary{background:transparent;color:var(--accent);border:1px solid var(--line)}
form{margin:1rem 0 0}
ul.lists{list-style:none;padding:0;margin:1rem 0 0}
ul.lists li{border-top:1px solid var(--line);padding:1rem 0}
ul.lists form{margin:.5rem 0 0}
a{color:var(--accent)}
.email{word-break:break-all;font-weight:600}
label{display:block;margin:.9rem 0 .3rem;font-weight:600}
label.check{font-weight:400;margin:.4rem 0}
input[type=email],input[type=text]{font:inherit;width:100%;padding:.6rem .7rem;min-height:44px;border:1px solid var(--muted);border-radius:8px;background:var(--card);color:var(--fg)}
fieldset{border:0;padding:0;margin:1rem 0 0}
legend{font-weight:600;padding:0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
@media (min-width:30rem){button{width:auto}}
`;

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/**
 * The CSP of the service's own pages: no script at all, only the stylesheet above, and forms
 * that post back to this origin.
 */
export const PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; form-action 'self'; ` +
  `base-uri 'none'; frame-ancestors 'none'`;

/** Escapes text for HTML; every value that reaches a page goes through it. */
export const h = escapeHtml;

export interface PageOptions {
  /** Plain text; escaped here. */
  title: string;
  /** Trusted HTML built with `h()` around every value. */
  body: string;
  /** BCP 47 language of the page's words. @defaultValue "en" */
  lang?: string;
  /** Keeps token pages and error pages out of search engines. @defaultValue true */
  noindex?: boolean;
}

/** A small, mobile-friendly page around `body`. */
export function renderPage(opts: PageOptions): string {
  return `<!doctype html>
<html lang="${h(opts.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${opts.noindex === false ? '' : '<meta name="robots" content="noindex">\n'}<title>${h(opts.title)}</title>
<style>${STYLE}</style>
</head>
<body><main><div class="card">
${opts.body}
</div></main></body>
</html>
`;
}
