#!/usr/bin/env node
// A permit application from PERMOHONAN to "Selesai, izin terbit", in headless Chromium, against
// the running service (steps 4 to 7 of the guide):
//
//   node tests/browser/applications.mjs --url http://127.0.0.1:PORT --maildir DIR \
//       --officer petugas1 --officer-password PW --officer-email petugas1@… [--timeout SECONDS-PER-STEP]
//
// The caller (tests/e2e/applications.rs) runs `sicantik serve` at --url with its mail going to a
// loopback SMTP server that delivers into the Maildir --maildir, and has created the officer
// (whose address is --officer-email). As a new user would, clicking links and buttons:
//   0. a new applicant registers, the officer approves in a second browser context, the
//      applicant sets a password from the emailed link and logs in (as tests/browser/journey.mjs
//      does, without its error path, which that journey checks);
//   1. Layanan Pemohon → "PERMOHONAN"; "Jenis Izin" = Izin Pemasangan Rumpon (with JavaScript the
//      form updates in place, without the button "Pilih" loads it again), "Tipe Pemohon" =
//      Perorangan, "Tampilkan persyaratan"; PEMOHON comes from the profile and
//      PERSYARATAN lists what the permit's public page /izin/izin-pemasangan-rumpon/ lists; BUAT;
//   2. DOKUMEN, a task list: every requirement tagged "Belum diunggah" and the count "0 dari N
//      dokumen wajib"; "Periksa dan Ajukan" then links each missing document to its item
//      (#syarat-…, in view); real files made by Chromium — a PDF from `page.pdf()` for each
//      requirement that takes only PDF, a PNG from `page.screenshot()` for the KTP; first the PNG
//      for a PDF-only requirement, refused with the reason at the field; with JavaScript an
//      upload cancelled with "Batalkan unggahan" saves nothing; then each file chosen in its
//      input and sent with "Unggah" (with JavaScript through layanan.js: the item updated in
//      place, at the same place on the screen, the progress as a bar and as text up to
//      "100 %", Unggah disabled while sending, "Berkas tersimpan untuk …" in the live region;
//      without, a plain form post landing on #syarat-…); each file name then shows, tagged
//      "Sudah diunggah", and one file downloads back byte for byte;
//   3. "Periksa dan Ajukan" lists every answer and document with "Ubah"; "Ubah alamat pemohon"
//      → the field, a new address, "Simpan dan kembali ke ringkasan" → the summary shows it;
//      "Ajukan" → the application page says "Diajukan, menunggu verifikasi";
//   4. the officer: "Antrean permohonan" → the application (the SHA-256 shown for each document
//      is that of the bytes uploaded) → "Kembalikan untuk perbaikan" with a note on the SIPI; the
//      applicant follows the emailed link, sees the note on DOKUMEN (tagged "Perlu perbaikan"),
//      replaces the SIPI (the note stays, marked as answered), "Ajukan" again; the officer follows the emailed link → "Verifikasi dan terima untuk diproses" →
//      "Tandai selesai (izin terbit)"; Layanan Pemohon then says "Selesai, izin terbit" and the
//      application's timeline shows every step, with who did it and the notes;
//   5. a visitor: the footer link "Cek status permohonan", the number and the applicant's email
//      → the status and the timeline, nothing personal;
//   6. the emails in the Maildir: the receipt of each submission to the applicant, the notice of
//      each to the officer, the correction request with the note, "verified", and "finished";
//   and axe-core (WCAG 2.0/2.1/2.2 A and AA) on every distinct page (and state) on the way,
//   at 390×844, with a reflow check axe lacks: no text in <main> squeezed until its words break.
//   With --screenshots DIR, the JS run also takes the guide's screenshots of its seven steps
//   (content/panduan/gambar/, see tests/browser/refresh-screenshots) into DIR, as the pages are
//   reached: the registration form filled in, "Registrasi berhasil", Masuk filled in after the
//   password was set, PERMOHONAN with the permit chosen, its PERSYARATAN above BUAT, DOKUMEN with
//   every file uploaded, and the application verified by the officer.
//   Every page must load cleanly (no uncaught JS error, no console error, no same-origin 4xx/5xx
//   other than the expected 422 of the refused file).
// The whole runs twice: with JavaScript, and in contexts with JavaScript disabled, each time
// with a new applicant.
//
// One `ok`/`FAIL` line per check; every failure is collected and printed again at the end,
// followed by "N passed, M failed". Exit code: 0 all passed, 1 something failed, 2 bad usage.
// A step the journey cannot go on without ends that run (the other run still happens).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import {
  applicant, axe, browser, cfg, check, clickAndLand, expectH1, firstLines, headerLink, linkIn, maildirMessages,
  newContext, NoJsScanner, pageUrl, passSecondStep, Phone, record, registrationFields, runMain, screenshot, setPasswordLink,
  setup, squash, step, STEP_MS, Stop, waitForMail,
} from './lib.mjs';

setup('tests/browser/applications.mjs', {
  extra: {
    'officer-email': { type: 'string', usage: '--officer-email <EMAIL>' },
    screenshots: { type: 'string', usage: '[--screenshots DIR]' },
  },
  timeout: '120',
});
const OFFICER_EMAIL = cfg.opts['officer-email'];
if (!OFFICER_EMAIL) {
  console.error('--officer-email is required (the address of --officer, where the notices go)');
  process.exit(2);
}

/** The officer's phone: enrolled at the first run's sign-in, used again by the next. */
const officerPhone = new Phone();

const PERMIT = 'Izin Pemasangan Rumpon';
const PERMIT_PAGE = '/izin/izin-pemasangan-rumpon/';
const SENT_BACK_NOTE = 'SIPI sudah kedaluwarsa; unggah SIPI yang masih berlaku.';
const PERMIT_NUMBER = 'Nomor izin 503/123/DPMPTSP/2026';
/** A date as the service prints it ("18 Desember 2026"). */
const DEADLINE_DATE = /^\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) \d{4}/;
const STATUS = {
  draf: 'Draf (belum diajukan)',
  diajukan: 'Diajukan, menunggu verifikasi',
  perbaikan: 'Perlu perbaikan',
  diproses: 'Dokumen terverifikasi, sedang diproses',
  selesai: 'Selesai, izin terbit',
};
// File names as an applicant's scans are named; a requirement not listed gets "<id>.pdf".
const FILE_NAMES = {
  'surat-permohonan': 'Surat permohonan rumpon.pdf',
  sipi: 'SIPI 2024.pdf',
  'ktp-penanggung-jawab': 'KTP penanggung jawab.png',
  'tata-letak-spesifikasi': 'Tata letak dan spesifikasi rumpon.pdf',
};
const REPLACEMENT_NAME = 'SIPI 2026 berlaku.pdf';
// The guide's screenshots, one per step, named as content/panduan/*.md's `gambar.berkas`.
const SHOTS = {
  registrasi: '01-registrasi-pemohon.jpg',
  konfirmasi: '02-konfirmasi-registrasi.jpg',
  masuk: '03-kata-sandi-dan-masuk.jpg',
  izin: '04-pilih-jenis-izin.jpg',
  buat: '05-buat-permohonan.jpg',
  dokumen: '06-unggah-dokumen.jpg',
  verifikasi: '07-verifikasi.jpg',
};

// ------------------------------------------------------------------ helpers --

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Real files, made by Chromium in a context of their own: PDFs with `page.pdf()`, a PNG with
 *  `page.screenshot()`. Each is { name, mimeType, buffer, sha }. */
class Studio {
  async open() {
    this.context = await browser.newContext({ viewport: { width: 600, height: 400 } });
    this.page = await this.context.newPage();
  }

  async pdf(name, title, lines) {
    await this.page.setContent(`<!doctype html><html lang="id"><meta charset="utf-8"><title>${title}</title>
      <body style="font-family: serif; margin: 2cm"><h1>${title}</h1>${lines.map((l) => `<p>${l}</p>`).join('')}</body></html>`);
    const buffer = await this.page.pdf({ format: 'A4' });
    return { name, mimeType: 'application/pdf', buffer, sha: sha256(buffer) };
  }

  async png(name, lines) {
    await this.page.setContent(`<!doctype html><html lang="id"><meta charset="utf-8"><title>KTP</title>
      <body style="margin: 0"><div id="kartu" style="width: 340px; height: 214px; padding: 12px; box-sizing: border-box;
      background: #bfe3f5; font: 13px sans-serif; border-radius: 10px">
      <strong>PROVINSI SUMATERA SELATAN</strong>${lines.map((l) => `<div>${l}</div>`).join('')}</div></body></html>`);
    const buffer = await this.page.locator('#kartu').screenshot({ type: 'png' });
    return { name, mimeType: 'image/png', buffer, sha: sha256(buffer) };
  }

