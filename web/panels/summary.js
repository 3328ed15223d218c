// Summary: the model as Keras' model.summary() prints it.
export function createSummaryPanel(section, ctx) {
  section.innerHTML = `<details open><summary class="dt__title">Model summary</summary><pre id="model-summary" tabindex="0" aria-label="Model summary table"></pre></details>
    <p class="hint" id="model-origin"></p>`;
  const pre = section.querySelector('pre');
  const origin = section.querySelector('#model-origin');
  const WHERE = { default: 'a ready-trained model', restored: 'your last trained model (kept in this browser)',
    loaded: 'the model file you loaded', created: 'a new, untrained model', trained: 'the model you just trained' };
  ctx.events.addEventListener('model', (e) => {
    pre.textContent = e.detail.info.summary;
    origin.textContent = `Predictions come from ${e.detail.info.name}: ${WHERE[e.detail.origin] ?? e.detail.origin}.`;
  });
  ctx.events.addEventListener('trainend', (e) => {
    const { reason, kept } = e.detail;
    const what = reason !== 'diverged' ? WHERE.trained
      : kept === 'previous' ? 'your model from before the run, kept because the run diverged'
        : 'the best weights of the run that diverged';
    origin.textContent = `Predictions come from ${ctx.session.model?.name}: ${what}.`;
  });
  return {};
}
