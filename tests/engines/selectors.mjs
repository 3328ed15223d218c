// Every CSS selector the cross-engine suite uses, in one place: the rest of the suite talks
// to the widget through its public API and events (README, "Embedding the widget"),
// window.digitrain on the demo page, and the <digit-pad> element. If the widget's markup
// changes, this is the file to update. All are looked up inside the widget's shadow root.
export const SELECTORS = Object.freeze({
  pad: 'digit-pad',                 // the drawing pad element (clear(), its canvas)
  padCanvas: 'digit-pad canvas',    // where strokes go
  dataStatus: '#data-status',       // "MNIST ready: …" or what went wrong loading it
  dataRetry: '#data-retry',         // shown when loading MNIST failed
});
