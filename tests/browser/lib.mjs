// What the browser journeys against the running service share (tests/browser/journey.mjs and
// tests/browser/applications.mjs): their command line, the `ok`/`FAIL` report, headless Chromium
// at the phone viewport, axe-core with and without JavaScript, clicking through to a page, and
// reading the mail a loopback SMTP server delivered into a Maildir, and an officer's
// authenticator app (TOTP) for the second step of Masuk Petugas.
//
// A script calls `setup(script, extraOptions)` once, then `runMain(label, async () => …)`.
// Everything else reads the settings `setup` made (`cfg`), so one script runs one journey set.

import { createHmac } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

export let chromium;
export let AxeBuilder;
try {
  ({ chromium } = await import('playwright-core'));
  ({ AxeBuilder } = await import('@axe-core/playwright'));
} catch (e) {
  console.error(`${e.message}\nThe checker's npm tools are missing: run \`bash .ci/install\` (or \`npm ci\`) in the repo root.`);
  console.error('0 passed, 1 failed');
  process.exit(1);
}

export const CHROMIUM = process.env.SICANTIK_CHROMIUM || '/usr/bin/chromium';
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
// How long one action or wait may take before the step counts as failed.
export const STEP_MS = 10_000;
// How long an email may take to arrive after the action that sends it.
export const MAIL_MS = 20_000;

// ---------------------------------------------------------------- options --

/** The settings of the run, filled by `setup`. */
export const cfg = {
  base: null, // URL of the service, ending in "/"
  origin: null, // its origin: links in emails are built from the service's base URL, the same
  maildir: null,
  officer: null,
  officerPassword: null,
  timeoutMs: 0,
  opts: {}, // every option as parsed, extra ones included
};

/** Parses the common options (--url, --maildir, --officer, --officer-password, --timeout) and
 *  `extra` ones (parseArgs option specs, each with a `usage` text); exits 2 on bad usage. */
export function setup(script, { extra = {}, timeout = '120' } = {}) {
  const extraUsage = Object.entries(extra).map(([k, o]) => ` ${o.usage ?? `[--${k} VALUE]`}`).join('');
  const usage = `usage: node ${script} --url <http://127.0.0.1:PORT> --maildir <DIR>
       --officer <USERNAME> --officer-password <PASSWORD> [--timeout SECONDS-PER-STEP]${extraUsage}`;
  const specs = Object.fromEntries(Object.entries(extra).map(([k, { usage: _, ...spec }]) => [k, spec]));
  let opts;
  try {
    ({ values: opts } = parseArgs({
      options: {
        url: { type: 'string' },
        maildir: { type: 'string' },
        officer: { type: 'string' },
        'officer-password': { type: 'string' },
        timeout: { type: 'string', default: timeout },
        help: { type: 'boolean', short: 'h' },
        ...specs,
      },
    }));
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(usage);
    process.exit(0);
  }
  if (!opts.url || !opts.maildir || !opts.officer || !opts['officer-password']) {
    console.error(`--url, --maildir, --officer and --officer-password are required\n${usage}`);
    process.exit(2);
  }
  cfg.base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
  cfg.origin = cfg.base.origin;
  cfg.maildir = path.resolve(opts.maildir);
  cfg.officer = opts.officer;
  cfg.officerPassword = opts['officer-password'];
  cfg.timeoutMs = Number(opts.timeout) * 1000;
  cfg.opts = opts;
  return opts;
}

// ---------------------------------------------------- results and reporting --

const started = Date.now();
const results = []; // { name, problems: string[] }
let current = 'starting';
let currentSince = Date.now();
let timedOut = false;

/** The journey cannot go on after this step failed. */
export class Stop extends Error {}

