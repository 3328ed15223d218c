// One reading of every result, Digitrain's or a peer's (their JSON fields differ): what the
// tables compare.
const TRAIN_IMAGES = 55000;

// Samples/s over a full epoch, validation included. A partial epoch (quick runs, the TF.js
// cpu CNN) is extrapolated as the peers' summarize.js does: 55,000 images at the measured
// training-only rate plus the validation pass. {value, estimated} or null.
export function trainingRate(r) {
  if (!r || r.error) return null;
  if (r.train_samples >= TRAIN_IMAGES) return { value: r.samples_per_s, estimated: false };
  const trainOnly = r.train_only_samples_per_s ?? r.train_only_samples_per_s_est;
  const validationS = r.val_s ?? r.val_eval_s ?? r.epoch_log?.[0]?.val_s;
  if (!trainOnly || validationS == null) return null;
  return { value: TRAIN_IMAGES / (TRAIN_IMAGES / trainOnly + validationS), estimated: true };
}

// Training-only samples/s (the epoch without its validation pass): what the GEMM ceiling's
// training-only figure compares with.
export function trainOnlyRate(r) {
  return r?.train_only_samples_per_s ?? r?.train_only_samples_per_s_est ?? null;
}

// Milliseconds per 1-image predict: a mean over a loop (the peers' mean of 200 calls; their
// median is 0.1 ms-quantised in the page).
export function predictOneMs(r) {
  return r?.predict_one_ms ?? r?.infer_single_ms_mean ?? null;
}

// Images/s predicting the 10,000 test images in batches of 1,000 (the peers' "split" way).
export function batchRate(r) {
  return r?.batch_predict_imgs_per_s ?? r?.infer_batch1000_imgs_per_s ?? null;
}

export function testAccuracy(r) {
  return r?.test_accuracy ?? r?.test_acc ?? null;
}
