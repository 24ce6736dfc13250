#!/usr/bin/env node
// Checks a built sicantik site the way a visitor and a validator would see it.
//
//   node tests/browser/check_site.mjs --dir <built site dir> --url <http://127.0.0.1:PORT>
//       [--search-word perikanan] [--budget-kb 50] [--timeout SECONDS-PER-CHECK]
//
// The caller (a Rust integration test) builds the site into --dir and already
// serves that folder at --url. This script then runs:
//   a. the Nu Html Checker (vnu.jar) over every .html file under --dir;
//   b. axe-core accessibility rules (WCAG 2.0/2.1/2.2 A and AA) on one page of
//      each kind, at a phone and a desktop viewport, in headless Chromium;
//   c. a weight budget per page: HTML + CSS + JS the page loads from the site
//      (Pagefind's own files excluded) must stay under --budget-kb KiB;
//   d. the JavaScript behaviour: the permit filter on /izin/ and the search on /cari/;
//   e. the same pages without JavaScript: everything still reachable;
//   and that each of those pages loads cleanly (HTTP 200, no uncaught JS error
//   or console error, no same-origin resource answering 4xx/5xx).
// Every failure is collected (the script does not stop at the first), printed
// where it happens and again at the end, followed by the line
// "N passed, M failed". Exit code: 0 all passed, 1 something failed, 2 bad usage.
//
// The browser is Debian's Chromium (SICANTIK_CHROMIUM, default /usr/bin/chromium):
// no test tool may download a browser of its own on these machines. The flags
// keep Chromium from reaching out to the network, which is closed here.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);

// The npm tools come from the repo's package-lock.json: say how to get them.
let chromium;
let AxeBuilder;
try {
  ({ chromium } = await import('playwright-core'));
  ({ AxeBuilder } = await import('@axe-core/playwright'));
  require.resolve('vnu-jar/package.json');
} catch (e) {
  console.error(`${e.message}\nThe checker's npm tools are missing: run \`bash .ci/install\` (or \`npm ci\`) in the repo root.`);
  console.error('0 passed, 1 failed');
  process.exit(1);
}

// ---------------------------------------------------------------- options --

