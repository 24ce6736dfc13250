#!/usr/bin/env node
// A new applicant's whole journey through the running service, in headless Chromium:
//
//   node tests/browser/journey.mjs --url http://127.0.0.1:PORT --maildir DIR \
//       --officer petugas1 --officer-password PW [--timeout 110]
//
// The caller (tests/e2e/journey.rs) runs `sicantik serve` at --url with its mail going to a
// loopback SMTP server that delivers into the Maildir --maildir, and has created the officer.
// As a new user would, clicking links and buttons rather than typing addresses:
//   1. the home page, then the header link "Registrasi Pemohon";
//   2. the registration form, sent once with "Pekerjaan" left empty (the error summary at the
//      top, the message at the field, the other answers kept), then complete; the confirmation
//      shows the REG- number and mentions the spam folder;
//   3. in a second browser context the officer logs in, opens the registration from the
//      waiting list of "Konsol Petugas" and presses "Setujui";
//   4. the approval email is read from the Maildir and its set-password link opened (the one
//      address typed, as the user clicks it in their mail); the password is set;
//   5. "Masuk" with the username and the new password lands on "Layanan Pemohon";
//   6. axe-core (WCAG 2.0/2.1/2.2 A and AA) on every distinct page on the way, at 390×844.
// The journey runs twice: with JavaScript, and in contexts with JavaScript disabled, each time
// with a new username and email. Every page must also load cleanly (no uncaught JS error, no
// console error, no same-origin 4xx/5xx other than the expected 422 of the form with errors).
//
// One `ok`/`FAIL` line per check; every failure is collected and printed again at the end,
// followed by "N passed, M failed". Exit code: 0 all passed, 1 something failed, 2 bad usage.
// A step the journey cannot go on without ends that run (the other run still happens).
//
// The browser is Debian's Chromium (SICANTIK_CHROMIUM, default /usr/bin/chromium), launched
// as tests/browser/check_site.mjs launches it.

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

let chromium;
let AxeBuilder;
try {
  ({ chromium } = await import('playwright-core'));
  ({ AxeBuilder } = await import('@axe-core/playwright'));
} catch (e) {
  console.error(`${e.message}\nThe checker's npm tools are missing: run \`bash .ci/install\` (or \`npm ci\`) in the repo root.`);
  console.error('0 passed, 1 failed');
  process.exit(1);
}

// ---------------------------------------------------------------- options --

const USAGE = `usage: node tests/browser/journey.mjs --url <http://127.0.0.1:PORT> --maildir <DIR>
       --officer <USERNAME> --officer-password <PASSWORD> [--timeout SECONDS]`;

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      url: { type: 'string' },
      maildir: { type: 'string' },
      officer: { type: 'string' },
      'officer-password': { type: 'string' },
      timeout: { type: 'string', default: '110' },
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
if (!opts.url || !opts.maildir || !opts.officer || !opts['officer-password']) {
  console.error(`--url, --maildir, --officer and --officer-password are required\n${USAGE}`);
  process.exit(2);
}

const BASE = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
// Links in emails are built from the service's base URL: the same as --url here.
const ORIGIN = BASE.origin;
const MAILDIR = path.resolve(opts.maildir);
const OFFICER = opts.officer;
const OFFICER_PASSWORD = opts['officer-password'];
const TIMEOUT_MS = Number(opts.timeout) * 1000;
const CHROMIUM = process.env.SICANTIK_CHROMIUM || '/usr/bin/chromium';
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
// How long one action or wait may take before the step counts as failed.
const STEP_MS = 10_000;
// How long the approval email may take to arrive after "Setujui".
const MAIL_MS = 20_000;
const started = Date.now();

// ---------------------------------------------------- results and reporting --

const results = []; // { name, problems: string[] }
let current = 'starting';
let timedOut = false;

/** The journey cannot go on after this step failed. */
class Stop extends Error {}

