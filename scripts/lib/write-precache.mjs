// Fills in sw.js for one built folder (build/web or dist/): the files it keeps for offline
// use and a version made of their contents, so any change of a file makes a new worker.
//   node scripts/lib/write-precache.mjs FOLDER [NAME-PREFIX ...]
// Everything in the folder is listed except MNIST (data/: the page caches it itself as it
// downloads it, with progress), the TF.js converter (fetched only when a TF.js model is opened
// or saved; 136 KB gzip a first visit need not pay), the worker script itself, and files whose
// names start with one of the NAME-PREFIXes (pages the folder's own page never opens).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [dir, ...skipped] = process.argv.slice(2);
const listed = (name) => name !== 'sw.js' && !name.startsWith('digitrain-formats.') && !skipped.some((p) => name.startsWith(p));
const swFile = path.join(dir ?? '', 'sw.js');
if (!dir || !fs.existsSync(swFile)) {
  console.error(`write-precache: ${swFile} is missing`);
  process.exit(1);
}
const files = [];
(function walk(sub) {
  for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) { if (rel !== 'data') walk(rel); } else if (listed(rel)) files.push(rel);
  }
})('');
const hash = crypto.createHash('sha256');
for (const file of files) hash.update(file).update(fs.readFileSync(path.join(dir, file)));
const version = hash.digest('hex').slice(0, 16);
// The two lines are replaced whatever they hold, so a folder can be listed again after pages
// are added to it (README, "Offline").
const before = fs.readFileSync(swFile, 'utf8');
const text = before
  .replace(/^const VERSION = .*;$/m, `const VERSION = ${JSON.stringify(version)};`)
  .replace(/^const FILES = .*;$/m, `const FILES = ${JSON.stringify(files)};`);
if (!/^const VERSION = "[0-9a-f]{16}";$/m.test(text) || !/^const FILES = \[/m.test(text)) {
  console.error(`write-precache: ${swFile} has no 'const VERSION = ...;' and 'const FILES = ...;' lines`);
  process.exit(1);
}
fs.writeFileSync(swFile, text);
console.log(`write-precache: ${swFile}: ${files.length} files, version ${version}`);
