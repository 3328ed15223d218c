// A widget's stylesheets, linked inside its shadow root (the page's styles stay outside):
// files, not inline styles, so a strict CSP needs no 'unsafe-inline'.
const STYLESHEETS = ['styles.css', 'widget.css'].map((name) => new URL(`./${name}`, import.meta.url).href);

// Resolves when every sheet has loaded (or failed: the widget is shown unstyled then).
export function linkStylesheets(shadowRoot) {
  return Promise.all(STYLESHEETS.map((href) => new Promise((resolve) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
    shadowRoot.append(link);
  })));
}
