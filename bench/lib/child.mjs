// Runs one part of the bench as a child process: each part (a Digitrain build, a peer) gets
// a fresh process, so none inherits another's heap, JIT state or failure. Children print
// one JSON object per stdout line; their stderr (progress) is passed through, prefixed.
import { spawn } from 'node:child_process';

// Resolves to {results: [parsed lines], code, seconds, stderrTail}; never rejects for a
// failing child (the caller reports it and the bench goes on).
export function runJsonLines(command, args, { cwd, env = {}, timeoutS = 3600, label = command } = {}) {
  return new Promise((resolve) => {
    const start = Date.now();
    // Own process group: a timeout ends the child and whatever it started (a Chromium).
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true,
      stdio: ['ignore', 'pipe', 'pipe'] });
    const results = [];
    const stderrLines = [];
    let stdoutRest = '';
    let stderrRest = '';
    child.stdout.on('data', (chunk) => {
      const lines = (stdoutRest + chunk).split('\n');
      stdoutRest = lines.pop();
      for (const line of lines) parseLine(line, results);
    });
    child.stderr.on('data', (chunk) => {
      const lines = (stderrRest + chunk).split('\n');
      stderrRest = lines.pop();
      for (const line of lines) {
        stderrLines.push(line);
        if (stderrLines.length > 40) stderrLines.shift();
        process.stderr.write(`  [${label}] ${line}\n`);
      }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutS * 1000);
    const finish = (code, error) => {
      clearTimeout(timer);
      parseLine(stdoutRest, results);
      if (stderrRest) stderrLines.push(stderrRest);
      resolve({ results, code, seconds: (Date.now() - start) / 1000,
        error: error ?? (timedOut ? `timed out after ${timeoutS} s` : code !== 0 ? `exit code ${code}` : undefined),
        stderrTail: stderrLines.slice(-8).join('\n') });
    };
    child.on('error', (err) => finish(null, `${command}: ${err.message}`));
    child.on('close', (code) => finish(code));
  });
}

// A failed run as one line: its error and the last line of its stderr; undefined if it did not fail.
export function failureText(run) {
  return run.error ? `${run.error}${run.stderrTail ? `: ${run.stderrTail.split('\n').pop()}` : ''}` : undefined;
}

function parseLine(line, results) {
  const text = line.trim();
  if (!text.startsWith('{')) return;
  try {
    results.push(JSON.parse(text));
  } catch { /* a progress line that happens to start with a brace */ }
}
