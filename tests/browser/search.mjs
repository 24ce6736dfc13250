#!/usr/bin/env node
// What people in Palembang type to find a permit, tried on the real built site in headless
// Chromium: the site search (/cari/) and the permit filter (/izin/), with the permits' other
// names (`nama_lain`), the old spelling "ijin", words found only at their start, a message when
// nothing matches, excerpts whose words stay apart, and the search page without JavaScript.
//
//   node tests/browser/search.mjs --url http://127.0.0.1:PORT [--timeout SECONDS-PER-CHECK]
// Exit 0 when every check passes, 1 otherwise.

import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: opts } = parseArgs({
  options: { url: { type: 'string' }, timeout: { type: 'string', default: '30' } },
});
if (!opts.url) {
  console.error('usage: node tests/browser/search.mjs --url http://127.0.0.1:PORT');
  process.exit(2);
}
const base = opts.url.replace(/\/$/, '');
const STEP_MS = Number(opts.timeout) * 1000;
const CHROMIUM = process.env.SICANTIK_CHROMIUM || '/usr/bin/chromium';
const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

let failed = 0;
async function check(name, fn) {
  let problems;
  try {
    problems = (await fn()) ?? [];
  } catch (e) {
    problems = [`error: ${e.message.split('\n').slice(0, 3).join(' ')}`];
  }
  console.log(`${problems.length ? 'FAIL' : 'ok  '} ${name}`);
  for (const p of problems) console.log(`       ${p}`);
  if (problems.length) failed++;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  timeout: 60_000,
});
const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function withPage(js, fn) {
  const context = await browser.newContext({ ...phone, javaScriptEnabled: js });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  try {
    return await fn(page);
  } finally {
    await context.close();
  }
}

/** The result links and excerpts /cari/?q=… shows, once its status line has a count. */
async function search(page, q) {
  await page.goto(`${base}/cari/?q=${encodeURIComponent(q)}`);
  await page.waitForFunction(() => /hasil/.test(document.getElementById('hasil-status')?.textContent ?? ''));
  const status = squash(await page.locator('#hasil-status').textContent());
  const results = await page.locator('#hasil-daftar li').evaluateAll((lis) =>
    lis.map((li) => ({ href: new URL(li.querySelector('a').href).pathname, excerpt: li.querySelector('p')?.textContent ?? '' })));
  return { status, results };
}

async function expectFound(q, path) {
  return withPage(true, async (page) => {
    const { status, results } = await search(page, q);
    const at = results.findIndex((r) => r.href === path);
    if (at < 0) return [`«${q}» does not find ${path}; status "${status}", results ${results.map((r) => r.href).join(', ')}`];
    if (at > 2) return [`«${q}» finds ${path} only at place ${at + 1}`];
    return [];
  });
}

await check('search: an abbreviation editors gave as nama_lain (SIPA) finds its permit first', () =>
  expectFound('SIPA', '/izin/izin-pengusahaan-air-tanah/'));
await check('search: an everyday name (sumur bor) finds its permit', () =>
  expectFound('sumur bor', '/izin/izin-pengusahaan-air-tanah/'));
await check('search: the old spelling "ijin trayek" finds the trayek permits', () =>
  expectFound('ijin trayek', '/izin/izin-penyelenggaraan-angkutan-orang-dalam-trayek/'));
await check('search: a word in a requirement finds the permit that asks for it', () =>
  expectFound('rumpon', '/izin/izin-pemasangan-rumpon/'));
await check('search: nothing found says so, and what to try', () =>
  withPage(true, async (page) => {
    const { status, results } = await search(page, 'qwertyzzz');
    const problems = [];
    if (results.length) problems.push(`${results.length} results for nonsense`);
    if (!/Tidak ada hasil untuk «qwertyzzz»/.test(status)) problems.push(`status says "${status}"`);
    return problems;
  }));
await check('search: excerpts keep the words of separate parts apart', () =>
  withPage(true, async (page) => {
    const problems = [];
    for (const q of ['izin', 'perusahaan', 'kategori']) {
      const { results } = await search(page, q);
      for (const r of results) {
        // Two words run together show as a lower-case letter right before a capital one
        // ("KategoriEnergi", "olehPerorangan"); the product name SiCantik is written so.
        const joined = r.excerpt.replace(/SiCantik/g, '').match(/[a-z]{2}[A-Z][a-z]/);
        if (joined) problems.push(`«${q}» → ${r.href}: "${squash(r.excerpt)}" runs words together at "${joined[0]}"`);
      }
    }
    return problems;
  }));

/** Types into the /izin/ filter and returns the shown permits' paths and the status line. */
async function filter(page, q) {
  await page.goto(`${base}/izin/`);
  await page.locator('#saring').fill(q);
  await page.waitForFunction((typed) => (document.getElementById('saring-status')?.textContent ?? '').includes(`«${typed}»`), q);
  const shown = await page.locator('#daftar-izin li:not([hidden]) h3 a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
  return { shown, status: squash(await page.locator('#saring-status').textContent()) };
}

await check('filter: "ikan" shows only permits with a word that starts with ikan or has it as its root', () =>
  withPage(true, async (page) => {
    const { shown, status } = await filter(page, 'ikan');
    const all = await page.locator('#daftar-izin li h3 a').count();
    const problems = [];
    if (shown.length === 0) problems.push(`nothing shown (${status})`);
    if (shown.length > all / 2) problems.push(`${shown.length} of ${all} shown: it matches inside words`);
    if (!shown.includes('/izin/surat-izin-kapal-pengangkut-ikan/') && !shown.some((p) => p.includes('ikan'))) {
      problems.push(`no fishing permit among ${shown.join(', ')}`);
    }
    return problems;
  }));
await check('filter: other names and the old spelling find their permit (SIPA, ijin trayek)', () =>
  withPage(true, async (page) => {
    const problems = [];
    const sipa = await filter(page, 'SIPA');
    if (!sipa.shown.includes('/izin/izin-pengusahaan-air-tanah/')) problems.push(`SIPA shows ${sipa.shown.join(', ') || 'nothing'}`);
    const trayek = await filter(page, 'ijin trayek');
    if (!trayek.shown.includes('/izin/izin-trayek-akdp/')) problems.push(`ijin trayek shows ${trayek.shown.join(', ') || 'nothing'}`);
    return problems;
  }));
await check('filter: no match says "0 jenis izin cocok" with what to try', () =>
  withPage(true, async (page) => {
    const { shown, status } = await filter(page, 'qwertyzzz');
    const problems = [];
    if (shown.length) problems.push(`${shown.length} shown`);
    if (!status.startsWith('0 jenis izin cocok dengan «qwertyzzz»')) problems.push(`status says "${status}"`);
    return problems;
  }));
await check('search page without JavaScript: the categories, each linked to its part of the permit index', () =>
  withPage(false, async (page) => {
    await page.goto(`${base}/cari/`);
    const links = await page.locator('#cari-kategori a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname + new URL(a.href).hash));
    const problems = [];
    if (links.filter((l) => l.startsWith('/izin/#')).length < 3) problems.push(`category links: ${links.join(', ')}`);
    if (!links.includes('/izin/')) problems.push('no link to the whole permit index');
    return problems;
  }));

await browser.close();
console.log(failed ? `${failed} search check(s) failed` : 'all search checks passed');
process.exit(failed ? 1 : 0);