function record(name, problems, ms) {
  if (timedOut) return;
  results.push({ name, problems });
  const took = ms === undefined ? '' : ` (${(ms / 1000).toFixed(1)} s)`;
  if (problems.length === 0) {
    console.log(`ok   ${name}${took}`);
  } else {
    console.log(`FAIL ${name}${took}`);
    for (const p of problems) console.log(indent(p));
  }
}

/** A check whose failure is recorded; the journey goes on. Returns whether it passed. */
async function check(name, fn) {
  current = name;
  const t0 = Date.now();
  let problems;
  try {
    problems = (await fn()) ?? [];
  } catch (e) {
    problems = [`error: ${firstLines(e?.message ?? String(e))}`];
  }
  record(name, problems, Date.now() - t0);
  return problems.length === 0;
}

/** A step the journey needs: on failure the run ends (after recording it). */
async function step(name, fn) {
  if (!(await check(name, fn))) throw new Stop(name);
}

const indent = (text) => text.split('\n').map((l) => `       ${l}`).join('\n');
const firstLines = (text, n = 4) => text.split('\n').slice(0, n).join('\n');
const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

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
  console.log(`\njourney at ${BASE.href} in ${secs} s`);
  console.log(`${passed} passed, ${failed.length} failed`);
  return failed.length > 0 ? 1 : 0;
}

let browser = null;

