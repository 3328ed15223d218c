// A widget's stylesheets, linked inside its shadow root (the page's styles stay outside):
// files, not inline styles, so a strict CSP needs no 'unsafe-inline'.
const STYLESHEETS = ['styles.css', 'widget.css'].map((name) => new URL(`./${name}`, import.meta.url).href);

export function linkStylesheets(shadowRoot) {
  for (const href of STYLESHEETS) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    shadowRoot.append(link);
  }
}