export function record(name, problems, ms) {
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
export async function check(name, fn) {
  current = name;
  currentSince = Date.now();
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
export async function step(name, fn) {
  if (!(await check(name, fn))) throw new Stop(name);
}

export const indent = (text) => text.split('\n').map((l) => `       ${l}`).join('\n');
export const firstLines = (text, n = 4) => text.split('\n').slice(0, n).join('\n');
export const squash = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

function finish(label) {
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
  console.log(`\n${label} at ${cfg.base.href} in ${secs} s`);
  console.log(`${passed} passed, ${failed.length} failed`);
  return failed.length > 0 ? 1 : 0;
}

export let browser = null;

/** Checks that the service answers, launches Chromium, runs `body`, reports, and exits: 0 all
 *  passed, 1 something failed. A step that runs longer than --timeout is taken for a hang and
 *  ends the run; there is no limit on the whole run (a busy machine is slow, not broken). */
export async function runMain(label, body) {
  const deadline = setInterval(async () => {
    if (timedOut || Date.now() - currentSince < cfg.timeoutMs) return;
    record(`no step hangs (limit ${cfg.timeoutMs / 1000} s a step)`, [`hung while running: ${current}`]);
    timedOut = true;
    await Promise.race([browser?.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    process.exit(Math.max(1, finish(label)));
  }, 1000);
  try {
    await launchAndRun(body);
  } catch (e) {
    record(label, [`unexpected error: ${e.stack ?? e}`]);
  }
  if (!timedOut) {
    await browser?.close().catch(() => {});
    clearInterval(deadline);
    process.exit(finish(label));
  }
}

async function launchAndRun(body) {
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
  await body();
}

// ------------------------------------------------------------------ helpers --

export const pageUrl = (p) => new URL(p.replace(/^\//, ''), cfg.base).href;

export async function axe(page) {
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
export class NoJsScanner {
  async scan(page) {
    if (!this.page) {
      this.context = await browser.newContext({ ...PHONE, javaScriptEnabled: true });
      this.context.setDefaultTimeout(STEP_MS);
      this.page = await this.context.newPage();
      await this.page.route((u) => u.origin === cfg.origin && u.pathname.endsWith('.js'), (r) => r.abort());
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

/** A browser context at the phone viewport that notes everything that did not load cleanly.
 *  `expected` holds "METHOD /path STATUS" of error answers, and "METHOD /path ERROR" of failed
 *  requests (a download: "GET /path net::ERR_ABORTED"), that are part of the journey. */
export async function newContext(js) {
  const context = await browser.newContext({ ...PHONE, javaScriptEnabled: js });
  context.setDefaultTimeout(STEP_MS);
  context.setDefaultNavigationTimeout(STEP_MS);
  const page = await context.newPage();
  const trouble = [];
  const expected = new Set();
  page.on('pageerror', (e) => trouble.push(`uncaught JS error on ${page.url()}: ${firstLines(e.message, 2)}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      trouble.push(`console error on ${page.url()}: ${firstLines(m.text(), 2)}`);
    }
  });
  page.on('requestfailed', (r) => {
    const u = new URL(r.url());
    if (u.origin !== cfg.origin || expected.has(`${r.method()} ${u.pathname} ${r.failure()?.errorText}`)) return;
    trouble.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.origin !== cfg.origin || u.pathname === '/favicon.ico' || r.status() < 400) return;
    const key = `${r.request().method()} ${u.pathname} ${r.status()}`;
    if (expected.has(key)) return;
    trouble.push(`HTTP ${r.status()} for ${r.request().method()} ${u.pathname}${u.search}`);
  });
  return { context, page, trouble, expected };
}

/** Clicks `target`, waits for the navigation it starts (redirects included) to load, and
 *  throws unless it landed on a path (with query) matching `where`; returns the final status. */
export async function clickAndLand(page, target, where) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  try {
    await target.click();
  } catch (e) {
    nav.catch(() => {}); // no navigation is coming: its timeout must not end the process
    throw e;
  }
  const resp = await nav;
  const u = new URL(page.url());
  if (!where.test(u.pathname + u.search)) {
    throw new Error(`landed on ${u.pathname}${u.search} (HTTP ${resp?.status()}, h1 "${await h1(page).catch(() => '')}"), expected ${where}`);
  }
  return resp?.status();
}

/** The link `name` of the site header's menu, as a user reaches it: on a phone with JavaScript
 *  the menu is folded behind "Menu", which this presses first when the menu is closed. */
export async function headerLink(page, name) {
  const toggle = page.locator('header').getByRole('button', { name: 'Menu', exact: true });
  if ((await toggle.count()) === 1 && (await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') {
    await toggle.click();
  }
  return page.getByRole('navigation', { name: 'Menu utama' }).getByRole('link', { name, exact: true });
}

/** The site header's height in CSS pixels, as laid out. */
export const headerHeight = (page) => page.evaluate(() => document.querySelector('header')?.getBoundingClientRect().height ?? -1);

export const h1 = async (page) => squash(await page.locator('h1').first().textContent());

/** Problems unless the page's h1 is `want`. */
export async function expectH1(page, want) {
  const got = await h1(page);
  return got === want ? [] : [`h1 is "${got}", expected "${want}" (at ${page.url()})`];
}

// ------------------------------------------------------- second factor --

/** RFC 4648 base32 (no padding) to bytes. */
function base32Bytes(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out = [];
  let value = 0;
  let bits = 0;
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${text}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (SHA-1, 6 digits) of `secret` for 30-second step `step`. */
export function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Bytes(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** An officer's authenticator app: the key it was given at enrolment, and the codes it gave
 *  (the service takes each step's code once, and the next step's too; past that, wait). */
export class Phone {
  constructor() { this.secret = null; this.lastStep = 0; }
  async nextCode() {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(now, this.lastStep + 1);
      if (step <= now + 1) {
        this.lastStep = step;
        return totpAt(this.secret, step);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** After the officer's password: Verifikasi Dua Langkah with `phone`, enrolling it first when
 *  the service asks (the key typed in, as someone who cannot scan would), on to the console.
 *  `scan(name, page)` checks each new page. Returns problems. */
export async function passSecondStep(op, phone, scan) {
  if (new URL(op.url()).pathname.endsWith('/aktifkan-verifikasi')) {
    await scan('second factor enrolment', op);
    phone.secret = squash(await op.locator('main .kunci code').innerText()).replace(/ /g, '');
    const e = op.locator('main form');
    await e.getByLabel('Kode verifikasi', { exact: true }).fill(await phone.nextCode());
    await clickAndLand(op, e.getByRole('button', { name: 'Aktifkan', exact: true }), /^\/layanan\/petugas\/aktifkan-verifikasi$/);
    const problems = await expectH1(op, 'Simpan Kode Pemulihan');
    if (problems.length) return problems;
    await scan('recovery codes', op);
    const link = op.locator('main').getByRole('link', { name: 'Saya sudah menyimpan kode ini, lanjut ke konsol' });
    await clickAndLand(op, link, /^\/layanan\/petugas\/$/);
  } else {
    await scan('second factor', op);
    const v = op.locator('main form');
    await v.getByLabel('Kode verifikasi', { exact: true }).fill(await phone.nextCode());
    await clickAndLand(op, v.getByRole('button', { name: 'Lanjutkan', exact: true }), /^\/layanan\/petugas\/$/);
  }
  return [];
}

// ------------------------------------------------------------- screenshots --

/** The phone-sized screenshots of the guide's steps (content/panduan/gambar/), taken from the
 *  real pages when the script is given --screenshots DIR: the viewport, 390×844 CSS pixels
 *  (one image pixel each: at the phone's 2 device pixels a screen weighs about twice as much),
 *  as JPEG, from the top of the page or with `at` (a locator) at the top of the screen; no
 *  focus ring, no caret, no animation. Returns problems. */
export async function screenshot(page, file, { at = null } = {}) {
  const dir = cfg.opts.screenshots;
  if (!dir) return [];
  await page.evaluate(() => document.activeElement?.blur?.());
  // A little room above `at`, so that its heading or label is not cut at the top edge.
  if (at) await at.evaluate((el) => window.scrollTo({ top: el.getBoundingClientRect().top + window.scrollY - 16, behavior: 'instant' }));
  else await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  const buffer = await page.screenshot({
    path: path.join(dir, file), type: 'jpeg', quality: SCREENSHOT_QUALITY, scale: 'css', caret: 'hide', animations: 'disabled',
  });
  console.log(`     screenshot ${file}: ${(buffer.length / 1024).toFixed(1)} KiB`);
  return buffer.length > 0 ? [] : [`${file} is empty`];
}

/** JPEG quality of the guide's screenshots: text stays legible, a screen stays under ~60 KB. */
const SCREENSHOT_QUALITY = 75;

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

/** A header value with its RFC 2047 encoded words (=?utf-8?b?…?= and =?utf-8?q?…?=) decoded. */
export function decodeHeader(value) {
  return (value ?? '')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset, enc, text) => (enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQuotedPrintable(text.replace(/_/g, ' '))));
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

/** The messages in the Maildir (new/ and cur/), newest first: { file, mtime, headers, subject,
 *  to (envelope recipients, lowercase), text (the text/plain part) }. */
export async function maildirMessages() {
  const out = [];
  for (const sub of ['new', 'cur']) {
    let names = [];
    try {
      names = await readdir(path.join(cfg.maildir, sub));
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(cfg.maildir, sub, name);
      try {
        const [raw, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
        const { headers, body } = splitMessage(raw);
        out.push({
          file,
          mtime: st.mtimeMs,
          headers,
          subject: decodeHeader(headers.subject),
          to: (headers['x-rcptto'] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
          text: textPart(headers, body) ?? '',
        });
      } catch {
        // Renamed from new/ to cur/ meanwhile: read on the next look.
      }
    }
  }
  // Newest first; Maildir names start with the delivery time, so they break mtime ties.
  return out.sort((a, b) => b.mtime - a.mtime || path.basename(b.file).localeCompare(path.basename(a.file)));
}

/** Waits until at least `count` messages to `to` satisfy `wanted(message)`; returns them,
 *  newest first. Throws, naming the subjects that did arrive to `to`, after MAIL_MS. */
export async function waitForMail(to, what, wanted, count = 1) {
  const until = Date.now() + MAIL_MS;
  let seen = [];
  while (Date.now() < until) {
    seen = (await maildirMessages()).filter((m) => m.to.includes(to.toLowerCase()));
    const found = seen.filter(wanted);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${count > 1 ? `${count} emails` : 'no email'} to ${to} ${what} in ${cfg.maildir} within ${MAIL_MS / 1000} s `
    + `(${seen.length} message(s) to that address: ${seen.map((m) => JSON.stringify(m.subject)).join(', ') || 'none'})`);
}

/** The first link in `text` that starts with `prefix`. */
export function linkIn(text, prefix) {
  const i = text.indexOf(prefix);
  return i < 0 ? null : text.slice(i).split(/[\s<>"]/)[0];
}

/** Waits for the newest message to `to` that holds a set-password link; returns the link. */
export async function setPasswordLink(to) {
  const prefix = `${cfg.origin}/layanan/atur-sandi?token=`;
  const [mail] = await waitForMail(to, `with a link starting ${prefix}`, (m) => m.text.includes(prefix));
  return { link: linkIn(mail.text, prefix), mail };
}

// --------------------------------------------------------------- applicant --

/** What a new applicant types, by the label of each field. */
export function applicant(tag, n) {
  const stamp = `${Date.now().toString(36)}${n}`;
  return {
    username: `pemohon.${tag}.${stamp}`,
    nama: n === 0 ? 'Siti Aminah' : 'Dewi Sartika Rahayu',
    email: `pemohon.${tag}.${stamp}@contoh.id`,
    // A NIK no one holds (the guide's screenshots show it): Kota Palembang (1671) has no
    // kecamatan 99. Female, born 5 August 1990, as the fields below say.
    nik: '1671994508909999',
    tempatLahir: 'Palembang',
    tanggalLahir: { hari: '5', bulan: '8', tahun: '1990' },
    pekerjaan: 'Wiraswasta',
    telepon: '081234567890',
    alamat: 'Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir',
    kabupaten: 'Kota Palembang',
    kodePos: '30129',
    password: 'kopi pagi di tepian musi',
  };
}

/** The registration form's fields: label → [how to fill, what it must show after a failed send]. */
export function registrationFields(form, a) {
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
    // The birth date is three fields (GOV.UK date input) in the group "Tanggal lahir".
    text('Tanggal', a.tanggalLahir.hari),
    text('Bulan', a.tanggalLahir.bulan),
    text('Tahun', a.tanggalLahir.tahun),
    text('Pekerjaan', a.pekerjaan),
    text('Nomor handphone', a.telepon),
    text('Alamat sesuai KTP', a.alamat),
    choice('Kabupaten/kota', a.kabupaten),
    text('Kode pos', a.kodePos),
  ].map((f) => ({ ...f, locator: form.getByLabel(f.label, { exact: true }) }));
}
