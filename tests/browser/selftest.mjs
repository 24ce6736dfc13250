#!/usr/bin/env node
// Self-test of check_site.mjs (not run by CI; run it by hand after changing the
// checker):   node tests/browser/selftest.mjs [-v] [variant ...]
// Builds the fake site of fake_site.mjs into a temporary folder, indexes it
// with Pagefind (from npx), serves it with `python3 -m http.server` on a free loopback
// port, and runs the checker on the good site (must pass) and on each broken
// variant (must fail, with the expected message). Takes about 30 s a variant.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFakeSite } from './fake_site.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const checker = path.join(here, 'check_site.mjs');
// The fake site is plain HTML, not content: it is indexed by Pagefind's own command, fetched by
// npx (the site's build indexes in process and the project no longer installs it).
const pagefind = ['--yes', 'pagefind@1.6.0'];

// variant -> [expected exit code, strings the output must contain]
const EXPECT = {
  good: [0, ['40 passed, 0 failed']],
  'html-error': [1, ['FAIL vnu', 'index.html:', 'Stray end tag']],
  'missing-alt': [1, ['FAIL axe desktop /', 'image-alt [critical]', 'An “img” element must have an “alt” attribute']],
  oversized: [1, ['FAIL weight / under 50.0 KiB', 'over the budget']],
  'no-filter-js': [1, ['stays hidden with JavaScript on', 'no result link in <main>']],
  'no-search-index': [1, ['no Pagefind index']],
};

const argv = process.argv.slice(2);
const verbose = argv.includes('-v');
const variants = argv.filter((a) => a !== '-v');
for (const v of variants) if (!EXPECT[v]) throw new Error(`unknown variant ${v}; known: ${Object.keys(EXPECT).join(' ')}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function runChecker(dir, url) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [checker, '--dir', dir, '--url', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'sicantik-fakesite-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
// http.server reads from disk on each request, so one server serves every variant.
const server = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', String(port), '--directory', dir],
  { stdio: 'ignore' });
let failures = 0;
try {
  for (const variant of variants.length ? variants : Object.keys(EXPECT)) {
    await buildFakeSite(dir, variant === 'good' ? null : variant);
    if (variant !== 'no-search-index') {
      const pf = spawnSync('npx', [...pagefind, '--site', dir], { encoding: 'utf8' });
      if (pf.status !== 0) throw new Error(`pagefind failed: ${pf.stderr}${pf.stdout}`);
    }
    const t0 = Date.now();
    const { code, out } = await runChecker(dir, url);
    const [wantCode, wantStrings] = EXPECT[variant];
    const missing = wantStrings.filter((s) => !out.includes(s));
    const ok = code === wantCode && missing.length === 0;
    if (!ok) failures++;
    const summary = out.trim().split('\n').pop();
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${variant}: exit ${code} (want ${wantCode}), "${summary}", ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (missing.length) console.log(`     output lacks: ${missing.map((s) => JSON.stringify(s)).join(', ')}`);
    if (verbose || !ok) console.log(out.replace(/^/gm, '     | '));
    else {
      // The checker lists every failure again at its end: show that part.
      const m = out.match(/\n(\d+ check\(s\) failed:[\s\S]*?)\n\nchecked /);
      if (m) console.log(m[1].replace(/^/gm, '     | '));
    }
  }
} finally {
  server.kill();
  await rm(dir, { recursive: true, force: true });
}
console.log(failures ? `selftest: ${failures} variant(s) wrong` : 'selftest: the checker passes the good site and catches every breakage');
process.exit(failures ? 1 : 0);