  async close() {
    await this.context?.close().catch(() => {});
  }
}

/** The file an applicant picks for requirement `r` ({ id, nama, accept }): the PNG where an
 *  image is taken (the KTP), otherwise a PDF; throws if the input takes neither. */
async function fileFor(studio, r, a, mode) {
  const name = FILE_NAMES[r.id] ?? `${r.id}.pdf`;
  const accept = r.accept.split(',').map((s) => s.trim());
  if (accept.includes('image/png') && name.endsWith('.png')) {
    return studio.png(name, ['NIK: ' + a.nik, 'Nama: ' + a.nama, `Berlaku hingga: SEUMUR HIDUP (${mode})`]);
  }
  if (!accept.includes('application/pdf')) throw new Error(`${r.nama}: the input accepts "${r.accept}", not PDF`);
  return studio.pdf(name.replace(/\.png$/, '.pdf'), r.nama, [
    `Pemohon: ${a.nama} (${a.email})`,
    `Dibuat untuk uji ${mode} pada ${new Date().toISOString()}`,
  ]);
}

/** The <dt> → <dd> pairs of the first dl.summary in <main>. */
const summaryOf = (page) => page.locator('main dl.summary').first().evaluate((dl) => Object.fromEntries(
  [...dl.querySelectorAll(':scope > div')].map((d) => [
    d.querySelector('dt')?.textContent.replace(/\s+/g, ' ').trim(),
    d.querySelector('dd')?.textContent.replace(/\s+/g, ' ').trim(),
  ]),
));

/** Problems unless the summary holds each `want` pair. */
function expectSummary(got, want, where) {
  const problems = [];
  for (const [k, v] of Object.entries(want)) {
    if (got[k] !== v) problems.push(`${where}: "${k}" is ${JSON.stringify(got[k])}, expected "${v}"`);
  }
  return problems;
}

/** The checklist items (name, badge and format) of an ol.checklist. */
const checklist = (list) => list.locator(':scope > li').evaluateAll((lis) => lis.map((li) => ({
  nama: li.querySelector('.checklist-name strong')?.textContent.replace(/\s+/g, ' ').trim(),
  text: li.innerText.replace(/\s+/g, ' ').trim(),
})));

/** The <dt> → first <dd> pairs of every dl.summary in <main> ("Periksa dan Ajukan" groups its
 *  answers in several). */
const allSummariesOf = (page) => page.locator('main dl.summary').evaluateAll((dls) => Object.fromEntries(
  dls.flatMap((dl) => [...dl.querySelectorAll(':scope > div')].map((d) => [
    d.querySelector('dt')?.textContent.replace(/\s+/g, ' ').trim(),
    d.querySelector('dd')?.textContent.replace(/\s+/g, ' ').trim(),
  ])),
));

/** The requirements on DOKUMEN, a task list: { id, nama, accept, status (the tag's text),
 *  uploaded (the file name shown, or null), note (the officer's note shown, or null) }. */
const dokumenRows = (page) => page.locator('main ul.task-list > li').evaluateAll((lis) => lis.map((li) => {
  const heading = li.querySelector('.task-list-name');
  const shown = [...li.querySelectorAll('p')].find((p) => p.textContent.trim().startsWith('Terunggah:'));
  const note = li.querySelector('.notice:not(.notice-success)');
  return {
    id: li.id.replace(/^syarat-/, ''),
    nama: (heading?.firstChild?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    accept: li.querySelector('input[type=file]')?.getAttribute('accept') ?? '',
    status: li.querySelector('.tag')?.textContent.replace(/\s+/g, ' ').trim() ?? null,
    uploaded: shown?.querySelector('a')?.textContent.trim() ?? null,
    note: note ? note.textContent.replace(/\s+/g, ' ').trim() : null,
  };
}));

/** Whether the element `selector` comes into view (the page scrolls smoothly to a #fragment,
 *  so it may take a moment; false only after STEP_MS). Polled from here: a page without
 *  JavaScript runs no waitForFunction. */
async function comesIntoView(page, selector) {
  const until = Date.now() + STEP_MS;
  for (;;) {
    const inView = await page.locator(selector).evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight;
    }).catch(() => false);
    if (inView) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Where an element's top is in the viewport (px), and whether it is in view at all. */
const placeOf = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { top: Math.round(r.top), inView: r.bottom > 0 && r.top < window.innerHeight };
});

/** Text in <main> squeezed so narrow that its words break across lines (more lines than words):
 *  what a visitor sees when a layout puts a text into a column a few letters wide. axe-core
 *  does not see it. */
const brokenWords = (page) => page.evaluate(() => {
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main') ?? document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\s+/g, ' ').trim();
    if (text.length < 12 || !n.parentElement) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const lines = new Set([...range.getClientRects()].filter((b) => b.width > 0).map((b) => Math.round(b.top))).size;
    const words = text.split(/[ -]/).length; // a break after a hyphen is a break between words
    if (lines > words + 1) {
      const el = n.parentElement;
      const where = el.closest('[id]');
      found.push(`"${text.slice(0, 40)}${text.length > 40 ? '…' : ''}" (<${el.tagName.toLowerCase()}>${where ? ` in #${where.id}` : ''}) `
        + `takes ${lines} lines for ${words} word(s) in a box ${Math.round(el.getBoundingClientRect().width)} px wide`);
    }
  }
  return found.length <= 5 ? found : [...found.slice(0, 5), `(+${found.length - 5} more)`];
});

// ------------------------------------------------------------------ journey --