const USAGE = `usage: node tests/browser/check_site.mjs --dir <site dir> --url <http://127.0.0.1:PORT>
       [--search-word WORD] [--budget-kb KIB] [--timeout SECONDS-PER-CHECK]`;

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      dir: { type: 'string' },
      url: { type: 'string' },
      // A word that occurs in the content, so /cari/?q=WORD must find something.
      'search-word': { type: 'string', default: 'perikanan' },
      // Budget for HTML + CSS + JS of one page, in KiB (1 KiB = 1024 bytes).
      'budget-kb': { type: 'string', default: '50' },
      // The whole run must end well within the 3 minutes the caller allows.
      timeout: { type: 'string', default: '170' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (e) {
  console.error(`${e.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!opts.dir || !opts.url) {
  console.error(`--dir and --url are required\n${USAGE}`);
  process.exit(2);
}
const SITE_DIR = path.resolve(opts.dir);
const BASE = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
const SEARCH_WORD = opts['search-word'];
const BUDGET_BYTES = Math.round(Number(opts['budget-kb']) * 1024);
const TIMEOUT_MS = Number(opts.timeout) * 1000;
const CHROMIUM = process.env.SICANTIK_CHROMIUM || '/usr/bin/chromium';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const VIEWPORTS = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
};
// The nav links every page must have, JS or not.
const NAV_LINKS = ['Registrasi Pemohon', 'Masuk', 'Cek Status'];
// The header's height at 390×844: it once took 285 px of every page.
const HEADER_MAX_PX = 110;
const started = Date.now();

// ---------------------------------------------------- results and reporting --

const results = []; // { name, problems: string[] }
let current = 'starting';
let currentSince = Date.now();
let timedOut = false; // once set, only the hang handler reports

/** Marks the start of a stretch of work, for the hang handler. */
function begin(name) {
  current = name;
  currentSince = Date.now();
}

/** Runs one named check; fn returns a list of problems (empty: passed) or throws. */
async function check(name, fn) {
  begin(name);
  let problems;
  try {
    problems = (await fn()) ?? [];
  } catch (e) {
    problems = [`error: ${firstLines(e?.message ?? String(e))}`];
  }
  record(name, problems);
}

function record(name, problems) {
  // After the deadline, checks cut short by the shutdown would only add noise.
  if (timedOut) return;
  results.push({ name, problems });
  if (problems.length === 0) {
    console.log(`ok   ${name}`);
  } else {
    console.log(`FAIL ${name}`);
    for (const p of problems) console.log(indent(p));
  }
}

const indent = (text) => text.split('\n').map((l) => `       ${l}`).join('\n');
// Playwright's errors carry a long call log; its first lines say what went wrong.
const firstLines = (text, n = 4) => text.split('\n').slice(0, n).join('\n');
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function finish() {
  const failed = results.filter((r) => r.problems.length > 0);
  const passed = results.length - failed.length;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (failed.length > 0) {
    console.log(`\n${failed.length} check(s) failed:`);
    for (const r of failed) {
      console.log(`FAIL ${r.name}`);
      for (const p of r.problems) console.log(indent(p));
    }
  }
  console.log(`\nchecked ${SITE_DIR} at ${BASE.href} in ${secs} s`);
  console.log(`${passed} passed, ${failed.length} failed`);
  return failed.length > 0 ? 1 : 0;
}

// Everything that may need killing when the time is up.
let browser = null;
const children = new Set();

// A check that runs longer than --timeout is taken for a hang. The whole run has no limit: a
// busy machine is slow, not broken.
const deadline = setInterval(async () => {
  if (timedOut || Date.now() - currentSince < TIMEOUT_MS) return;
  record(`no check hangs (limit ${TIMEOUT_MS / 1000} s a check)`, [`hung while running: ${current}`]);
  timedOut = true;
  for (const c of children) c.kill('SIGKILL');
  // Closing the browser can itself hang if Chromium is wedged: give it 5 s.
  await Promise.race([browser?.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  process.exit(Math.max(1, finish()));
}, 1000);

// ------------------------------------------------------------------ helpers --

const pageUrl = (p) => new URL(p.replace(/^\//, ''), BASE).href;

/** "/izin/x/index.html" and "/izin/x/" name the same page. */
const normPath = (p) => p.replace(/index\.html$/, '');

async function listHtmlFiles(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) {
      out.push(path.join(entry.parentPath ?? entry.path, entry.name));
    }
  }
  return out.sort();
}

/** Permit pages that exist on disk: /izin/<slug>/index.html. */
async function permitPathsOnDisk() {
  const izin = path.join(SITE_DIR, 'izin');
  if (!existsSync(izin)) return [];
  const out = [];
  for (const e of await readdir(izin, { withFileTypes: true })) {
    if (e.isDirectory() && existsSync(path.join(izin, e.name, 'index.html'))) out.push(`/izin/${e.name}/`);
  }
  return out.sort();
}

/** Links of the page that point to a permit page, in document order, with index among all a[href]. */
async function permitLinks(page) {
  const links = await page.locator('a[href]').evaluateAll((as, origin) =>
    as.map((a, i) => {
      const u = new URL(a.href, document.baseURI);
      return { i, origin: u.origin, path: u.pathname, name: (a.textContent || '').replace(/\s+/g, ' ').trim() };
    }), BASE.origin);
  return links
    .filter((l) => l.origin === BASE.origin)
    .map((l) => ({ ...l, path: normPath(l.path) }))
    .filter((l) => /^\/izin\/[^/]+\/$/.test(l.path));
}

async function visibleFlags(page, links) {
  const all = page.locator('a[href]');
  return Promise.all(links.map((l) => all.nth(l.i).isVisible()));
}

// ------------------------------------------------------ a. Nu Html Checker --

/** Runs vnu.jar over the files in batches (argv has a size limit); returns problems. */
async function runVnu(files) {
  const jar = path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build/dist/vnu.jar');
  const batches = [];
  let batch = [];
  let len = 0;
  for (const f of files) {
    if (batch.length > 0 && (batch.length >= 500 || len + f.length > 100_000)) {
      batches.push(batch);
      batch = [];
      len = 0;
    }
    batch.push(f);
    len += f.length + 1;
  }
  if (batch.length > 0) batches.push(batch);

  const problems = [];
  for (const b of batches) {
    const { code, stdout, stderr } = await run('java', ['-jar', jar, '--errors-only', '--format', 'json', ...b]);
    // vnu writes its JSON report to stderr; exit 1 means it found errors.
    let report;
    try {
      report = JSON.parse(stderr.slice(stderr.indexOf('{')));
    } catch {
      problems.push(`vnu exited ${code} without a JSON report:\n${firstLines(stderr + stdout, 20)}`);
      continue;
    }
    for (const m of report.messages ?? []) {
      const file = m.url ? path.relative(SITE_DIR, decodeURIComponent(new URL(m.url).pathname)) : '?';
      if (m.type === 'error') {
        problems.push(`${file}:${m.firstLine ?? m.lastLine}:${m.firstColumn}: ${m.message}`);
      } else if (m.type === 'non-document-error') {
        problems.push(`${file}: ${m.message}`);
      }
    }
    if (code !== 0 && problems.length === 0) problems.push(`vnu exited ${code}:\n${firstLines(stderr, 20)}`);
  }
  return problems;
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (e) => { children.delete(child); reject(new Error(`cannot run ${cmd}: ${e.message}`)); });
    child.on('close', (code) => { children.delete(child); resolve({ code, stdout, stderr }); });
  });
}

// ------------------------------------------- b, c. axe and weight per page --

/** Opens the page in a fresh context (so nothing comes from cache), checks that it
 *  loads cleanly, measures its weight, and runs axe at the desktop viewport. */
async function desktopChecks(p) {
  const context = await browser.newContext(VIEWPORTS.desktop);
  try {
    const page = await context.newPage();
    const loadProblems = [];
    const pending = [];
    const weight = { html: 0, css: 0, js: 0 };
    const counted = [];
    page.on('pageerror', (e) => loadProblems.push(`uncaught JS error: ${firstLines(e.message, 2)}`));
    page.on('console', (m) => {
      // Failed loads are reported from the responses below, with their URL.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        loadProblems.push(`console error: ${firstLines(m.text(), 2)}`);
      }
    });
    page.on('requestfailed', (r) => {
      if (new URL(r.url()).origin === BASE.origin) loadProblems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    page.on('response', (r) => pending.push((async () => {
      const u = new URL(r.url());
      if (u.origin !== BASE.origin) return;
      if (r.status() >= 400 && u.pathname !== '/favicon.ico') loadProblems.push(`HTTP ${r.status()} for ${u.pathname}`);
      if (u.pathname.startsWith('/pagefind/') || r.status() >= 300) return;
      // HTML + CSS + JS only: by how the page asked for it, else by content type.
      const type = r.request().resourceType();
      const ct = r.headers()['content-type'] ?? '';
      const kind = type === 'document' || /text\/html/.test(ct) ? 'html'
        : type === 'stylesheet' || /text\/css/.test(ct) ? 'css'
          : type === 'script' || /javascript|ecmascript/.test(ct) ? 'js' : null;
      if (!kind) return;
      let size;
      try {
        size = (await r.body()).length; // decoded body, as the browser has to parse it
      } catch {
        size = (await r.request().sizes()).responseBodySize;
      }
      weight[kind] += size;
      counted.push(`${u.pathname} ${size} B`);
    })()));

    const resp = await page.goto(pageUrl(p), { waitUntil: 'load' });
    if (!resp) loadProblems.push('no response');
    else if (resp.status() !== 200) loadProblems.push(`HTTP ${resp.status()} for the page itself`);
    // Let scripts fetch what they fetch after load; a page that never idles is still measured.
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
    await Promise.all(pending);

    record(`loads cleanly ${p}`, loadProblems);

    const total = weight.html + weight.css + weight.js;
    const figure = `${kib(total)} (html ${kib(weight.html)}, css ${kib(weight.css)}, js ${kib(weight.js)})`;
    console.log(`     weight ${p}: ${figure}`);
    record(`weight ${p} under ${kib(BUDGET_BYTES)}`, total < BUDGET_BYTES ? []
      : [`${figure} is over the budget of ${kib(BUDGET_BYTES)}; counted: ${counted.join(', ')}`]);

    await check(`axe desktop ${p}`, () => axe(page));
  } finally {
    await context.close();
  }
}

async function phoneChecks(p) {
  const context = await browser.newContext(VIEWPORTS.phone);
  try {
    const page = await context.newPage();
    await page.goto(pageUrl(p), { waitUntil: 'load' });
    await check(`axe phone ${p}`, () => axe(page));
    await check(`phone ${p}: the header is under ${HEADER_MAX_PX} px, its "Menu" opens the menu`, () => phoneHeader(page));
    await check(`axe phone ${p} with the menu open`, () => axe(page));
  } finally {
    await context.close();
  }
  const noJs = await browser.newContext({ ...VIEWPORTS.phone, javaScriptEnabled: false });
  try {
    const page = await noJs.newPage();
    await page.goto(pageUrl(p), { waitUntil: 'load' });
    await check(`no-JS phone ${p}: the header is under ${HEADER_MAX_PX} px with every menu link in it`, async () => {
      const problems = await headerUnder(page);
      if ((await page.locator('header').getByRole('button', { name: 'Menu' }).count()) > 0 && (await page.locator('header').getByRole('button', { name: 'Menu' }).isVisible())) problems.push('"Menu" shows without JavaScript, where it cannot work');
      for (const name of ['Beranda', 'Jenis Izin', ...NAV_LINKS]) {
        const link = page.locator('header nav').getByRole('link', { name, exact: true });
        if ((await link.count()) !== 1 || !(await link.isVisible())) problems.push(`no visible "${name}" in the header`);
      }
      return problems;
    });
  } finally {
    await noJs.close();
  }
}

async function headerUnder(page) {
  const height = await page.evaluate(() => document.querySelector('header')?.getBoundingClientRect().height ?? -1);
  return height > 0 && height < HEADER_MAX_PX ? [] : [`the header is ${height} px high at 390×844`];
}

/** With JavaScript on a phone: a short header, the menu folded behind "Menu", which opens it
 *  (aria-expanded follows) with "Cek Status" among the links. */
async function phoneHeader(page) {
  const problems = await headerUnder(page);
  const toggle = page.locator('header').getByRole('button', { name: 'Menu', exact: true });
  if ((await toggle.count()) !== 1 || !(await toggle.isVisible())) return [...problems, 'no visible "Menu" button in the header'];
  const cek = page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name: 'Cek Status', exact: true });
  if (await cek.isVisible()) problems.push('the menu is open before "Menu" is pressed');
  if ((await toggle.getAttribute('aria-expanded')) !== 'false') problems.push('"Menu" is not aria-expanded="false" while closed');
  await toggle.click();
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') problems.push('"Menu" is not aria-expanded="true" once pressed');
  if (!(await cek.isVisible())) problems.push('"Cek Status" is not visible once "Menu" is pressed');
  return problems;
}

async function axe(page) {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return violations.map((v) => {
    const targets = v.nodes.map((n) => [].concat(n.target).flat().join(' >>> '));
    const shown = targets.slice(0, 10).join('\n  ') + (targets.length > 10 ? `\n  (+${targets.length - 10} more)` : '');
    return `${v.id} [${v.impact}] ${v.help}\n  ${shown}`;
  });
}

// --------------------------------------------- d. behaviour with JavaScript --

/** /izin/: the hidden filter appears; typing a word from one permit's name
 *  keeps that permit, hides others, and the live region announces the count. */
async function filterCheck(filterIndex) {
  const context = await browser.newContext(VIEWPORTS.desktop);
  try {
    const page = await context.newPage();
    await page.goto(pageUrl('/izin/'), { waitUntil: 'load' });
    const problems = [];
    if (filterIndex < 0) return ['no filter: /izin/ has no input[type=search] that is hidden in its HTML'];
    const input = page.locator('input[type=search]').nth(filterIndex);
    try {
      await input.waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      return ['the filter input[type=search] stays hidden with JavaScript on (the script should reveal it)'];
    }
    const links = await permitLinks(page);
    if (links.length === 0) return ['no permit links on /izin/'];

    // A word of the first permit's name that as few other permits as possible share.
    const lower = links.map((l) => l.name.toLowerCase());
    let choice = null;
    for (const [k, name] of lower.entries()) {
      for (const w of name.split(/[^\p{L}\p{N}]+/u).filter((x) => x.length >= 3)) {
        const n = lower.filter((x) => x.includes(w)).length;
        if (!choice || n < choice.n) choice = { word: w, n, target: k };
      }
      if (choice && (choice.n < links.length || links.length === 1)) break;
    }
    if (!choice) return [`no usable word in the permit names: ${links.map((l) => l.name).join(' | ')}`];
    const target = links[choice.target];

    await input.fill(choice.word);
    // The filter may debounce: poll for up to 3 s until the page settles right.
    let state;
    const until = Date.now() + 3000;
    do {
      await page.waitForTimeout(150);
      const vis = await visibleFlags(page, links);
      const count = vis.filter(Boolean).length;
      const live = await page.locator('[aria-live]:not([aria-live=off]), [role=status], output').allTextContents();
      const announced = live.some((t) => new RegExp(`(^|\\D)${count}(\\D|$)`).test(t));
      state = { vis, count, live, announced };
      const ok = vis[choice.target] && (links.length === 1 || count < links.length) && announced;
      if (ok) break;
    } while (Date.now() < until);

    const { vis, count, live, announced } = state;
    console.log(`     filter "${choice.word}": ${count} of ${links.length} permits visible; live region: ${JSON.stringify(live.join(' | ').trim())}`);
    if (!vis[choice.target]) problems.push(`typing "${choice.word}" hid "${target.name}", whose name contains it`);
    if (links.length > 1 && count === links.length) problems.push(`typing "${choice.word}" hid no permit (all ${links.length} still visible)`);
    if (!announced) problems.push(`no aria-live region announces the count ${count} after typing "${choice.word}" (live regions say: ${JSON.stringify(live)})`);

    // Clearing the filter must bring every permit back.
    await input.fill('');
    await page.waitForTimeout(300);
    const back = (await visibleFlags(page, links)).filter(Boolean).length;
    if (back !== links.length) problems.push(`after clearing the filter only ${back} of ${links.length} permits are visible`);
    return problems;
  } finally {
    await context.close();
  }
}

/** /cari/?q=WORD: Pagefind results show up as links in <main> within 10 s.
 *  Result links are told apart from the page's own links by comparing with
 *  the same page without JS, so the check needs no particular markup. */
async function searchCheck(hrefsWithoutJs) {
  if (!existsSync(path.join(SITE_DIR, 'pagefind', 'pagefind.js'))) {
    return [`no Pagefind index: ${path.join(SITE_DIR, 'pagefind', 'pagefind.js')} is missing (run pagefind --site <dir>)`];
  }
  const context = await browser.newContext(VIEWPORTS.desktop);
  try {
    const page = await context.newPage();
    await page.goto(pageUrl(`/cari/?q=${encodeURIComponent(SEARCH_WORD)}`), { waitUntil: 'load' });
    try {
      await page.waitForFunction(([origin, n0]) => [...document.querySelectorAll('main a[href]')]
        .filter((a) => new URL(a.href).origin === origin && !new URL(a.href).pathname.startsWith('/cari/')).length > n0,
      [BASE.origin, hrefsWithoutJs.length], { timeout: 10_000, polling: 100 });
    } catch {
      const text = (await page.locator('main').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 300);
      return [`no result link in <main> 10 s after opening /cari/?q=${SEARCH_WORD} (main says: "${text}")`];
    }
    const hrefs = await mainLinkPaths(page);
    const before = new Set(hrefsWithoutJs);
    const first = hrefs.find((h) => !before.has(h)) ?? hrefs[hrefs.length - 1];
    console.log(`     search "${SEARCH_WORD}": ${hrefs.length - hrefsWithoutJs.length} result link(s), first ${first}`);
    // A result must point at a page that exists (catches a wrong base URL in the index).
    const rel = decodeURIComponent(first);
    const file = path.join(SITE_DIR, rel.endsWith('/') ? `${rel}index.html` : rel);
    return existsSync(file) ? [] : [`search result ${first} points to no page (${file} is missing)`];
  } finally {
    await context.close();
  }
}

/** Paths of the same-origin links in <main>, except those to the search page itself. */
function mainLinkPaths(page) {
  return page.locator('main a[href]').evaluateAll((as, origin) => as
    .map((a) => new URL(a.href))
    .filter((u) => u.origin === origin && !u.pathname.startsWith('/cari/'))
    .map((u) => u.pathname), BASE.origin);
}

// ------------------------------------------ e. behaviour without JavaScript --

async function noJsChecks(pages) {
  const context = await browser.newContext({ ...VIEWPORTS.desktop, javaScriptEnabled: false });
  const found = { filterIndex: -1, searchHrefs: [] };
  try {
    const page = await context.newPage();
    for (const p of pages) {
      await check(`no-JS ${p}: h1 and nav links`, async () => {
        const resp = await page.goto(pageUrl(p), { waitUntil: 'load' });
        const problems = [];
        if (resp?.status() !== 200) problems.push(`HTTP ${resp?.status()}`);
        if ((await page.locator('h1').count()) === 0) problems.push('no <h1>');
        for (const name of NAV_LINKS) {
          const link = page.locator('nav').getByRole('link', { name, exact: true });
          if ((await link.count()) === 0) problems.push(`no link "${name}" in a <nav>`);
          else if (!(await link.first().isVisible())) problems.push(`the nav link "${name}" is not visible`);
        }
        return problems;
      });
      if (p === '/cari/') found.searchHrefs = await mainLinkPaths(page).catch(() => []);
    }

    await check('no-JS /izin/: every permit linked and visible, filter hidden', async () => {
      await page.goto(pageUrl('/izin/'), { waitUntil: 'load' });
      const problems = [];
      const links = await permitLinks(page);
      const vis = await visibleFlags(page, links);
      const visiblePaths = new Set(links.filter((_, k) => vis[k]).map((l) => l.path));
      const onDisk = await permitPathsOnDisk();
      if (onDisk.length === 0) problems.push(`no permit pages under ${path.join(SITE_DIR, 'izin')}/<slug>/index.html`);
      const missing = onDisk.filter((x) => !visiblePaths.has(x));
      if (missing.length) problems.push(`permits not shown as visible links on /izin/: ${missing.join(', ')}`);
      // The filter: an input[type=search] that is hidden in the HTML itself.
      const hiddenFlags = await page.locator('input[type=search]').evaluateAll((els) =>
        els.map((e) => e.hidden || e.closest('[hidden]') !== null));
      found.filterIndex = hiddenFlags.indexOf(true);
      const inputs = page.locator('main input[type=search]');
      for (let k = 0; k < (await inputs.count()); k++) {
        if (await inputs.nth(k).isVisible()) problems.push('an input[type=search] in <main> is visible without JS (the filter cannot work without JS: keep it `hidden`, and make sure CSS does not override [hidden])');
      }
      return problems;
    });
  } finally {
    await context.close();
  }
  return found;
}

// -------------------------------------------------------------------- main --

async function main() {
  // Preflight: without a site or a server nothing else can be checked.
  if (!existsSync(path.join(SITE_DIR, 'index.html'))) {
    record('site dir', [`${path.join(SITE_DIR, 'index.html')} does not exist`]);
    return;
  }
  try {
    const r = await fetch(BASE, { signal: AbortSignal.timeout(10_000) });
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  } catch (e) {
    record('server', [`${BASE.href} does not answer: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`]);
    return;
  }

  // a. vnu in the background: the JVM takes a few seconds, the browser checks meanwhile.
  const files = await listHtmlFiles(SITE_DIR);
  console.log(`vnu: checking ${files.length} HTML files in the background`);
  const vnuDone = runVnu(files).then((p) => p, (e) => [e.message]);

  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  } catch (e) {
    record('launch Chromium', [`${CHROMIUM}: ${firstLines(e.message)}`]);
  }

  if (browser) {
    // One page of each kind; the permit page is the first one /izin/ links to.
    const pages = ['/', '/panduan/', '/peraturan/', '/izin/', '/privasi/'];
    await check('find the first permit page on /izin/', async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await page.goto(pageUrl('/izin/'));
        const links = await permitLinks(page);
        if (links.length === 0) return ['/izin/ links to no /izin/<slug>/ page'];
        pages.push(links[0].path);
        console.log(`     first permit page: ${links[0].path}`);
        return [];
      } finally {
        await context.close();
      }
    });
    pages.push('/cari/', '/404.html');

    for (const p of pages) {
      begin(`desktop checks ${p}`);
      await desktopChecks(p).catch((e) => record(`desktop checks ${p}`, [firstLines(e.message)]));
      begin(`phone checks ${p}`);
      await phoneChecks(p).catch((e) => record(`phone checks ${p}`, [firstLines(e.message)]));
    }

    let found = { filterIndex: -1, searchHrefs: [] };
    begin('no-JS checks');
    await noJsChecks(pages).then((f) => { found = f; }, (e) => record('no-JS checks', [firstLines(e.message)]));
    await check('JS /izin/: filter shows, filters and announces', () => filterCheck(found.filterIndex));
    await check(`JS /cari/?q=${SEARCH_WORD}: Pagefind results appear`, () => searchCheck(found.searchHrefs));
  }

  begin('vnu');
  record(`vnu: ${files.length} HTML files valid`, await vnuDone);
}

try {
  await main();
} catch (e) {
  record('checker', [`unexpected error: ${e.stack ?? e}`]);
}
// After a timeout the deadline handler closes everything and exits by itself.
if (!timedOut) {
  await browser?.close().catch(() => {});
  clearInterval(deadline);
  process.exit(finish());
}
