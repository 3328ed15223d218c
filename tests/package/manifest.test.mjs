// The published API descriptions cannot drift from the code: custom-elements.json and
// types/digitrain.d.ts list exactly the attributes, events and methods web/ has, and a
// small typed page (usage.ts) type-checks against the declarations with tsc.
//   node --test tests/package/manifest.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ATTRIBUTES } from '../../web/trainer-options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file) => readFileSync(join(root, file), 'utf8');
const manifest = JSON.parse(read('custom-elements.json'));
const declarations = manifest.modules.flatMap((m) => m.declarations);
const element = (tag) => declarations.find((d) => d.tagName === tag);
const sorted = (list) => [...new Set(list)].sort();

// What an element's source says of itself.
function sourceApi(file) {
  const text = read(file);
  const observed = /static get observedAttributes\(\) \{ return (\[[^\]]*\]|ATTRIBUTES); \}/.exec(text)?.[1];
  const events = [...text.matchAll(/#emit\('([a-z]+)'/g)].map((m) => m[1]);
  const lifecycle = new Set(['constructor', 'connectedCallback', 'disconnectedCallback', 'attributeChangedCallback']);
  // Public methods and getters of the class: two-space indented, not #private, not static.
  const methods = [...text.matchAll(/^ {2}(?:async )?([a-z]\w*)\(/gm)].map((m) => m[1]).filter((n) => !lifecycle.has(n));
  const getters = [...text.matchAll(/^ {2}get ([a-z]\w*)\(\)/gm)].map((m) => m[1]);
  return { observed, events, methods, getters };
}

test('<digit-trainer>: the manifest lists exactly the attributes trainer-options.js reads', () => {
  assert.equal(sourceApi('web/trainer-element.js').observed, 'ATTRIBUTES');
  assert.deepEqual(sorted(element('digit-trainer').attributes.map((a) => a.name)), sorted(ATTRIBUTES));
});

test('<digit-trainer>: events and methods in the manifest and the .d.ts are the element\'s own', () => {
  const api = sourceApi('web/trainer-element.js');
  const declared = element('digit-trainer');
  assert.deepEqual(sorted(declared.events.map((e) => e.name)), sorted(api.events));
  // Getters kept for tests and the curious (session, panels) are not part of the API.
  const internal = new Set(['session', 'panels']);
  assert.deepEqual(sorted(declared.members.map((m) => m.name)),
    sorted([...api.methods, ...api.getters.filter((g) => !internal.has(g))]));
  const dts = read('types/digitrain.d.ts');
  const eventMap = /interface DigitTrainerEventMap[^{]*\{([^}]*)\}/.exec(dts)[1];
  assert.deepEqual(sorted([...eventMap.matchAll(/^\s*(\w+):/gm)].map((m) => m[1])), sorted(api.events));
  const trainerClass = /class DigitTrainer extends HTMLElement \{([\s\S]*?)\n\}/.exec(dts)[1];
  for (const name of [...api.methods, ...api.getters.filter((g) => !internal.has(g))]) {
    assert.match(trainerClass, new RegExp(`\\b${name}\\b[(:]`), `${name} is declared in types/digitrain.d.ts`);
  }
});

test('<digit-predictor> and <digit-pad>: attributes and events as in their sources', () => {
  for (const [tag, file] of [['digit-predictor', 'web/predictor-element.js'], ['digit-pad', 'web/digit-pad.js']]) {
    const api = sourceApi(file);
    const observed = JSON.parse(api.observed.replaceAll("'", '"'));
    assert.deepEqual(sorted(element(tag).attributes.map((a) => a.name)), sorted(observed), tag);
  }
  assert.deepEqual(sorted(element('digit-predictor').events.map((e) => e.name)), sorted(sourceApi('web/predictor-element.js').events));
});

test('a typed page type-checks against types/digitrain.d.ts (tsc), and a wrong use does not', () => {
  const tsc = join(root, 'node_modules/.bin/tsc');
  const ok = spawnSync(tsc, ['--noEmit', '-p', join(root, 'tests/package/tsconfig.json')], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const bad = spawnSync(tsc, ['--noEmit', '-p', join(root, 'tests/package/tsconfig.misuse.json')], { encoding: 'utf8' });
  assert.notEqual(bad.status, 0, 'misuse.ts must not type-check');
  assert.match(bad.stdout, /misuse\.ts.*error TS\d+: Property 'acuracy' does not exist on type 'EpochEndDetail'/);
});