async function runApplication(js, n, studio) {
  const mode = js ? 'JS' : 'no-JS';
  // The JS run's pages become the guide's published screenshots: a plain sample account.
  const a = js ? { ...applicant('js', n), username: 'siti.aminah', email: 'siti.aminah@contoh.id' } : applicant('nojs', n);
  const scanner = js ? null : new NoJsScanner();
  /** The guide's screenshot `file` of what `page` shows now (JS run only). */
  const shoot = (file, options) => (js && cfg.opts.screenshots
    ? check(`${mode} screenshot for the guide: ${file}`, () => screenshot(page, file, options))
    : Promise.resolve(true));
  /** PEMOHON's address as the application holds it (changed with "Ubah" on the way). */
  let alamat = a.alamat;
  const scan = (name, page) => check(`${mode} axe and reflow at 390×844: ${name}`,
    async () => [...(js ? await axe(page) : await scanner.scan(page)), ...(await brokenWords(page))]);
  console.log(`\n== ${mode}: ${a.username} <${a.email}>`);

  const user = await newContext(js);
  const officer = await newContext(js);
  let visitor = null;
  const { page } = user;
  const op = officer.page;
  // With JavaScript, what the <progress> bar of an upload showed, as layanan.js changed it.
  const progress = [];
  if (js) await user.context.exposeBinding('__sicantikProgress', (_source, state) => progress.push(state));
  const xhrUploads = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/dokumen\/[^/]+$/.test(new URL(r.url()).pathname)) {
      xhrUploads.push({ path: new URL(r.url()).pathname, type: r.resourceType() });
    }
  });

  try {
    // 0. A signed-in applicant, as tests/browser/journey.mjs makes one.
    await step(`${mode} 0. home page → header link "Registrasi Pemohon" → the form`, async () => {
      await page.goto(pageUrl('/'), { waitUntil: 'load' });
      await scan('home page', page);
      await clickAndLand(page, await headerLink(page, 'Registrasi Pemohon'), /^\/layanan\/registrasi$/);
      return expectH1(page, 'Registrasi Pemohon');
    });
    await scan('registration form', page);
    await step(`${mode} 0. fill the form by its labels, DAFTAR → "Registrasi berhasil"`, async () => {
      const form = page.locator('main form').filter({ has: page.getByRole('button', { name: 'DAFTAR' }) });
      for (const f of registrationFields(form, a)) await f.fill(f.locator);
      await shoot(SHOTS.registrasi, { at: form.locator('fieldset').first() });
      await clickAndLand(page, form.getByRole('button', { name: 'DAFTAR', exact: true }), /^\/layanan\/registrasi\/berhasil/);
      return expectH1(page, 'Registrasi berhasil');
    });
    await shoot(SHOTS.konfirmasi);
    await scan('registration confirmation', page);
    const reg = /REG-\d{4}-\d+/.exec(squash(await page.locator('main').innerText()))?.[0];
    await step(`${mode} 0. officer logs in → "Konsol Petugas"`, async () => {
      await op.goto(pageUrl('/layanan/petugas/masuk'), { waitUntil: 'load' });
      await scan('officer login', op);
      const highlighted = await op.locator('header [aria-current]').allInnerTexts();
      if (highlighted.length) return [`the officer login highlights ${JSON.stringify(highlighted)} in the header`];
      const f = op.locator('main form');
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(cfg.officer);
      await f.getByLabel('Kata sandi', { exact: true }).fill(cfg.officerPassword);
      await clickAndLand(op, f.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/petugas\/(aktifkan-)?verifikasi$/);
      const problems = await passSecondStep(op, officerPhone, scan);
      if (problems.length) return problems;
      return expectH1(op, 'Konsol Petugas');
    });
    await scan('officer console', op);
    await step(`${mode} 0. officer opens ${reg} and presses "Setujui"`, async () => {
      if (!reg) return ['no REG- number on the confirmation'];
      await clickAndLand(op, op.locator('main').getByRole('link', { name: reg, exact: true }), /^\/layanan\/petugas\/registrasi\/\d+$/);
      await scan('registration (officer)', op);
      await clickAndLand(op, op.locator('main').getByRole('button', { name: 'Setujui', exact: true }), /^\/layanan\/petugas\/registrasi\/\d+$/);
      const status = squash(await op.locator('main p').filter({ hasText: 'Status:' }).first().innerText());
      return /disetujui/i.test(status) ? [] : [`after "Setujui" the page says "${status}"`];
    });
    await step(`${mode} 0. the emailed link → "Atur Kata Sandi", the password twice → "Masuk"`, async () => {
      const { link } = await setPasswordLink(a.email);
      await page.goto(link, { waitUntil: 'load' });
      await scan('set password', page);
      const f = page.locator('main form').filter({ has: page.getByRole('button', { name: 'Simpan Kata Sandi' }) });
      await f.getByLabel('Kata sandi baru', { exact: true }).fill(a.password);
      await f.getByLabel('Ulangi kata sandi baru', { exact: true }).fill(a.password);
      await clickAndLand(page, f.getByRole('button', { name: 'Simpan Kata Sandi', exact: true }), /^\/layanan\/masuk/);
      return expectH1(page, 'Masuk');
    });
    await scan('login', page);
    await step(`${mode} 0. log in → "Layanan Pemohon"`, async () => {
      const m = page.locator('main form');
      await m.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(a.username);
      await m.getByLabel('Kata sandi', { exact: true }).fill(a.password);
      await shoot(SHOTS.masuk);
      await clickAndLand(page, m.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/$/);
      return expectH1(page, 'Layanan Pemohon');
    });
    await scan('Layanan Pemohon (no application yet)', page);

    // 1. PERMOHONAN: permit, applicant type, PERSYARATAN, BUAT.
    await step(`${mode} 1. Layanan Pemohon → "PERMOHONAN" → the form`, async () => {
      const link = page.locator('main').getByRole('link', { name: 'PERMOHONAN', exact: true });
      if ((await link.count()) !== 1) return [`no link "PERMOHONAN" on Layanan Pemohon: ${squash(await page.locator('main').innerText()).slice(0, 300)}`];
      await clickAndLand(page, link, /^\/layanan\/permohonan\/baru$/);
      return expectH1(page, 'PERMOHONAN');
    });
    await scan('PERMOHONAN (choose the permit)', page);
    const typeGroup = page.getByRole('group', { name: 'Tipe Pemohon' });
    const buat = page.locator('main').getByRole('button', { name: 'BUAT', exact: true });
    // With JavaScript (layanan.js) the form updates in place as the choices change; without,
    // "Pilih" and "Tampilkan persyaratan" load the page again.
    const markDocument = () => page.evaluate(() => { window.__sicantikSameDocument = true; });
    const sameDocument = () => page.evaluate(() => window.__sicantikSameDocument === true);
    if (js) {
      await check(`${mode} 1. "Jenis Izin" = ${PERMIT} → "Tipe Pemohon" shows in place (layanan.js)`, async () => {
        await markDocument();
        await page.getByLabel('Jenis Izin', { exact: true }).selectOption({ label: PERMIT });
        await typeGroup.waitFor({ state: 'visible' });
        const problems = (await sameDocument()) ? [] : ['the page was loaded again instead of updated in place'];
        const u = new URL(page.url());
        if (u.searchParams.get('izin') !== 'izin-pemasangan-rumpon') problems.push(`the address is ${u.pathname}${u.search}, without the choice (reload or back would lose it)`);
        return problems;
      });
    }
    // Without JavaScript (or should the in-place update have failed) the button loads the page.
    await step(`${mode} 1. ${js ? '' : `"Jenis Izin" = ${PERMIT}, press "Pilih" → `}"Tipe Pemohon" is asked`, async () => {
      if (!(await typeGroup.isVisible())) {
        await page.getByLabel('Jenis Izin', { exact: true }).selectOption({ label: PERMIT });
        await clickAndLand(page, page.locator('main').getByRole('button', { name: 'Pilih', exact: true }), /^\/layanan\/permohonan\/baru\?.*izin=izin-pemasangan-rumpon/);
      }
      const problems = [];
      const types = await typeGroup.getByRole('radio').count();
      if (types !== 2) problems.push(`"Tipe Pemohon" offers ${types} choice(s), expected 2 (Perorangan, Perusahaan)`);
      const chosen = squash(await page.getByLabel('Jenis Izin', { exact: true }).evaluate((s) => s.selectedOptions[0]?.textContent ?? ''));
      if (chosen !== PERMIT) problems.push(`"Jenis Izin" shows "${chosen}"`);
      return problems;
    });
    await scan('PERMOHONAN (choose the applicant type)', page);
    if (js) {
      await check(`${mode} 1. "Tipe Pemohon" = Perorangan → PEMOHON, PERSYARATAN and BUAT show in place (layanan.js)`, async () => {
        await markDocument();
        await typeGroup.getByLabel('Perorangan', { exact: true }).click();
        await buat.waitFor({ state: 'visible' });
        const problems = (await sameDocument()) ? [] : ['the page was loaded again instead of updated in place'];
        if (!(await typeGroup.getByLabel('Perorangan', { exact: true }).isChecked())) problems.push('"Perorangan" is not checked after the update');
        return problems;
      });
    }
    await step(`${mode} 1. ${js ? '' : '"Tipe Pemohon" = Perorangan, '}press "Tampilkan persyaratan" → PEMOHON and PERSYARATAN`, async () => {
      const perorangan = typeGroup.getByLabel('Perorangan', { exact: true });
      if (!(await perorangan.isChecked())) await perorangan.check();
      const kind = page.getByRole('group', { name: 'Jenis Permohonan' }).getByRole('radio');
      if ((await kind.count()) === 1 && !(await kind.isChecked())) await kind.check();
      await clickAndLand(page, page.locator('main').getByRole('button', { name: 'Tampilkan persyaratan', exact: true }), /^\/layanan\/permohonan\/baru\?.*tipe=perorangan/);
      const problems = [];
      if ((await buat.count()) !== 1) problems.push('no BUAT button');
      if (!(await page.getByRole('heading', { name: 'PERSYARATAN', exact: true }).isVisible())) problems.push('no PERSYARATAN heading');
      if (!(await perorangan.isChecked())) problems.push('"Perorangan" is not checked any more');
      return problems;
    });
    await shoot(SHOTS.izin, { at: page.getByLabel('Jenis Izin', { exact: true }).locator('xpath=..') });
    await shoot(SHOTS.buat, { at: page.getByRole('heading', { name: 'PERSYARATAN', exact: true }) });
    await check(`${mode} 1. PEMOHON is filled in from the profile`, async () => {
      const want = { 'Nama pemohon': a.nama, 'Nomor identitas (NIK)': a.nik, 'Alamat surel': a.email, Alamat: a.alamat };
      const problems = [];
      for (const [label, v] of Object.entries(want)) {
        const got = await page.getByLabel(label, { exact: true }).inputValue();
        if (got !== v) problems.push(`${label}: "${got}", expected "${v}"`);
      }
      const tel = await page.getByLabel('Nomor handphone', { exact: true }).inputValue();
      if (!tel.replace(/\D/g, '').endsWith(a.telepon.replace(/^0/, ''))) problems.push(`Nomor handphone: "${tel}", expected ${a.telepon}`);
      return problems;
    });
    const formList = await checklist(page.locator('main #persyaratan ~ ol.checklist').first());
    // The permit's public page, in a second tab, as an applicant compares the two.
    const tab = await user.context.newPage();
    try {
      await check(`${mode} 1. PERSYARATAN lists what the permit's public page ${PERMIT_PAGE} lists`, async () => {
        const resp = await tab.goto(pageUrl(PERMIT_PAGE), { waitUntil: 'load' });
        if (resp?.status() !== 200) return [`${PERMIT_PAGE} answered ${resp?.status()}`];
        const publicList = await checklist(tab.locator('main section[aria-labelledby="persyaratan"] ol.checklist'));
        const problems = [];
        const names = (l) => JSON.stringify(l.map((r) => r.nama));
        if (publicList.length === 0) problems.push(`no requirement on ${PERMIT_PAGE}`);
        if (names(formList) !== names(publicList)) {
          problems.push(`the form lists ${names(formList)}\n  the permit page lists ${names(publicList)}`);
        } else {
          for (const [i, r] of formList.entries()) {
            if (r.text !== publicList[i].text) problems.push(`"${r.nama}": the form says "${r.text}", the permit page "${publicList[i].text}"`);
          }
        }
        return problems;
      });
      await scan(`permit page ${PERMIT_PAGE}`, tab);
    } finally {
      await tab.close();
    }
    await scan('PERMOHONAN (PEMOHON and PERSYARATAN)', page);
    let nomor = null;
    await step(`${mode} 1. BUAT → DOKUMEN of a new PRM- application`, async () => {
      await clickAndLand(page, buat, /^\/layanan\/permohonan\/PRM-[A-Z0-9]{4}-[A-Z0-9]{4}\/dokumen$/);
      nomor = /PRM-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(page.url())[0];
      console.log(`     application number: ${nomor}`);
      const problems = await expectH1(page, 'DOKUMEN');
      const intro = squash(await page.locator('main > p').first().innerText());
      for (const want of [nomor, PERMIT, 'Perorangan', STATUS.draf]) if (!intro.includes(want)) problems.push(`DOKUMEN does not say "${want}": ${intro}`);
      return problems;
    });
    await scan('DOKUMEN (nothing uploaded)', page);

    // 2. DOKUMEN: a real file for each requirement.
    const reqs = await dokumenRows(page);
    /** The requirements the links [[path#hash, text]] name, in order; empty if one is wrong. */
    const dokumenRowsFrom = async (links) => {
      const found = links.map(([href, text]) => reqs.find((r) => href === `/layanan/permohonan/${nomor}/dokumen#syarat-${r.id}` && text === r.nama));
      return found.every(Boolean) && found.length > 0 ? found : [];
    };
    await check(`${mode} 2. DOKUMEN is a task list: every requirement tagged "Belum diunggah", the count of required ones`, async () => {
      const rows = await dokumenRows(page);
      const problems = rows.filter((r) => r.status !== 'Belum diunggah').map((r) => `${r.nama}: tagged ${JSON.stringify(r.status)}`);
      const count = squash(await page.locator('#jumlah-dokumen').innerText());
      if (!/^0 dari \d+ dokumen wajib sudah diunggah\.$/.test(count)) problems.push(`the count says "${count}"`);
      if (await page.locator('main .checkbox').count()) problems.push('DOKUMEN still shows squares that cannot be ticked');
      return problems;
    });
    await step(`${mode} 2. "Periksa dan Ajukan" before any upload → each missing document links to its item on DOKUMEN`, async () => {
      await clickAndLand(page, page.locator('main').getByRole('link', { name: 'Periksa dan Ajukan', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}/ajukan$`));
      const summary = page.locator('main .error-summary');
      const links = await summary.getByRole('link').evaluateAll((as) => as.map((x) => [new URL(x.href).pathname + new URL(x.href).hash, x.textContent.trim()]));
      const problems = [];
      if ((await page.getByRole('button', { name: 'Ajukan', exact: true }).count()) > 0) problems.push('"Ajukan" is offered with documents missing');
      const first = (await dokumenRowsFrom(links))[0];
      if (!first) return [...problems, `the summary links ${JSON.stringify(links)}`];
      await scan('Periksa dan Ajukan (documents missing)', page);
      await clickAndLand(page, summary.getByRole('link', { name: first.nama, exact: true }), new RegExp(`^/layanan/permohonan/${nomor}/dokumen$`));
      const hash = new URL(page.url()).hash;
      if (hash !== `#syarat-${first.id}`) problems.push(`the link landed on "${hash}", expected #syarat-${first.id}`);
      if (!(await comesIntoView(page, `main li#syarat-${first.id}`))) problems.push(`the item of ${first.nama} is out of view`);
      return problems;
    });

    await check(`${mode} 2. DOKUMEN has one upload per requirement of PERSYARATAN`, async () => {
      const got = JSON.stringify(reqs.map((r) => r.nama));
      const want = JSON.stringify(formList.map((r) => r.nama));
      return got === want ? [] : [`DOKUMEN lists ${got}, PERSYARATAN listed ${want}`];
    });
    const files = {};
    await step(`${mode} 2. make the files: a PDF by page.pdf() per PDF-only requirement, a PNG by page.screenshot() for the KTP`, async () => {
      for (const r of reqs) files[r.id] = await fileFor(studio, r, a, mode);
      const problems = [];
      for (const f of Object.values(files)) {
        const magic = f.mimeType === 'application/pdf' ? '%PDF-' : '\x89PNG';
        if (f.buffer.subarray(0, magic.length).toString('latin1') !== magic) problems.push(`${f.name} does not start with ${JSON.stringify(magic)}`);
      }
      if (!Object.values(files).some((f) => f.mimeType === 'image/png')) problems.push('no requirement takes the PNG (expected the KTP)');
      console.log(`     ${Object.values(files).map((f) => `${f.name} (${f.buffer.length} B)`).join(', ')}`);
      return problems;
    });

    /** Picks `file` in the input of requirement `r`, presses its "Unggah", and checks what the
     *  upload showed and that DOKUMEN then shows the file's name, tagged "Sudah diunggah". With
     *  JavaScript the item is updated in place (same document, same place on the screen, the
     *  progress as a bar and as text, Unggah disabled and "Batalkan unggahan" offered while it
     *  is sent, "Berkas tersimpan" announced); without, the answer lands on the item. */
    const upload = async (r, file, label) => {
      const item = page.locator(`main li#syarat-${r.id}`);
      await item.scrollIntoViewIfNeeded();
      const input = item.getByLabel(`${label} untuk ${r.nama}`, { exact: true });
      await input.setInputFiles({ name: file.name, mimeType: file.mimeType, buffer: file.buffer });
      const problems = [];
      const box = item.locator('.unggah-kemajuan');
      if (await box.isVisible()) problems.push('the progress shows before the upload');
      progress.length = 0;
      const posts = xhrUploads.length;
      const button = item.getByRole('button', { name: 'Unggah', exact: true });
      if (js) {
        await item.locator('form.form-unggah').evaluate((form) => {
          const el = form.querySelector('.unggah-kemajuan');
          const tell = () => window.__sicantikProgress({
            hidden: el.hidden,
            value: Number(el.querySelector('progress').value),
            text: el.querySelector('.unggah-persen').textContent,
            disabled: form.querySelector('button[type=submit]').disabled,
            cancel: [...form.querySelectorAll('button[type=button]')].some((b) => b.textContent.trim() === 'Batalkan unggahan'),
          });
          new MutationObserver(tell).observe(form, { attributes: true, childList: true, characterData: true, subtree: true });
        });
        await markDocument();
        const before = await placeOf(item);
        await button.click();
        const told = await page.locator('#pengumuman-unggah').filter({ hasText: `Berkas tersimpan untuk ${r.nama}.` })
          .waitFor({ state: 'attached' }).then(() => true, () => false);
        if (!told) problems.push(`no "Berkas tersimpan untuk ${r.nama}." in the live region: ${JSON.stringify(squash(await page.locator('#pengumuman-unggah').textContent()))}`);
        if (!(await sameDocument())) problems.push('the page was loaded again instead of the item updated in place');
        const after = await placeOf(item);
        if (Math.abs(after.top - before.top) > 2) problems.push(`the item moved on the screen from ${before.top} px to ${after.top} px`);
        if (!after.inView) problems.push('the item is out of view after the upload');
        if (!(await item.getByText('Berkas tersimpan.', { exact: true }).isVisible())) problems.push('no "Berkas tersimpan." at the item');
        const sending = progress.filter((x) => !x.hidden);
        if (!sending.length) problems.push('the progress never showed');
        if (!sending.some((x) => x.disabled && x.cancel)) problems.push(`"Unggah" was never disabled with "Batalkan unggahan" offered while sending: ${JSON.stringify(sending.slice(0, 3))}`);
        const last = progress.at(-1);
        if (!last || last.value !== 100 || last.text !== '100 %') problems.push(`the progress ended at ${JSON.stringify(last)}, expected 100 (text "100 %")`);
        const focused = await page.evaluate(() => document.activeElement?.closest('li')?.id ?? null);
        if (focused !== `syarat-${r.id}`) problems.push(`the focus is in ${JSON.stringify(focused)}, not on the item`);
      } else {
        await clickAndLand(page, button, /^\/layanan\/permohonan\/PRM-[A-Z0-9-]+\/dokumen\?tersimpan=[a-z0-9-]+$/);
        const hash = new URL(page.url()).hash;
        if (hash !== `#syarat-${r.id}`) problems.push(`landed on "${hash}", expected #syarat-${r.id}`);
        if (!(await comesIntoView(page, `main li#syarat-${r.id}`))) problems.push('the item is out of view after the upload');
      }
      const sent = xhrUploads.slice(posts);
      if (sent.length !== 1) problems.push(`${sent.length} POST(s) of the file, expected 1`);
      if (js) {
        if (sent[0]?.type !== 'xhr') problems.push(`the file went as a "${sent[0]?.type}" request, not through layanan.js's XMLHttpRequest`);
      } else if (sent[0] && sent[0].type !== 'document') {
        problems.push(`the file went as a "${sent[0].type}" request, expected a plain form post`);
      }
      const row = (await dokumenRows(page)).find((x) => x.id === r.id);
      if (row?.uploaded !== file.name) problems.push(`DOKUMEN shows "${row?.uploaded}" for ${r.nama}, expected "${file.name}"`);
      if (row?.status !== 'Sudah diunggah') problems.push(`the tag of ${r.nama} says "${row?.status}", expected "Sudah diunggah"`);
      const status = await page.locator('main').innerText();
      if (/Berkas belum tersimpan/.test(status)) problems.push(`DOKUMEN says the file was not saved: ${squash(await page.locator('.error-summary').innerText())}`);
      return problems;
    };
    // A wrong file first, as happens: the KTP's PNG picked for a requirement that takes only PDF
    // (the file dialog's "All files" lets anyone do that).
    const pdfOnly = reqs.find((r) => files[r.id].mimeType === 'application/pdf');
    const wrongFile = Object.values(files).find((f) => f.mimeType === 'image/png');
    await check(`${mode} 2. ${wrongFile.name} chosen for "${pdfOnly.nama}" (PDF only), "Unggah" → "Berkas belum tersimpan", the reason at the field`, async () => {
      const item = page.locator(`main li#syarat-${pdfOnly.id}`);
      await item.getByLabel(`Pilih berkas untuk ${pdfOnly.nama}`, { exact: true })
        .setInputFiles({ name: wrongFile.name, mimeType: wrongFile.mimeType, buffer: wrongFile.buffer });
      const action = new URL(await item.locator('form').first().getAttribute('action'), page.url()).pathname;
      user.expected.add(`POST ${action} 422`);
      const button = item.getByRole('button', { name: 'Unggah', exact: true });
      const problems = [];
      if (js) {
        // layanan.js shows the answer in place of the page.
        await button.click();
        await page.locator('main .error-summary').waitFor({ state: 'visible' });
      } else {
        const status = await clickAndLand(page, button, new RegExp(`^${action}$`));
        if (status !== 422) problems.push(`the refused upload answered ${status}, expected 422`);
      }
      const summary = page.locator('main .error-summary');
      if ((await summary.getAttribute('role')) !== 'alert') problems.push('the error summary has no role="alert"');
      const heading = squash(await summary.locator('h2').textContent());
      if (heading !== 'Berkas belum tersimpan') problems.push(`the error summary's heading is "${heading}"`);
      const links = await summary.getByRole('link').evaluateAll((as) => as.map((x) => [x.getAttribute('href'), x.textContent.trim()]));
      if (links.length !== 1 || links[0][0] !== `#berkas-${pdfOnly.id}` || !/^Jenis berkas tidak diterima\. Unggah berkas PDF/.test(links[0][1])) {
        problems.push(`the error summary links ${JSON.stringify(links)}, expected one link to #berkas-${pdfOnly.id} saying the type is refused and PDF is wanted`);
      }
      const input = page.locator(`#berkas-${pdfOnly.id}`);
      if ((await input.getAttribute('aria-invalid')) !== 'true') problems.push('the file input has no aria-invalid="true"');
      const described = (await input.getAttribute('aria-describedby')) ?? '';
      const message = page.locator(`#berkas-${pdfOnly.id}-galat`);
      if (!described.split(/\s+/).includes(`berkas-${pdfOnly.id}-galat`) || !(await message.isVisible())) {
        problems.push(`no visible message at the field named by aria-describedby ("${described}")`);
      }
      const row = (await dokumenRows(page)).find((r) => r.id === pdfOnly.id);
      if (row?.uploaded) problems.push(`DOKUMEN shows "${row.uploaded}" as uploaded for ${pdfOnly.nama}`);
      return problems;
    });
    await scan('DOKUMEN (a file refused)', page);
    if (js) {
      // The request is held in the browser until "Batalkan unggahan" is pressed, so that the
      // cancel comes while it is being sent however fast the machine is.
      const r = reqs.find((x) => x.id !== pdfOnly.id) ?? reqs[0];
      await check(`${mode} 2. "${r.nama}": "Unggah", then "Batalkan unggahan" while it is sent → nothing saved, "Unggah" offered again`, async () => {
        const item = page.locator(`main li#syarat-${r.id}`);
        await item.getByLabel(`Pilih berkas untuk ${r.nama}`, { exact: true })
          .setInputFiles({ name: files[r.id].name, mimeType: files[r.id].mimeType, buffer: files[r.id].buffer });
        const action = new URL(await item.locator('form').first().getAttribute('action'), page.url());
        for (const why of ['net::ERR_ABORTED', 'net::ERR_FAILED']) user.expected.add(`POST ${action.pathname} ${why}`);
        let release;
        const held = new Promise((resolve) => { release = resolve; });
        await page.route(action.href, (route) => release(route));
        const problems = [];
        try {
          await item.getByRole('button', { name: 'Unggah', exact: true }).click();
          const route = await held;
          if (!(await item.getByRole('button', { name: 'Unggah', exact: true }).isDisabled())) problems.push('"Unggah" is not disabled while the file is sent');
          if (!(await item.locator('.unggah-persen').isVisible())) problems.push('no progress text while the file is sent');
          await item.getByRole('button', { name: 'Batalkan unggahan', exact: true }).click();
          const told = await page.locator('#pengumuman-unggah').filter({ hasText: 'Pengunggahan dibatalkan' })
            .waitFor({ state: 'attached' }).then(() => true, () => false);
          if (!told) problems.push(`the live region says ${JSON.stringify(await page.locator('#pengumuman-unggah').textContent())}`);
          await route.abort().catch(() => {});
        } finally {
          await page.unroute(action.href);
        }
        if (!(await item.getByRole('button', { name: 'Unggah', exact: true }).isEnabled())) problems.push('"Unggah" stays disabled after the cancel');
        if (await item.getByRole('button', { name: 'Batalkan unggahan' }).count()) problems.push('"Batalkan unggahan" is still offered');
        if (await item.locator('.unggah-kemajuan').isVisible()) problems.push('the progress still shows');
        const row = (await dokumenRows(page)).find((x) => x.id === r.id);
        if (row?.uploaded || row?.status !== 'Belum diunggah') problems.push(`after the cancel ${r.nama} shows ${JSON.stringify(row)}`);
        return problems;
      });
    }

    const how = js ? 'with the <progress> bar of layanan.js' : 'as a plain form post';
    for (const r of reqs) {
      await check(`${mode} 2. "${r.nama}": choose ${files[r.id].name}, "Unggah" ${how} → the name shows`, () => upload(r, files[r.id], 'Pilih berkas'));
    }
    await check(`${mode} 2. every requirement has its file, and none is missing`, async () => {
      const rows = await dokumenRows(page);
      const problems = rows.filter((r) => r.uploaded !== files[r.id]?.name).map((r) => `${r.nama}: shows ${JSON.stringify(r.uploaded)}`);
      const count = squash(await page.locator('#jumlah-dokumen').innerText());
      const wajib = /^(\d+) dari (\d+) dokumen wajib sudah diunggah\.$/.exec(count);
      if (!wajib || wajib[1] !== wajib[2]) problems.push(`the count says "${count}"`);
      return problems;
    });
    await shoot(SHOTS.dokumen);
    const png = reqs.find((r) => files[r.id].mimeType === 'image/png');
    await check(`${mode} 2. the link "${files[png.id].name}" downloads exactly the bytes uploaded`, async () => {
      const link = page.locator(`main li#syarat-${png.id}`).getByRole('link', { name: files[png.id].name, exact: true });
      // A download ends the navigation that started it: Chromium reports that as aborted.
      user.expected.add(`GET ${new URL(await link.getAttribute('href'), page.url()).pathname} net::ERR_ABORTED`);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      const got = await readFile(await download.path());
      const problems = [];
      if (sha256(got) !== files[png.id].sha) problems.push(`downloaded ${got.length} B with another SHA-256 than the ${files[png.id].buffer.length} B uploaded`);
      if (download.suggestedFilename() !== files[png.id].name) problems.push(`saved as "${download.suggestedFilename()}"`);
      return problems;
    });
    await scan('DOKUMEN (every file uploaded)', page);

    // 3. Periksa dan Ajukan → Ajukan.
    const submit = async (again) => {
      await step(`${mode} ${again ? '4' : '3'}. "Periksa dan Ajukan" → the summary lists the answers and the documents`, async () => {
        await clickAndLand(page, page.locator('main').getByRole('link', { name: 'Periksa dan Ajukan', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}/ajukan$`));
        const problems = await expectH1(page, 'Periksa dan Ajukan');
        const answers = await allSummariesOf(page);
        problems.push(...expectSummary(answers, {
          'Jenis Izin': PERMIT, 'Tipe Pemohon': 'Perorangan', 'Jenis Permohonan': 'Baru', 'Nama pemohon': a.nama,
          'Nomor identitas': a.nik, 'Alamat surel': a.email, Alamat: alamat,
        }, 'the summary'));
        for (const r of reqs) {
          const key = Object.keys(answers).find((k) => k?.startsWith(r.nama));
          if (answers[key] !== files[r.id].name) problems.push(`the summary says ${JSON.stringify(answers[key])} for ${r.nama}, expected the file ${files[r.id].name}`);
        }
        for (const name of ['Ubah No Register (NIB)', 'Ubah nama pemohon', 'Ubah nomor identitas', 'Ubah nomor handphone', 'Ubah alamat surel', 'Ubah alamat pemohon', ...reqs.map((r) => `Ubah ${r.nama}`)]) {
          if ((await page.locator('main').getByRole('link', { name, exact: true }).count()) !== 1) problems.push(`no link "${name}"`);
        }
        if ((await page.locator('main .error-summary').count()) > 0) problems.push(`the summary says: ${squash(await page.locator('main .error-summary').innerText())}`);
        return problems;
      });
      if (!again) {
        await scan('Periksa dan Ajukan', page);
        await step(`${mode} 3. "Ubah alamat pemohon" → the field, a new address, "Simpan dan kembali ke ringkasan" → the summary shows it`, async () => {
          await clickAndLand(page, page.locator('main').getByRole('link', { name: 'Ubah alamat pemohon', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}/ubah$`));
          const problems = await expectH1(page, 'Ubah data permohonan');
          if (new URL(page.url()).hash !== '#pemohon_alamat') problems.push(`"Ubah" went to "${new URL(page.url()).hash}", not to the field`);
          const field = page.getByLabel('Alamat', { exact: true });
          if ((await field.inputValue()) !== alamat) problems.push(`the field holds "${await field.inputValue()}", expected "${alamat}"`);
          if (!(await comesIntoView(page, '#pemohon_alamat'))) problems.push('the field is out of view');
          await scan('Ubah data permohonan', page);
          alamat = `${a.alamat} (RT 03)`;
          await field.fill(alamat);
          await clickAndLand(page, page.locator('main').getByRole('button', { name: 'Simpan dan kembali ke ringkasan', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}/ajukan\\?info=diubah$`));
          problems.push(...(await expectH1(page, 'Periksa dan Ajukan')));
          problems.push(...expectSummary(await allSummariesOf(page), { Alamat: alamat }, 'the summary after "Ubah"'));
          if (!(await page.getByText('Data permohonan telah diperbarui.', { exact: true }).isVisible())) problems.push('no "Data permohonan telah diperbarui."');
          return problems;
        });
      }
      await step(`${mode} ${again ? '4' : '3'}. "Ajukan" → the application page says "${STATUS.diajukan}"`, async () => {
        await clickAndLand(page, page.locator('main').getByRole('button', { name: 'Ajukan', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}(\\?|$)`));
        const problems = await expectH1(page, `Permohonan ${nomor}`);
        problems.push(...expectSummary(await summaryOf(page), { 'Jenis Izin': PERMIT, Status: STATUS.diajukan }, 'the application page'));
        if ((await page.getByRole('link', { name: 'Buka DOKUMEN' }).count()) > 0) problems.push('"Buka DOKUMEN" is still offered after Ajukan');
        return problems;
      });
    };
    await submit(false);
    await scan('application page (submitted)', page);

    // 4. The officer's review, with a correction on the way.
    const queued = op.locator('main table').getByRole('link', { name: nomor, exact: true });
    await step(`${mode} 4. officer: "Antrean permohonan" lists ${nomor}, "${STATUS.diajukan}"`, async () => {
      // The console's own menu (MOJ primary navigation), not the public site's.
      const menu = op.getByRole('navigation', { name: 'Menu petugas' });
      await clickAndLand(op, menu.getByRole('link', { name: 'Antrean permohonan', exact: true }), /^\/layanan\/petugas\/permohonan(\?|$)/);
      const problems = await expectH1(op, 'Antrean Permohonan');
      if ((await op.getByRole('navigation', { name: 'Menu utama' }).count()) > 0) problems.push('the public site menu shows in the console');
      const current = await menu.locator('a[aria-current="page"]').allInnerTexts();
      if (JSON.stringify(current.map(squash)) !== '["Antrean permohonan"]') problems.push(`the console menu marks ${JSON.stringify(current)} as current`);
      const bullets = await menu.locator('li').evaluateAll((lis) => lis.filter((li) => {
        const s = getComputedStyle(li);
        return s.listStyleType !== 'none' || getComputedStyle(li, '::before').content.includes('›');
      }).length);
      if (bullets) problems.push(`${bullets} console menu item(s) drawn as bullets or breadcrumb steps`);
      if ((await queued.count()) !== 1) return [...problems, `${await queued.count()} link(s) named ${nomor} in the queue`];
      const row = squash(await op.locator('main tr').filter({ has: op.getByRole('link', { name: nomor, exact: true }) }).innerText());
      for (const want of [PERMIT, a.nama, STATUS.diajukan]) if (!row.includes(want)) problems.push(`the queue row says "${row}", without "${want}"`);
      return problems;
    });
    await scan('Antrean Permohonan (officer)', op);
    await step(`${mode} 4. officer: the number ${nomor} → the application's page`, async () => {
      await clickAndLand(op, queued, new RegExp(`^/layanan/petugas/permohonan/${nomor}$`));
      return expectH1(op, `Permohonan ${nomor}`);
    });
    /** Problems unless the officer's table of documents shows each file with its SHA-256. */
    const officerDocs = async () => {
      const rows = await op.locator('main table tbody tr').evaluateAll((trs) => trs.map((tr) => ({
        text: tr.innerText.replace(/\s+/g, ' ').trim(),
        sha: tr.querySelector('code')?.textContent.trim() ?? '',
      })));
      const problems = [];
      for (const r of reqs) {
        const row = rows.find((x) => x.text.startsWith(r.nama));
        const f = files[r.id];
        if (!row) problems.push(`no row for ${r.nama}`);
        else if (!row.text.includes(f.name)) problems.push(`the row of ${r.nama} says "${row.text}", without ${f.name}`);
        else if (row.sha !== f.sha.slice(0, 16)) problems.push(`${f.name}: SHA-256 shown ${row.sha}…, the bytes uploaded have ${f.sha.slice(0, 16)}…`);
      }
      return problems;
    };
    await check(`${mode} 4. officer sees the applicant, "${STATUS.diajukan}", and every file with the SHA-256 of the bytes uploaded`, async () => {
      const problems = expectSummary(await summaryOf(op), { Status: STATUS.diajukan, 'Jenis Izin': PERMIT, 'Tipe Pemohon': 'Perorangan' }, 'the officer page');
      const who = (await summaryOf(op)).Pemohon ?? '';
      for (const want of [a.nama, a.nik, a.email]) if (!who.includes(want)) problems.push(`"Pemohon" says "${who}", without ${want}`);
      problems.push(...(await officerDocs()));
      return problems;
    });
    await scan('application page (officer, submitted)', op);
    const fix = reqs.find((r) => r.id === 'sipi') ?? reqs.find((r) => files[r.id].mimeType === 'application/pdf');
    await step(`${mode} 4. officer: a note for "${fix.nama}", "Kembalikan untuk perbaikan" → "${STATUS.perbaikan}"`, async () => {
      const form = op.locator('main form').filter({ has: op.getByRole('button', { name: 'Kembalikan untuk perbaikan' }) });
      await form.getByRole('group', { name: `Penilaian ${fix.nama}` }).getByLabel('Perlu perbaikan', { exact: true }).check();
      await form.getByLabel(`Catatan untuk ${fix.nama}`).fill(SENT_BACK_NOTE);
      await clickAndLand(op, form.getByRole('button', { name: 'Kembalikan untuk perbaikan', exact: true }), new RegExp(`^/layanan/petugas/permohonan/${nomor}(\\?info=tindakan)?$`));
      const problems = expectSummary(await summaryOf(op), { Status: STATUS.perbaikan }, 'the officer page');
      const row = squash(await op.locator('main table tbody tr').filter({ hasText: fix.nama }).innerText());
      if (!row.includes(SENT_BACK_NOTE)) problems.push(`the row of ${fix.nama} does not show the note: "${row}"`);
      if ((await op.getByRole('button', { name: 'Verifikasi dan terima untuk diproses' }).count()) > 0) problems.push('"Verifikasi" is still offered while the applicant corrects');
      return problems;
    });
    await scan('application page (officer, sent back)', op);
    await step(`${mode} 4. the applicant opens the link in the email "${STATUS.perbaikan}" → the application says what to fix`, async () => {
      const [mail] = await waitForMail(a.email, `with the subject "Status permohonan ${nomor}: ${STATUS.perbaikan}"`,
        (m) => m.subject === `Status permohonan ${nomor}: ${STATUS.perbaikan}`);
      const problems = [];
      if (!mail.text.includes(SENT_BACK_NOTE)) problems.push(`the email does not carry the note: ${firstLines(mail.text, 12)}`);
      if (!mail.text.includes(fix.nama)) problems.push(`the email does not name the document ${fix.nama}`);
      const link = linkIn(mail.text, `${cfg.origin}/layanan/permohonan/${nomor}`);
      if (!link) return [...problems, `no link to ${cfg.origin}/layanan/permohonan/${nomor} in the email`];
      await page.goto(link, { waitUntil: 'load' });
      problems.push(...(await expectH1(page, `Permohonan ${nomor}`)));
      problems.push(...expectSummary(await summaryOf(page), { Status: STATUS.perbaikan }, 'the application page'));
      const main = squash(await page.locator('main').innerText());
      if (!main.includes(`perlu perbaikan: ${SENT_BACK_NOTE}`)) problems.push(`the application page does not show the note next to ${fix.nama}`);
      if (!/Petugas meminta perbaikan/.test(main)) problems.push('no notice that the officer asks for a correction');
      return problems;
    });
    await scan('application page (to be corrected)', page);
    await step(`${mode} 4. "Buka DOKUMEN" → the note shows at "${fix.nama}"`, async () => {
      await clickAndLand(page, page.locator('main').getByRole('link', { name: 'Buka DOKUMEN', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}/dokumen$`));
      const rows = await dokumenRows(page);
      const row = rows.find((r) => r.id === fix.id);
      const problems = [];
      if (!row?.note?.includes(SENT_BACK_NOTE)) problems.push(`at ${fix.nama} DOKUMEN shows the note ${JSON.stringify(row?.note)}`);
      else if (!row.note.startsWith('Catatan perbaikan dari petugas')) problems.push(`the note is not titled "Catatan perbaikan dari petugas": ${row.note}`);
      if (row?.status !== 'Perlu perbaikan') problems.push(`the tag of ${fix.nama} says ${JSON.stringify(row?.status)}, expected "Perlu perbaikan"`);
      const count = squash(await page.locator('#jumlah-dokumen').innerText());
      if (!count.endsWith('1 dokumen perlu perbaikan.')) problems.push(`the count says "${count}"`);
      const others = rows.filter((r) => r.id !== fix.id && r.note);
      if (others.length) problems.push(`notes also at ${others.map((r) => r.nama).join(', ')}`);
      return problems;
    });
    await scan('DOKUMEN (with the officer\'s note)', page);
    await step(`${mode} 4. "Ganti berkas" for "${fix.nama}": choose ${REPLACEMENT_NAME}, "Unggah" → the new name shows`, async () => {
      files[fix.id] = await studio.pdf(REPLACEMENT_NAME, `${fix.nama} (perpanjangan)`, [`Pemohon: ${a.nama}`, `Berlaku sampai 2027 (${mode})`]);
      return upload(fix, files[fix.id], 'Ganti berkas');
    });
    await check(`${mode} 4. after the replacement the note stays at "${fix.nama}", marked as answered, and the tag says "Sudah diunggah"`, async () => {
      const row = (await dokumenRows(page)).find((r) => r.id === fix.id);
      const problems = [];
      if (!row?.note?.startsWith('Catatan perbaikan dari petugas (sudah ditanggapi)') || !row.note.includes(SENT_BACK_NOTE)) problems.push(`the note reads ${JSON.stringify(row?.note)}`);
      if (row?.status !== 'Sudah diunggah') problems.push(`the tag says ${JSON.stringify(row?.status)}`);
      return problems;
    });
    await scan('DOKUMEN (the note answered)', page);
    await submit(true);

    await step(`${mode} 4. officer opens the link in the email "Permohonan masuk" → the new file is there`, async () => {
      const mails = await waitForMail(OFFICER_EMAIL, `with the subject "Permohonan masuk: ${nomor} (${PERMIT})", twice`,
        (m) => m.subject === `Permohonan masuk: ${nomor} (${PERMIT})`, 2);
      const link = linkIn(mails[0].text, `${cfg.origin}/layanan/petugas/permohonan/${nomor}`);
      if (!link) return [`no link to the application in the officer's email: ${firstLines(mails[0].text, 12)}`];
      await op.goto(link, { waitUntil: 'load' });
      const problems = await expectH1(op, `Permohonan ${nomor}`);
      problems.push(...expectSummary(await summaryOf(op), { Status: STATUS.diajukan }, 'the officer page'));
      problems.push(...(await officerDocs()));
      return problems;
    });
    await step(`${mode} 4. officer: "Verifikasi dan terima untuk diproses" → the question → "Ya, verifikasi…" → "${STATUS.diproses}"`, async () => {
      await clickAndLand(op, op.locator('main').getByRole('button', { name: 'Verifikasi dan terima untuk diproses', exact: true }), new RegExp(`^/layanan/petugas/permohonan/${nomor}/verifikasi$`));
      const problems = await expectH1(op, `Verifikasi permohonan ${nomor}?`);
      await scan('Verifikasi (officer, the question)', op);
      await clickAndLand(op, op.locator('main').getByRole('button', { name: 'Ya, verifikasi dan terima untuk diproses', exact: true }), new RegExp(`^/layanan/petugas/permohonan/${nomor}(\\?info=tindakan)?$`));
      return [...problems, ...expectSummary(await summaryOf(op), { Status: STATUS.diproses }, 'the officer page')];
    });
    await check(`${mode} 4. after Verifikasi both pages show the deadline: "Batas waktu", the permit's working days counted from today`, async () => {
      const problems = [];
      const officer = (await summaryOf(op))['Batas waktu'] ?? '';
      const date = (text) => text.match(DEADLINE_DATE)?.[0];
      if (!date(officer)) problems.push(`the officer page's "Batas waktu" is ${JSON.stringify(officer)}, not a date`);
      if (officer.includes('Terlambat')) problems.push(`verified just now and already late: ${officer}`);
      await page.goto(pageUrl(`/layanan/permohonan/${nomor}`), { waitUntil: 'load' });
      const applicant = (await summaryOf(page))['Batas waktu'] ?? '';
      const days = (await readFile(new URL(`../../content/izin/${PERMIT_PAGE.split('/')[2]}.md`, import.meta.url), 'utf8'))
        .match(/^lama_proses_hari_kerja:\s*(\d+)/m)?.[1];
      if (!applicant.includes(`${days} hari kerja sejak berkas dinyatakan lengkap pada `)) {
        problems.push(`the applicant's "Batas waktu" does not say "${days} hari kerja sejak berkas dinyatakan lengkap pada …": ${JSON.stringify(applicant)}`);
      }
      if (date(applicant) !== date(officer)) problems.push(`the applicant sees ${date(applicant)}, the officer ${date(officer)}`);
      // Day 0 is the WIB date of the verification, which was just now.
      const wib = new Date(Date.now() + 7 * 3600 * 1000);
      const today = `${wib.getUTCDate()} ${DEADLINE_DATE.source.match(/\((.*?)\)/)[1].split('|')[wib.getUTCMonth()]} ${wib.getUTCFullYear()}`;
      if (!applicant.includes(`dinyatakan lengkap pada ${today}`)) problems.push(`the count does not start today (${today}): ${JSON.stringify(applicant)}`);
      return problems;
    });
    if (js && cfg.opts.screenshots) {
      await check(`${mode} 4. the applicant's application page says "${STATUS.diproses}"`, async () => {
        await page.goto(pageUrl(`/layanan/permohonan/${nomor}`), { waitUntil: 'load' });
        return expectSummary(await summaryOf(page), { Status: STATUS.diproses }, 'the application page');
      });
      await shoot(SHOTS.verifikasi);
    }
    await scan('application page (officer, verified)', op);
    await step(`${mode} 4. officer: "${PERMIT_NUMBER}" as the note, "Tandai selesai (izin terbit)" → "${STATUS.selesai}"`, async () => {
      const form = op.locator('main form').filter({ has: op.getByRole('button', { name: 'Tandai selesai (izin terbit)' }) });
      await form.getByLabel('Catatan (misalnya nomor izin yang terbit)').fill(PERMIT_NUMBER);
      await clickAndLand(op, form.getByRole('button', { name: 'Tandai selesai (izin terbit)', exact: true }), new RegExp(`^/layanan/petugas/permohonan/${nomor}(\\?info=tindakan)?$`));
      const problems = expectSummary(await summaryOf(op), { Status: STATUS.selesai }, 'the officer page');
      const left = await op.locator('main form button').allInnerTexts();
      if (left.length) problems.push(`a finished application still offers ${JSON.stringify(left)}`);
      return problems;
    });
    await scan('application page (officer, finished)', op);
    await check(`${mode} 4. the applicant's "Layanan Pemohon" (header link) says "${STATUS.selesai}" for ${nomor}`, async () => {
      await clickAndLand(page, await headerLink(page, 'Layanan Pemohon'), /^\/layanan\/$/);
      const link = page.locator('main table').getByRole('link', { name: nomor, exact: true });
      if ((await link.count()) !== 1) return [`${await link.count()} link(s) named ${nomor} on Layanan Pemohon`];
      const row = squash(await page.locator('main tr').filter({ has: page.getByRole('link', { name: nomor, exact: true }) }).innerText());
      const problems = [];
      for (const want of [PERMIT, STATUS.selesai]) if (!row.includes(want)) problems.push(`the row says "${row}", without "${want}"`);
      return problems;
    });
    await scan('Layanan Pemohon (with the application)', page);
    await check(`${mode} 4. the application's timeline shows every step, who took it, and the notes`, async () => {
      await clickAndLand(page, page.locator('main table').getByRole('link', { name: nomor, exact: true }), new RegExp(`^/layanan/permohonan/${nomor}$`));
      const items = await page.locator('main ol.timeline > li').evaluateAll((lis) => lis.map((li) => ({
        status: li.querySelector('strong')?.textContent.trim(),
        text: li.innerText.replace(/\s+/g, ' ').trim(),
      })));
      const want = [
        [STATUS.draf, 'Pemohon'], [STATUS.diajukan, 'Pemohon'], [STATUS.perbaikan, 'Petugas'],
        [STATUS.diajukan, 'Pemohon'], [STATUS.diproses, 'Petugas'], [STATUS.selesai, 'Petugas'],
      ];
      const problems = [];
      const got = items.map((i) => i.status);
      if (JSON.stringify(got) !== JSON.stringify(want.map(([s]) => s))) {
        problems.push(`the timeline reads ${JSON.stringify(got)}\n  expected ${JSON.stringify(want.map(([s]) => s))}`);
      } else {
        for (const [i, [, who]] of want.entries()) {
          if (!new RegExp(`— \\d.*, ${who}`).test(items[i].text)) problems.push(`step ${i + 1} does not say when and by "${who}…": ${items[i].text}`);
        }
        if (!items[2].text.includes(SENT_BACK_NOTE)) problems.push(`the correction step lacks the note: ${items[2].text}`);
        if (!items[5].text.includes(PERMIT_NUMBER)) problems.push(`the last step lacks "${PERMIT_NUMBER}": ${items[5].text}`);
      }
      problems.push(...expectSummary(await summaryOf(page), { Status: STATUS.selesai }, 'the application page'));
      return problems;
    });
    await scan('application page (finished, timeline)', page);

    // 5. Cek Status, as anyone.
    visitor = await newContext(js);
    const vp = visitor.page;
    await step(`${mode} 5. a visitor: home page → footer link "Cek status permohonan" → "Cek Status"`, async () => {
      await vp.goto(pageUrl('/'), { waitUntil: 'load' });
      await clickAndLand(vp, vp.locator('footer').getByRole('link', { name: 'Cek status permohonan', exact: true }), /^\/layanan\/cek-status$/);
      return expectH1(vp, 'Cek Status');
    });
    await scan('Cek Status', vp);
    await step(`${mode} 5. ${nomor} and the applicant's email, "Cek Status" → "${STATUS.selesai}", nothing personal`, async () => {
      const form = vp.locator('main form');
      await form.getByLabel('Nomor permohonan', { exact: true }).fill(nomor);
      await form.getByLabel('Alamat surel atau NIK pemohon', { exact: true }).fill(a.email);
      const status = await clickAndLand(vp, form.getByRole('button', { name: 'Cek Status', exact: true }), /^\/layanan\/cek-status$/);
      const problems = status === 200 ? [] : [`answered ${status}`];
      if (!(await vp.getByRole('heading', { name: `Permohonan ${nomor}`, exact: true }).isVisible())) problems.push(`no heading "Permohonan ${nomor}"`);
      problems.push(...expectSummary(await summaryOf(vp), { 'Jenis Izin': PERMIT, Status: STATUS.selesai }, 'Cek Status'));
      const steps = await vp.locator('main ol.timeline > li').count();
      if (steps !== 6) problems.push(`the public timeline has ${steps} step(s), expected 6`);
      const main = squash(await vp.locator('main').innerText());
      for (const secret of [a.nama, a.nik, SENT_BACK_NOTE, PERMIT_NUMBER, 'Petugas Satu']) if (main.includes(secret)) problems.push(`Cek Status shows "${secret}"`);
      return problems;
    });
    await scan('Cek Status (result)', vp);

    // 6. The emails.
    await check(`${mode} 6. the applicant got a receipt of each "Ajukan" (2), with the number and a link`, async () => {
      const mails = await waitForMail(a.email, `"Permohonan diajukan: ${nomor}", twice`, (m) => m.subject === `Permohonan diajukan: ${nomor}`, 2);
      return mails.flatMap((m) => (linkIn(m.text, `${cfg.origin}/layanan/permohonan/${nomor}`) ? [] : [`a receipt without a link to the application: ${firstLines(m.text, 10)}`]));
    });
    await check(`${mode} 6. the officer got a notice of each "Ajukan" (2), without the applicant's NIK`, async () => {
      const mails = await waitForMail(OFFICER_EMAIL, `"Permohonan masuk: ${nomor} (${PERMIT})", twice`, (m) => m.subject === `Permohonan masuk: ${nomor} (${PERMIT})`, 2);
      return mails.flatMap((m) => (m.text.includes(a.nik) ? ['a notice carries the NIK'] : []));
    });
    await check(`${mode} 6. the applicant got "${STATUS.diproses}" and "${STATUS.selesai}" (with "${PERMIT_NUMBER}")`, async () => {
      await waitForMail(a.email, `"Status permohonan ${nomor}: ${STATUS.diproses}"`, (m) => m.subject === `Status permohonan ${nomor}: ${STATUS.diproses}`);
      const [done] = await waitForMail(a.email, `"Status permohonan ${nomor}: ${STATUS.selesai}"`, (m) => m.subject === `Status permohonan ${nomor}: ${STATUS.selesai}`);
      return done.text.includes(PERMIT_NUMBER) ? [] : [`the email does not give "${PERMIT_NUMBER}": ${firstLines(done.text, 12)}`];
    });
    await check(`${mode} 6. no other email to the applicant (registration, approval, password set, 2 receipts, 3 status changes)`, async () => {
      const mine = (await maildirMessages()).filter((m) => m.to.includes(a.email));
      return mine.length === 8 ? [] : [`${mine.length} emails: ${mine.map((m) => JSON.stringify(m.subject)).join(', ')}`];
    });
  } catch (e) {
    if (!(e instanceof Stop)) record(`${mode} application`, [`unexpected error: ${firstLines(e.stack ?? String(e), 6)}`]);
    else console.log(`     (${mode} run stopped after: ${e.message})`);
  } finally {
    record(`${mode} every page loaded cleanly (no JS error, no unexpected 4xx/5xx)`,
      [...user.trouble, ...officer.trouble, ...(visitor?.trouble ?? [])]);
    await user.context.close().catch(() => {});
    await officer.context.close().catch(() => {});
    await visitor?.context.close().catch(() => {});
    await scanner?.close();
  }
}

// -------------------------------------------------------------------- main --

await runMain('applications', async () => {
  const studio = new Studio();
  await studio.open();
  try {
    await runApplication(true, 0, studio);
    await runApplication(false, 1, studio);
  } finally {
    await studio.close();
  }
});
