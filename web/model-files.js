// Model files in and out of the page: a download from text or bytes, files fetched by URL,
// and the files a user picked or dropped read into what the worker's loadModel takes.

// A successful response for `url`, or an Error naming the URL and what went wrong.
export async function fetchChecked(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`${url} could not be fetched: ${e.message}`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

export const fetchText = async (url) => (await fetchChecked(url)).text();

export function download(filename, content, type) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// One Digitrain model file, or a TF.js model.json with its weight files, picked or dropped
// together. Resolves to {text, files?: {name: Uint8Array}, names}; an Error carries fileName.
export async function readModelFiles(fileList) {
  const all = [...fileList];
  const jsonFiles = all.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const main = jsonFiles[0] ?? all[0];
  if (!main) throw new Error('no file was given');
  try {
    if (jsonFiles.length > 1) throw new Error('pick one model file at a time');
    const text = await main.text();
    const result = { text, names: all.map((f) => f.name).join(' + ') };
    if (text.includes('"modelTopology"')) {
      const weights = all.filter((f) => f !== main);
      result.files = Object.fromEntries(await Promise.all(weights.map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())])));
    }
    return result;
  } catch (e) {
    throw Object.assign(e, { fileName: main.name });
  }
}