const deadline = setTimeout(async () => {
  record(`finish within ${TIMEOUT_MS / 1000} s`, [`timed out while running: ${current}`]);
  timedOut = true;
  await Promise.race([browser?.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
  process.exit(Math.max(1, finish()));
}, TIMEOUT_MS);

// ------------------------------------------------------------------ helpers --

const pageUrl = (p) => new URL(p.replace(/^\//, ''), BASE).href;

async function axe(page) {
  const { violations } = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return violations.map((v) => {
    const targets = v.nodes.map((n) => [].concat(n.target).flat().join(' >>> '));
    const shown = targets.slice(0, 10).join('\n  ') + (targets.length > 10 ? `\n  (+${targets.length - 10} more)` : '');
    return `${v.id} [${v.impact}] ${v.help}\n  ${shown}`;
  });
}

/** axe-core cannot run in a page whose scripts are disabled (its promises never settle there).
 *  So the DOM the no-JS visitor got is shown again, at the same address and viewport, in a
 *  context of its own with scripts allowed for axe but every script of the site blocked; the
 *  contents of <noscript> are unwrapped, as a browser without JavaScript shows them. */
class NoJsScanner {
  async scan(page) {
    if (!this.page) {
      this.context = await browser.newContext({ ...PHONE, javaScriptEnabled: true });
      this.context.setDefaultTimeout(STEP_MS);
      this.page = await this.context.newPage();
      await this.page.route((u) => u.origin === ORIGIN && u.pathname.endsWith('.js'), (r) => r.abort());
    }
    const url = page.url();
    const html = (await page.content()).replace(/<\/?noscript>/gi, '');
    const only = (u) => u.href === url;
    await this.page.route(only, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    try {
      await this.page.goto(url, { waitUntil: 'load' });
    } finally {
      await this.page.unroute(only);
    }
    return axe(this.page);
  }

  async close() {
    await this.context?.close().catch(() => {});
  }
}

/** A browser context at the phone viewport that notes everything that did not load cleanly. */
async function newContext(js) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: js });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const page = await context.newPage();
  const trouble = [];
  // Responses that are part of the journey (the form sent with an empty field answers 422).
  const expected = new Set();
  page.on('pageerror', (e) => trouble.push(`uncaught JS error on ${page.url()}: ${firstLines(e.message, 2)}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      trouble.push(`console error on ${page.url()}: ${firstLines(m.text(), 2)}`);
    }
  });
  page.on('requestfailed', (r) => {
    if (new URL(r.url()).origin === ORIGIN) trouble.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin !== ORIGIN || u.pathname === '/favicon.ico' || r.status() < 400) return;
    const key = `${r.request().method()} ${u.pathname} ${r.status()}`;
    if (expected.has(key)) return;
    trouble.push(`HTTP ${r.status()} for ${r.request().method()} ${u.pathname}${u.search}`);
  });
  return { context, page, trouble, expected };
}

/** Clicks `target`, waits for the navigation it starts (redirects included) to load, and
 *  throws unless it landed on a path (with query) matching `where`; returns the final status. */
async function clickAndLand(page, target, where) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  await target.click();
  const resp = await nav;
  const u = new URL(page.url());
  if (!where.test(u.pathname + u.search)) {
    throw new Error(`landed on ${u.pathname}${u.search} (HTTP ${resp?.status()}, h1 "${await h1(page).catch(() => '')}"), expected ${where}`);
  }
  return resp?.status();
}

const h1 = async (page) => squash(await page.locator('h1').first().textContent());

/** Problems unless the page's h1 is `want`. */
async function expectH1(page, want) {
  const got = await h1(page);
  return got === want ? [] : [`h1 is "${got}", expected "${want}" (at ${page.url()})`];
}

// ------------------------------------------------------------------- email --

/** Unfolds and reads the headers of a message (or a MIME part): name (lowercase) → value. */
function splitMessage(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      if (!(k in headers)) headers[k] = line.slice(i + 1).trim();
    }
  }
  return { headers, body };
}

function decodeQuotedPrintable(s) {
  const bytes = [];
  const soft = s.replace(/=\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(headers, body) {
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** The decoded text/plain part of a message (the first one, searching nested multiparts). */
function textPart(headers, body) {
  const ct = headers['content-type'] ?? 'text/plain';
  if (/^multipart\//i.test(ct)) {
    const m = /boundary="?([^";]+)"?/i.exec(ct);
    if (!m) return null;
    const delim = `--${m[1]}`;
    const pieces = body.split('\n').reduce((acc, line) => {
      if (line === delim || line === `${delim}--`) acc.push([]);
      else if (acc.length > 0) acc[acc.length - 1].push(line);
      return acc;
    }, []);
    for (const lines of pieces) {
      if (lines.length === 0) continue;
      const part = splitMessage(lines.join('\n'));
      const found = textPart(part.headers, part.body);
      if (found !== null) return found;
    }
    return null;
  }
  return /^text\/plain/i.test(ct) ? decodeBody(headers, body) : null;
}

/** The messages in the Maildir (new/ and cur/), newest first. */
async function maildirMessages() {
  const out = [];
  for (const sub of ['new', 'cur']) {
    let names = [];
    try {
      names = await readdir(path.join(MAILDIR, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(MAILDIR, sub, name);
      try {
        const [raw, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
        const { headers, body } = splitMessage(raw);
        out.push({ file, mtime: st.mtimeMs, headers, text: textPart(headers, body) ?? '' });
      } catch {
        // Renamed from new/ to cur/ meanwhile: read on the next look.
      }
    }
  }
  // Newest first; Maildir names start with the delivery time, so they break mtime ties.
  return out.sort((a, b) => b.mtime - a.mtime || path.basename(b.file).localeCompare(path.basename(a.file)));
}

/** Waits for the newest message to `to` that holds a set-password link; returns the link. */
async function setPasswordLink(to) {
  const prefix = `${ORIGIN}/layanan/atur-sandi?token=`;
  const until = Date.now() + MAIL_MS;
  let seen = [];
  while (Date.now() < until) {
    const mails = (await maildirMessages()).filter((m) => (m.headers['x-rcptto'] ?? '')
      .split(',').map((s) => s.trim().toLowerCase()).includes(to.toLowerCase()));
    seen = mails;
    for (const m of mails) {
      const i = m.text.indexOf(prefix);
      if (i >= 0) {
        const link = m.text.slice(i).split(/[\s<>"]/)[0];
        return { link, mail: m };
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${to} with a link starting ${prefix} in ${MAILDIR} within ${MAIL_MS / 1000} s `
    + `(${seen.length} message(s) to that address: ${seen.map((m) => JSON.stringify(m.headers.subject ?? '')).join(', ') || 'none'})`);
}

// ------------------------------------------------------------------ journey --

/** What the applicant types, by the label of each field. */
function applicant(tag, n) {
  const stamp = `${Date.now().toString(36)}${n}`;
  return {
    username: `pemohon.${tag}.${stamp}`,
    nama: n === 0 ? 'Siti Aminah' : 'Dewi Sartika Rahayu',
    email: `pemohon.${tag}.${stamp}@contoh.id`,
    nik: '1671044508900001',
    tempatLahir: 'Palembang',
    tanggalLahir: '1990-08-05',
    pekerjaan: 'Wiraswasta',
    telepon: '081234567890',
    alamat: 'Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir',
    kabupaten: 'Kota Palembang',
    kodePos: '30129',
    password: 'kopi pagi di tepian musi',
  };
}

/** The registration form's fields: label → [how to fill, what it must show after a failed send]. */
function registrationFields(form, a) {
  const text = (label, value) => ({ label, value, fill: (l) => l.fill(value) });
  const choice = (label, option) => ({ label, option, fill: (l) => l.selectOption({ label: option }) });
  return [
    text('Nama pengguna', a.username),
    text('Nama lengkap sesuai KTP', a.nama),
    text('Alamat surel', a.email),
    choice('Tipe identitas', 'KTP'),
    text('Nomor identitas (NIK untuk KTP)', a.nik),
    choice('Jenis kelamin', 'Perempuan'),
    text('Tempat lahir', a.tempatLahir),
    text('Tanggal lahir', a.tanggalLahir),
    text('Pekerjaan', a.pekerjaan),
    text('Nomor handphone', a.telepon),
    text('Alamat sesuai KTP', a.alamat),
    choice('Kabupaten/kota', a.kabupaten),
    text('Kode pos', a.kodePos),
  ].map((f) => ({ ...f, locator: form.getByLabel(f.label, { exact: true }) }));
}

async function runJourney(js, n) {
  const mode = js ? 'JS' : 'no-JS';
  const a = applicant(js ? 'js' : 'nojs', n);
  const scanner = js ? null : new NoJsScanner();
  const scan = (name, page) => check(`${mode} axe at 390×844: ${name}`, () => (js ? axe(page) : scanner.scan(page)));
  console.log(`\n== ${mode}: ${a.username} <${a.email}>`);

  const user = await newContext(js);
  const officer = await newContext(js);
  const { page } = user;
  try {
    // 1. Home page → "Registrasi Pemohon".
    await step(`${mode} 1. home page → header link "Registrasi Pemohon" → the form`, async () => {
      const resp = await page.goto(pageUrl('/'), { waitUntil: 'load' });
      if (resp?.status() !== 200) return [`GET / answered ${resp?.status()}`];
      const link = page.locator('header').getByRole('link', { name: 'Registrasi Pemohon', exact: true });
      if (!(await link.isVisible())) return ['no visible link "Registrasi Pemohon" in the page header'];
      const status = await clickAndLand(page, link, /^\/layanan\/registrasi$/);
      const problems = await expectH1(page, 'Registrasi Pemohon');
      if (status !== 200) problems.push(`the form answered ${status}`);
      return problems;
    });
    await scan('registration form', page);

    // 2a. Sent with "Pekerjaan" empty: summary at the top, message at the field, answers kept.
    const form = page.locator('main form').filter({ has: page.getByRole('button', { name: 'DAFTAR' }) });
    const fields = registrationFields(form, a);
    const empty = fields.find((f) => f.label === 'Pekerjaan');
    await step(`${mode} 2. fill the form by its labels, "Pekerjaan" left empty, press DAFTAR`, async () => {
      for (const f of fields) if (f !== empty) await f.fill(f.locator);
      user.expected.add('POST /layanan/registrasi 422');
      const status = await clickAndLand(page, form.getByRole('button', { name: 'DAFTAR', exact: true }), /^\/layanan\/registrasi$/);
      return status === 422 ? [] : [`DAFTAR with an empty field answered ${status}, expected 422 (the form again)`];
    });
    await check(`${mode} 2. the error summary is at the top and links to "Pekerjaan"`, async () => {
      const problems = [];
      const summary = page.locator('main .error-summary');
      if ((await summary.count()) !== 1) return [`${await summary.count()} .error-summary in <main>, expected 1`];
      if (!(await summary.isVisible())) problems.push('the error summary is not visible');
      if ((await summary.getAttribute('role')) !== 'alert') problems.push('the error summary has no role="alert"');
      // At the top: before the form and every field, and in the first screen of the phone.
      const before = await page.evaluate(() => {
        const s = document.querySelector('main .error-summary');
        const f = document.querySelector('main form');
        return !!(s && f && (s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING));
      });
      if (!before) problems.push('the error summary does not come before the form');
      const box = await summary.boundingBox();
      if (!box || box.y > PHONE.viewport.height) problems.push(`the error summary starts at y=${box?.y}, below the first screen (${PHONE.viewport.height} px)`);
      const links = await summary.getByRole('link').evaluateAll((as) => as.map((x) => [x.getAttribute('href'), x.textContent.trim()]));
      if (links.length !== 1) problems.push(`the summary lists ${links.length} problem(s), expected 1: ${JSON.stringify(links)}`);
      const toField = links.find(([href]) => href === '#pekerjaan');
      if (!toField) problems.push(`no summary link to #pekerjaan: ${JSON.stringify(links)}`);
      else if (!/pekerjaan/i.test(toField[1])) problems.push(`the summary link says "${toField[1]}", not what is wrong with Pekerjaan`);
      const heading = squash(await summary.locator('h2').textContent().catch(() => ''));
      if (!heading) problems.push('the error summary has no heading');
      return problems;
    });
    await check(`${mode} 2. the message is at the field "Pekerjaan", which is marked invalid`, async () => {
      const problems = [];
      const input = empty.locator;
      const msg = page.locator('#pekerjaan-galat');
      if (!(await msg.isVisible())) return ['no visible #pekerjaan-galat message at the field'];
      const text = squash(await msg.textContent());
      if (!/Isi pekerjaan/.test(text)) problems.push(`the message at the field says "${text}"`);
      if ((await input.getAttribute('aria-invalid')) !== 'true') problems.push('the field has no aria-invalid="true"');
      const described = (await input.getAttribute('aria-describedby')) ?? '';
      if (!described.split(/\s+/).includes('pekerjaan-galat')) problems.push(`aria-describedby="${described}" does not name the message`);
      // The message stands between the label and the field, within the field's group.
      const near = await page.evaluate(() => {
        const m = document.getElementById('pekerjaan-galat');
        const i = document.getElementById('pekerjaan');
        return !!(m && i && m.closest('.field') === i.closest('.field'));
      });
      if (!near) problems.push('the message is not in the same group as the field');
      return problems;
    });
    await check(`${mode} 2. every other answer is kept`, async () => {
      const problems = [];
      for (const f of fields) {
        if (f === empty) continue;
        if (f.option) {
          const shown = squash(await f.locator.evaluate((s) => s.selectedOptions[0]?.textContent ?? ''));
          if (shown !== f.option) problems.push(`${f.label}: shows "${shown}", was "${f.option}"`);
        } else {
          const v = await f.locator.inputValue();
          if (v !== f.value) problems.push(`${f.label}: "${v}", was "${f.value}"`);
        }
      }
      return problems;
    });
    await scan('registration form with errors', page);

    // 2b. Completed and sent: the confirmation.
    let nomor = null;
    await step(`${mode} 2. fill "Pekerjaan", press DAFTAR → "Registrasi berhasil"`, async () => {
      await empty.fill(empty.locator);
      await clickAndLand(page, form.getByRole('button', { name: 'DAFTAR', exact: true }), /^\/layanan\/registrasi\/berhasil/);
      return expectH1(page, 'Registrasi berhasil');
    });
    await step(`${mode} 2. the confirmation shows the registration number and mentions the spam folder`, async () => {
      const main = squash(await page.locator('main').innerText());
      const m = /Nomor registrasi Anda:\s*(REG-\d{4}-\d+)/.exec(main);
      const problems = [];
      if (!m) problems.push(`no "Nomor registrasi Anda: REG-…" in: ${main.slice(0, 300)}`);
      else nomor = m[1];
      if (!/spam/i.test(main)) problems.push('the confirmation does not mention the spam folder');
      if (nomor) console.log(`     registration number: ${nomor}`);
      return problems;
    });
    await scan('confirmation', page);

    // 3. The officer approves, in a second context.
    const op = officer.page;
    await step(`${mode} 3. officer opens /layanan/petugas/masuk`, async () => {
      const resp = await op.goto(pageUrl('/layanan/petugas/masuk'), { waitUntil: 'load' });
      if (resp?.status() !== 200) return [`answered ${resp?.status()}`];
      return expectH1(op, 'Masuk Petugas');
    });
    await scan('officer login', op);
    await step(`${mode} 3. officer logs in → "Konsol Petugas"`, async () => {
      const f = op.locator('main form');
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(OFFICER);
      await f.getByLabel('Kata sandi', { exact: true }).fill(OFFICER_PASSWORD);
      await clickAndLand(op, f.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/petugas\/$/);
      return expectH1(op, 'Konsol Petugas');
    });
    await scan('officer console', op);
    await step(`${mode} 3. the waiting list links to ${nomor} → its detail`, async () => {
      const link = op.locator('main').getByRole('link', { name: nomor, exact: true });
      if ((await link.count()) !== 1) return [`${await link.count()} link(s) named ${nomor} on the waiting list`];
      const row = squash(await op.locator('main tr')
        .filter({ has: op.getByRole('link', { name: nomor, exact: true }) }).innerText().catch(() => ''));
      const problems = row.includes(a.nama) ? [] : [`the waiting-list row says "${row}", without the name ${a.nama}`];
      await clickAndLand(op, link, /^\/layanan\/petugas\/registrasi\/\d+$/);
      problems.push(...(await expectH1(op, `Registrasi ${nomor}`)));
      const main = squash(await op.locator('main').innerText());
      for (const want of [a.nama, a.username, a.email, a.nik, 'Menunggu']) {
        if (!main.toLowerCase().includes(want.toLowerCase())) problems.push(`the detail does not show "${want}"`);
      }
      return problems;
    });
    await scan('registration detail (officer)', op);
    await step(`${mode} 3. officer presses "Setujui" → the registration is approved`, async () => {
      await clickAndLand(op, op.locator('main').getByRole('button', { name: 'Setujui', exact: true }), /^\/layanan\/petugas\/registrasi\/\d+$/);
      const problems = await expectH1(op, `Registrasi ${nomor}`);
      const status = squash(await op.locator('main p').filter({ hasText: 'Status:' }).first().innerText().catch(() => ''));
      if (/menunggu/i.test(status) || !status) problems.push(`after "Setujui" the page says "${status}"`);
      if ((await op.getByRole('button', { name: 'Setujui' }).count()) > 0) problems.push('"Setujui" is still offered after approving');
      console.log(`     after approval: ${status}`);
      return problems;
    });

    // 4. The approval email, its link, a new password.
    let link = null;
    await step(`${mode} 4. the approval email to ${a.email} holds the username and a set-password link`, async () => {
      const found = await setPasswordLink(a.email);
      link = found.link;
      const problems = [];
      if (!found.mail.text.includes(a.username)) problems.push('the email does not give the username');
      if (!found.mail.text.includes(nomor)) problems.push(`the email does not name ${nomor}`);
      if (/kata sandi anda:/i.test(found.mail.text)) problems.push('the email seems to carry a password');
      return problems;
    });
    await step(`${mode} 4. the link opens "Atur Kata Sandi"`, async () => {
      const resp = await page.goto(link, { waitUntil: 'load' });
      if (resp?.status() !== 200) return [`the link answered ${resp?.status()}`];
      return expectH1(page, 'Atur Kata Sandi');
    });
    await scan('set password', page);
    await step(`${mode} 4. fill both password fields, press "Simpan Kata Sandi" → "Masuk"`, async () => {
      const f = page.locator('main form').filter({ has: page.getByRole('button', { name: 'Simpan Kata Sandi' }) });
      await f.getByLabel('Kata sandi baru', { exact: true }).fill(a.password);
      await f.getByLabel('Ulangi kata sandi baru', { exact: true }).fill(a.password);
      await clickAndLand(page, f.getByRole('button', { name: 'Simpan Kata Sandi', exact: true }), /^\/layanan\/masuk/);
      const problems = await expectH1(page, 'Masuk');
      const main = squash(await page.locator('main').innerText());
      if (!main.includes('Kata sandi tersimpan')) problems.push(`the login page does not say the password was saved: ${main.slice(0, 200)}`);
      return problems;
    });
    await scan('login', page);

    // 5. Log in → "Layanan Pemohon".
    await step(`${mode} 5. log in with the username and the new password → "Layanan Pemohon"`, async () => {
      const f = page.locator('main form');
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(a.username);
      await f.getByLabel('Kata sandi', { exact: true }).fill(a.password);
      await clickAndLand(page, f.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/$/);
      const problems = await expectH1(page, 'Layanan Pemohon');
      const main = squash(await page.locator('main').innerText());
      for (const want of [a.nama, nomor, a.username]) if (!main.includes(want)) problems.push(`"Layanan Pemohon" does not show "${want}"`);
      const nav = page.getByRole('navigation', { name: 'Menu utama' });
      if ((await nav.getByRole('button', { name: 'Keluar' }).count()) !== 1) problems.push('no "Keluar" button in the header after logging in');
      return problems;
    });
    await scan('Layanan Pemohon', page);
  } catch (e) {
    if (!(e instanceof Stop)) record(`${mode} journey`, [`unexpected error: ${firstLines(e.stack ?? String(e), 6)}`]);
    else console.log(`     (${mode} journey stopped after: ${e.message})`);
  } finally {
    record(`${mode} every page loaded cleanly (no JS error, no unexpected 4xx/5xx)`, [...user.trouble, ...officer.trouble]);
    await user.context.close().catch(() => {});
    await officer.context.close().catch(() => {});
    await scanner?.close();
  }
}

// -------------------------------------------------------------------- main --

async function main() {
  try {
    const r = await fetch(pageUrl('/layanan/masuk'), { signal: AbortSignal.timeout(10_000) });
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  } catch (e) {
    record('server', [`${pageUrl('/layanan/masuk')} does not answer: ${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`]);
    return;
  }
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  } catch (e) {
    record('launch Chromium', [`${CHROMIUM}: ${firstLines(e.message)}`]);
    return;
  }
  await runJourney(true, 0);
  await runJourney(false, 1);
}

try {
  await main();
} catch (e) {
  record('journey', [`unexpected error: ${e.stack ?? e}`]);
}
if (!timedOut) {
  await browser?.close().catch(() => {});
  clearTimeout(deadline);
  process.exit(finish());
}
