// "Load model…": a file button, plus dropping files on the whole widget. Takes one Digitrain
// model file, or a TF.js model.json with its .bin files; onLoad(text, files, names) does the
// rest, onError(message) hears about files that could not be read. `signal` (an AbortSignal)
// removes the listeners on the host when the picker goes away.
import { readModelFiles } from '../model-files.js';

/**
 * @param {HTMLElement} host
 * @param {(text: string, files: Record<string, Uint8Array> | undefined, names: string) => unknown} onLoad
 * @param {(message: string) => void} [onError]
 * @param {AbortSignal} [signal]
 */
export function buildModelPicker(host, onLoad, onError = () => {}, signal = undefined) {
  const label = document.createElement('label');
  label.className = 'file-button';
  label.textContent = 'Load model… ';
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'load-model';
  input.multiple = true;
  input.accept = '.json,.bin,application/json';
  label.append(input);
  const load = async (fileList) => {
    let names = null;
    try {
      const picked = await readModelFiles(fileList);
      names = picked.names;
      await onLoad(picked.text, picked.files, names);
    } catch (e) {
      onError(`Could not load ${e.fileName ?? names ?? 'the model'}: ${e.message}. The model you had is unchanged.`);
    }
  };
  input.addEventListener('change', () => {
    if (input.files.length) load(input.files);
    input.value = ''; // the same file picked again is a new load
  });
  host.addEventListener('dragover', (e) => e.preventDefault(), { signal });
  host.addEventListener('drop', (e) => {
    if (!e.dataTransfer?.files?.length) return;
    e.preventDefault();
    load(e.dataTransfer.files);
  }, { signal });
  return label;
}
