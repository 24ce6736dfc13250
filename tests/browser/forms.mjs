#!/usr/bin/env node
// The applicant's forms, in headless Chromium at 390×844, against the running service:
//
//   node tests/browser/forms.mjs --url http://127.0.0.1:PORT --maildir DIR \
//       --officer petugas1 --officer-password PW [--timeout SECONDS-PER-STEP]
//
// The caller (tests/e2e/forms.rs) runs `sicantik serve` with its mail going to a Maildir and
// has created the officer. What a user sees, checked as they would meet it:
//   - every form of the applicant's pages has `novalidate`, so an empty field sent gives the
//     service's error summary (links to the fields, the message at the field), and with
//     JavaScript focus is on the summary; a summary link moves focus to its field;
//   - each of these checks is done on Registrasi Pemohon, Masuk, Atur Kata Sandi, Cek Status
//     and PERMOHONAN's BUAT; registration reports a taken username and email together with
//     the other problems, and its birth date is three fields (day, month, year);
//   - Atur Kata Sandi reports every password problem at once, and has a "Tampilkan" toggle
//     with JavaScript (a plain password field without);
//   - the officer's registration page prints the birth date as "5 Agustus 1990", and after
//     "Setujui" a success banner;
//   - PERMOHONAN's "Cari jenis izin" finds permits by their other names (SIPA, sumur bor), the
//     old spelling (ijin trayek) and the SiCantik keyword (#PROV. SUMSEL), and says "0 jenis
//     izin cocok" for nonsense, as the applicant types and, without JavaScript, after "Cari";
//   - PERMOHONAN's radios: each label beside its circle, the whole row tappable; the one
//     possible "Jenis Permohonan" shown as text, and the one Unit and Instansi too (whole, on
//     the phone's screen);
//   - after BUAT the banner "Permohonan … dibuat"; after Ajukan the number (on one line on the
//     phone), the estimated date in working days, and a link to Cek Status;
//   - a GET on an address a form posts to lands on a themed page;
//   - /favicon.ico is served.
// One `ok`/`FAIL` line per check; exit 0 when all passed, 1 otherwise, 2 on bad usage.

import {
  applicant, browser, cfg, check, clickAndLand, expectH1, firstLines, newContext, pageUrl, passSecondStep,
  Phone, record, registrationFields, runMain, setPasswordLink, setup, squash, step, Stop,
} from './lib.mjs';

setup('tests/browser/forms.mjs');

const officerPhone = new Phone();
const RUMPON = 'izin-pemasangan-rumpon';

/** Problems unless <main> shows an error summary whose links are exactly `hrefs` (in order),
 *  each field named has its message, and (with JavaScript) focus is on the summary. */
async function expectSummary(page, hrefs, js) {
  const problems = [];
  const summary = page.locator('main .error-summary');
  if ((await summary.count()) !== 1) return [`${await summary.count()} error summaries in <main>, expected 1`];
  const links = await summary.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  if (JSON.stringify(links) !== JSON.stringify(hrefs)) problems.push(`the summary links to ${JSON.stringify(links)}, expected ${JSON.stringify(hrefs)}`);
  for (const href of hrefs) {
    const id = href.slice(1);
    const target = page.locator(`[id="${id}"]`);
    if ((await target.count()) !== 1) { problems.push(`no element ${href} for the summary link`); continue; }
    const group = target.locator('xpath=ancestor-or-self::*[contains(concat(" ", @class, " "), " field ")][1]');
    const msg = await group.locator('.field-error').count();
    if (msg < 1) problems.push(`no message at the field ${href}`);
  }
  if (js) {
    const focused = await page.evaluate(() => document.activeElement?.id ?? '');
    if (focused !== 'ringkasan-galat') problems.push(`focus is on "#${focused}", not on the error summary`);
  }
  return problems;
}

/** Problems unless every form in <main> has `novalidate`. */
async function expectNovalidate(page, where) {
  const forms = await page.locator('main form').evaluateAll((fs) => fs.map((f) => [f.getAttribute('action'), f.noValidate]));
  if (!forms.length) return [`${where}: no form`];
  return forms.filter(([, nv]) => !nv).map(([action]) => `${where}: the form posting to ${action} lets the browser validate (no novalidate)`);
}

// ------------------------------------------------------------------ the run --

async function run() {
  const js = true;
  const a = applicant('forms', 0);
  const user = await newContext(js);
  const officer = await newContext(js);
  const { page } = user;
  const op = officer.page;
  try {
    // Registration: the date's missing month, then complete; then the same username and
    // email again, reported with the other problems.
    const regForm = page.locator('main form').filter({ has: page.getByRole('button', { name: 'DAFTAR' }) });
    const fields = registrationFields(regForm, a);
    await step('registration with the month of birth left empty → the summary links to "Bulan"', async () => {
      await page.goto(pageUrl('/layanan/registrasi'), { waitUntil: 'load' });
      const problems = await expectNovalidate(page, 'Registrasi Pemohon');
      if ((await page.locator('main input[type="date"]').count()) > 0) problems.push('the birth date is still a native date picker');
      const group = page.getByRole('group', { name: 'Tanggal lahir' });
      for (const part of ['Tanggal', 'Bulan', 'Tahun']) {
        if ((await group.getByLabel(part, { exact: true }).count()) !== 1) problems.push(`no field "${part}" in the group "Tanggal lahir"`);
      }
      for (const f of fields) if (f.label !== 'Bulan') await f.fill(f.locator);
      user.expected.add('POST /layanan/registrasi 422');
      await clickAndLand(page, regForm.getByRole('button', { name: 'DAFTAR', exact: true }), /^\/layanan\/registrasi$/);
      problems.push(...(await expectSummary(page, ['#tanggal_lahir_bulan'], js)));
      const msg = squash(await page.locator('#tanggal_lahir-galat').textContent().catch(() => ''));
      if (!msg.includes('Tanggal lahir harus berisi bulan.')) problems.push(`the date's message says "${msg}"`);
      return problems;
    });
    await step('fill "Bulan", DAFTAR → "Registrasi berhasil"', async () => {
      await fields.find((f) => f.label === 'Bulan').fill(page.getByLabel('Bulan', { exact: true }));
      await clickAndLand(page, regForm.getByRole('button', { name: 'DAFTAR', exact: true }), /^\/layanan\/registrasi\/berhasil/);
      return expectH1(page, 'Registrasi berhasil');
    });
    await step('the same username and email again, "Pekerjaan" empty → all three problems at once', async () => {
      await page.goto(pageUrl('/layanan/registrasi'), { waitUntil: 'load' });
      for (const f of fields) if (f.label !== 'Pekerjaan') await f.fill(f.locator);
      await clickAndLand(page, regForm.getByRole('button', { name: 'DAFTAR', exact: true }), /^\/layanan\/registrasi$/);
      return expectSummary(page, ['#username', '#email', '#pekerjaan'], js);
    });

    // The officer: the birth date in words, "Setujui", the success banner.
    await step('the officer signs in', async () => {
      await op.goto(pageUrl('/layanan/petugas/masuk'), { waitUntil: 'load' });
      const f = op.locator('main form');
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(cfg.officer);
      await f.getByLabel('Kata sandi', { exact: true }).fill(cfg.officerPassword);
      await clickAndLand(op, f.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/petugas\/(aktifkan-)?verifikasi$/);
      const problems = await passSecondStep(op, officerPhone, async () => {});
      return problems.length ? problems : expectH1(op, 'Konsol Petugas');
    });
    await step(`the officer opens the registration of ${a.nama}: the birth date reads "5 Agustus 1990"`, async () => {
      const row = op.locator('main tr').filter({ hasText: a.nama });
      await clickAndLand(op, row.getByRole('link').first(), /^\/layanan\/petugas\/registrasi\/\d+$/);
      const main = squash(await op.locator('main').innerText());
      return main.includes('Palembang, 5 Agustus 1990') ? [] : [`the page does not say "Palembang, 5 Agustus 1990": ${main.slice(0, 400)}`];
    });
    await step('"Setujui" → a success banner says the registration is approved', async () => {
      await clickAndLand(op, op.locator('main').getByRole('button', { name: 'Setujui', exact: true }), /^\/layanan\/petugas\/registrasi\/\d+$/);
      const banner = op.locator('main .notification-banner-success');
      if (!(await banner.isVisible())) return ['no visible success banner after "Setujui"'];
      const problems = [];
      if ((await banner.getAttribute('role')) !== 'alert') problems.push('the banner has no role="alert"');
      const text = squash(await banner.innerText());
      if (!/Registrasi disetujui/.test(text)) problems.push(`the banner says "${text}"`);
      await op.reload({ waitUntil: 'load' });
      if (await op.locator('main .notification-banner').count()) problems.push('the banner shows again after a reload');
      return problems;
    });

    // Atur Kata Sandi: every problem at once; the toggle.
    let link = null;
    await step('the approval email holds the set-password link', async () => {
      link = (await setPasswordLink(a.email)).link;
      return [];
    });
    await step('"Atur Kata Sandi": "Tampilkan" shows the password as text and hides it again', async () => {
      await page.goto(link, { waitUntil: 'load' });
      const problems = await expectNovalidate(page, 'Atur Kata Sandi');
      const input = page.getByLabel('Kata sandi baru', { exact: true });
      await input.fill('aaaa');
      const toggle = page.getByRole('button', { name: 'Tampilkan kata sandi' }).first();
      if (!(await toggle.isVisible())) return [...problems, 'no button "Tampilkan kata sandi" beside the field'];
      const inRow = await page.evaluate(() => {
        const i = document.getElementById('password').getBoundingClientRect();
        const b = document.querySelector('.password-toggle').getBoundingClientRect();
        return b.left >= i.right - 1 && b.top < i.bottom && b.bottom > i.top;
      });
      if (!inRow) problems.push('the toggle is not beside the field');
      await toggle.click();
      if ((await input.getAttribute('type')) !== 'text') problems.push('after "Tampilkan" the password is still hidden');
      await page.getByRole('button', { name: 'Sembunyikan kata sandi' }).first().click();
      if ((await input.getAttribute('type')) !== 'password') problems.push('after "Sembunyikan" the password is still shown');
      return problems;
    });
    await step('"aaaa" repeated as "aaab" → three problems at once', async () => {
      const f = page.locator('main form');
      await f.getByLabel('Ulangi kata sandi baru', { exact: true }).fill('aaab');
      user.expected.add('POST /layanan/atur-sandi 422');
      await clickAndLand(page, f.getByRole('button', { name: 'Simpan Kata Sandi', exact: true }), /^\/layanan\/atur-sandi$/);
      const problems = await expectSummary(page, ['#password', '#password', '#password2'], js);
      const msg = squash(await page.locator('#password-galat').textContent().catch(() => ''));
      for (const want of ['minimal 8 karakter', 'satu karakter yang diulang']) if (!msg.includes(want)) problems.push(`the message at the field lacks "${want}": ${msg}`);
      return problems;
    });
    await check('without JavaScript, the password is a plain password field', async () => {
      const nojs = await browser.newContext({ javaScriptEnabled: false });
      try {
        const p = await nojs.newPage();
        await p.goto(link, { waitUntil: 'load' });
        const problems = [];
        if ((await p.getByLabel('Kata sandi baru', { exact: true }).getAttribute('type')) !== 'password') problems.push('not type="password"');
        if (await p.getByRole('button', { name: /kata sandi/ }).count()) problems.push('a toggle without JavaScript');
        return problems;
      } finally {
        await nojs.close().catch(() => {});
      }
    });
    await step('the password set → "Masuk"', async () => {
      const f = page.locator('main form');
      await f.getByLabel('Kata sandi baru', { exact: true }).fill(a.password);
      await f.getByLabel('Ulangi kata sandi baru', { exact: true }).fill(a.password);
      await clickAndLand(page, f.getByRole('button', { name: 'Simpan Kata Sandi', exact: true }), /^\/layanan\/masuk/);
      return expectH1(page, 'Masuk');
    });

    // Masuk with nothing typed: the service's summary, not the browser's bubble.
    await step('Masuk with both fields empty → the error summary, focused, links to both fields', async () => {
      const problems = await expectNovalidate(page, 'Masuk');
      user.expected.add('POST /layanan/masuk 422');
      await clickAndLand(page, page.locator('main form').getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/masuk$/);
      problems.push(...(await expectSummary(page, ['#login', '#password'], js)));
      return problems;
    });
    await check('a summary link moves focus to its field', async () => {
      await page.locator('main .error-summary').getByRole('link').nth(1).click();
      const focused = await page.evaluate(() => document.activeElement?.id ?? '');
      return focused === 'password' ? [] : [`after the link "Masukkan kata sandi", focus is on "#${focused}"`];
    });
    await step('Masuk with the username and password → "Layanan Pemohon"', async () => {
      const f = page.locator('main form');
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(a.username);
      await f.getByLabel('Kata sandi', { exact: true }).fill(a.password);
      await clickAndLand(page, f.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/$/);
      return expectH1(page, 'Layanan Pemohon');
    });
    await check('"Ubah Data Kontak" and "Lupa Kata Sandi" let the service validate', async () => {
      await page.goto(pageUrl('/layanan/profil'), { waitUntil: 'load' });
      const problems = await expectNovalidate(page, 'Ubah Data Kontak');
      return problems;
    });

    // "Cari jenis izin": other names, the old spelling and the SiCantik keyword find their
    // permits, and nonsense says so; as the applicant types with JavaScript, and after "Cari"
    // without.
    const SEARCHES = [
      ['SIPA', ['izin-pengusahaan-air-tanah']],
      ['sumur bor', ['izin-pengusahaan-air-tanah']],
      ['ijin trayek', ['izin-penyelenggaraan-angkutan-orang-dalam-trayek', 'izin-trayek-akdp']],
      ['#PROV. SUMSEL rumpon', [RUMPON]],
      ['zzkapalterbang', []],
    ];
    // The permits "Jenis Izin" offers (options neither hidden nor in a hidden group).
    const offered = (p) => p.evaluate(() => [...document.querySelectorAll('#izin option')]
      .filter((o) => o.value && !o.hidden && !o.parentElement.hidden).map((o) => o.value).sort());
    const expectFound = async (p, typed, want) => {
      const problems = [];
      const got = await offered(p);
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`"${typed}" offers ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      const status = p.locator('#cari-izin-status');
      const says = want.length
        ? `${want.length} jenis izin cocok dengan «${typed}».`
        : `0 jenis izin cocok dengan «${typed}». Periksa ejaannya, coba kata lain atau singkatannya`;
      try {
        await status.filter({ hasText: says }).waitFor({ timeout: 5_000 });
      } catch {
        problems.push(`after "${typed}" the status line says "${squash(await status.innerText())}", not "${says}"`);
      }
      return problems;
    };
    await check('with JavaScript, "Cari jenis izin" narrows "Jenis Izin" as the applicant types', async () => {
      await page.goto(pageUrl('/layanan/permohonan/baru'), { waitUntil: 'load' });
      const problems = [];
      const all = await offered(page);
      if (all.length !== 17) problems.push(`"Jenis Izin" offers ${all.length} permits before a search`);
      const box = page.getByLabel('Cari jenis izin', { exact: true });
      for (const [typed, want] of SEARCHES) {
        await box.fill(typed);
        problems.push(...(await expectFound(page, typed, want)));
      }
      await box.fill('#PROV. SUMSEL');
      if ((await offered(page)).length !== 17) problems.push('"#PROV. SUMSEL" does not offer every permit');
      // Enter narrows in place: no new page.
      await box.fill('SIPA');
      await page.evaluate(() => { window.samaHalaman = true; });
      await box.press('Enter');
      problems.push(...(await expectFound(page, 'SIPA', ['izin-pengusahaan-air-tanah'])));
      // A new page would have lost the mark.
      const same = await page.evaluate(() => window.samaHalaman === true).catch(() => false);
      if (!same) problems.push(`Enter in the box loaded a new page (${page.url()})`);
      // Choosing from the narrowed list keeps it narrowed, and a broader search finds the rest.
      const updated = page.waitForResponse((r) => r.url().includes('/layanan/permohonan/baru?'), { timeout: 20_000 });
      await page.locator('#izin').selectOption('izin-pengusahaan-air-tanah');
      await updated.catch(() => {});
      await page.getByRole('group', { name: 'Tipe Pemohon' }).waitFor({ timeout: 20_000 });
      problems.push(...(await expectFound(page, 'SIPA', ['izin-pengusahaan-air-tanah'])));
      await page.getByLabel('Cari jenis izin', { exact: true }).fill('ijin trayek');
      const wider = await offered(page);
      for (const slug of ['izin-penyelenggaraan-angkutan-orang-dalam-trayek', 'izin-trayek-akdp']) {
        if (!wider.includes(slug)) problems.push(`after choosing a permit, "ijin trayek" no longer finds ${slug}`);
      }
      return problems;
    });
    await check('without JavaScript, "Cari" narrows "Jenis Izin" and says how many match', async () => {
      const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: await user.context.storageState() });
      try {
        const p = await nojs.newPage();
        const problems = [];
        for (const [typed, want] of SEARCHES) {
          await p.goto(pageUrl('/layanan/permohonan/baru'), { waitUntil: 'load' });
          await p.getByLabel('Cari jenis izin', { exact: true }).fill(typed);
          await clickAndLand(p, p.locator('main form').getByRole('button', { name: 'Cari', exact: true }), /^\/layanan\/permohonan\/baru\?/);
          problems.push(...(await expectFound(p, typed, want)));
        }
        return problems;
      } finally {
        await nojs.close().catch(() => {});
      }
    });

    // PERMOHONAN: the radios, then BUAT with a required field emptied, then BUAT.
    await step('PERMOHONAN for Izin Pemasangan Rumpon: "Tipe Pemohon" radios, the one "Jenis Permohonan" as text', async () => {
      await page.goto(pageUrl(`/layanan/permohonan/baru?izin=${RUMPON}`), { waitUntil: 'load' });
      const problems = await expectNovalidate(page, 'PERMOHONAN');
      const group = page.getByRole('group', { name: 'Tipe Pemohon' });
      const radios = group.getByRole('radio');
      if ((await radios.count()) !== 2) problems.push(`"Tipe Pemohon" has ${await radios.count()} radios, expected 2`);
      for (const name of ['Perorangan', 'Perusahaan']) {
        const geometry = await page.evaluate((n) => {
          const label = [...document.querySelectorAll('#tipe label')].find((l) => l.textContent.trim() === n);
          const input = label && document.getElementById(label.htmlFor);
          const group = document.getElementById('tipe');
          if (!label || !input) return null;
          const l = label.getBoundingClientRect();
          const i = input.getBoundingClientRect();
          return { sameRow: i.top < l.bottom && i.bottom > l.top, after: l.left >= i.right - 1, near: l.left - i.right, wide: l.right - i.left, group: group.getBoundingClientRect().width, height: l.height };
        }, name);
        if (!geometry) { problems.push(`no radio labelled "${name}"`); continue; }
        if (!geometry.sameRow || !geometry.after || geometry.near > 24) problems.push(`"${name}": the label is not beside its circle (${JSON.stringify(geometry)})`);
        if (geometry.wide < geometry.group * 0.9) problems.push(`"${name}": the tappable row is ${Math.round(geometry.wide)} of ${Math.round(geometry.group)} px`);
        if (geometry.height < 44) problems.push(`"${name}": the row is ${geometry.height} px high, under 44`);
      }
      if (await page.getByRole('group', { name: 'Jenis Permohonan' }).count()) problems.push('"Jenis Permohonan" is still a group of radios with one choice');
      const single = squash(await page.locator('main #jenis.single-choice').innerText().catch(() => ''));
      if (!/Jenis Permohonan\s*Baru/.test(single)) problems.push(`the one "Jenis Permohonan" is not shown as text: "${single}"`);
      // The one Unit (and Instansi) likewise: text that wraps on the phone, not a cut-off select.
      if ((await page.locator('main select#unit, main select#instansi').count()) > 0) problems.push('Unit or Instansi is still a one-option select');
      const unit = page.locator('main #unit.single-choice');
      const unitText = squash(await unit.innerText().catch(() => ''));
      if (!/^Unit\s*Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu$/.test(unitText)) problems.push(`Unit shows "${unitText}"`);
      const cut = await unit.evaluate((el) => el.scrollWidth > el.clientWidth || el.getBoundingClientRect().right > window.innerWidth).catch(() => true);
      if (cut) problems.push('Unit does not fit the 390 px screen');
      return problems;
    });
    await step('a tap at the far end of the row "Perorangan" chooses it → PEMOHON and BUAT', async () => {
      const label = page.locator('#tipe label', { hasText: 'Perorangan' });
      await label.scrollIntoViewIfNeeded();
      const box = await label.boundingBox();
      const updated = page.waitForResponse((r) => r.url().includes('/layanan/permohonan/baru?'), { timeout: 20_000 });
      await page.mouse.click(box.x + box.width - 4, box.y + box.height / 2);
      await updated.catch(() => {});
      await page.getByRole('button', { name: 'BUAT' }).waitFor({ timeout: 20_000 });
      const checked = await page.getByRole('group', { name: 'Tipe Pemohon' }).getByLabel('Perorangan', { exact: true }).isChecked();
      return checked ? [] : ['"Perorangan" is not chosen after a tap at the end of its row'];
    });
    await step('BUAT with "Nama pemohon" emptied → the error summary, focused, links to the field', async () => {
      await page.getByLabel('Nama pemohon', { exact: true }).fill('');
      user.expected.add('POST /layanan/permohonan/baru 422');
      await clickAndLand(page, page.getByRole('button', { name: 'BUAT', exact: true }), /^\/layanan\/permohonan\/baru$/);
      return expectSummary(page, ['#pemohon_nama'], js);
    });
    let nomor = null;
    await step('"Nama pemohon" filled, BUAT → DOKUMEN with the banner "Permohonan … dibuat"', async () => {
      await page.getByLabel('Nama pemohon', { exact: true }).fill(a.nama);
      await clickAndLand(page, page.getByRole('button', { name: 'BUAT', exact: true }), /^\/layanan\/permohonan\/PRM-[A-Z0-9-]+\/dokumen$/);
      nomor = /PRM-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(page.url())?.[0];
      const banner = page.locator('main .notification-banner-success');
      if (!(await banner.isVisible())) return ['no success banner after BUAT'];
      const text = squash(await banner.innerText());
      return text.includes(`Permohonan ${nomor} dibuat`) ? [] : [`the banner says "${text}"`];
    });

    // Addresses that take a form, opened as a page (a reload after a refused upload).
    await step('the address an upload posts to, opened → DOKUMEN at that requirement', async () => {
      const resp = await page.goto(pageUrl(`/layanan/permohonan/${nomor}/dokumen/surat-permohonan`), { waitUntil: 'load' });
      const problems = await expectH1(page, 'DOKUMEN');
      if (resp?.status() !== 200) problems.push(`answered ${resp?.status()}`);
      const u = new URL(page.url());
      if (u.pathname !== `/layanan/permohonan/${nomor}/dokumen` || u.hash !== '#syarat-surat-permohonan') problems.push(`landed on ${u.pathname}${u.hash}`);
      return problems;
    });
    await step('"Keluar"\'s address, opened → the page with the "Keluar" button, still signed in', async () => {
      const resp = await page.goto(pageUrl('/layanan/keluar'), { waitUntil: 'load' });
      const problems = await expectH1(page, 'Keluar');
      if (resp?.status() !== 200) problems.push(`answered ${resp?.status()}`);
      if ((await page.locator('main').getByRole('button', { name: 'Keluar', exact: true }).count()) !== 1) problems.push('no "Keluar" button in <main>');
      const home = await page.goto(pageUrl('/layanan/'), { waitUntil: 'load' });
      if (home?.status() !== 200 || (await page.locator('h1').first().textContent()) !== 'Layanan Pemohon') problems.push('no longer signed in after opening the address');
      return problems;
    });

    // The documents (sent as the DOKUMEN form sends them), then Ajukan.
    await step('the four required documents uploaded', async () => {
      await page.goto(pageUrl(`/layanan/permohonan/${nomor}/dokumen`), { waitUntil: 'load' });
      const csrf = await page.locator('main input[name="csrf"]').first().inputValue();
      const maker = await browser.newPage();
      await maker.setContent('<!doctype html><html lang="id"><title>Dokumen</title><h1>Dokumen uji</h1></html>');
      const pdf = await maker.pdf({ format: 'A4' });
      const png = await maker.screenshot({ type: 'png' });
      await maker.close();
      const problems = [];
      for (const [req, name, mimeType, buffer] of [
        ['surat-permohonan', 'surat.pdf', 'application/pdf', pdf],
        ['sipi', 'sipi.pdf', 'application/pdf', pdf],
        ['ktp-penanggung-jawab', 'ktp.png', 'image/png', png],
        ['tata-letak-spesifikasi', 'tata-letak.pdf', 'application/pdf', pdf],
      ]) {
        const r = await page.request.post(pageUrl(`/layanan/permohonan/${nomor}/dokumen/${req}`), {
          multipart: { csrf, berkas: { name, mimeType, buffer } },
          maxRedirects: 0,
        });
        if (r.status() !== 303) problems.push(`${req}: the upload answered ${r.status()}`);
      }
      return problems;
    });
    await step('"Periksa dan Ajukan" → "Ajukan" → the confirmation', async () => {
      await page.goto(pageUrl(`/layanan/permohonan/${nomor}/ajukan`), { waitUntil: 'load' });
      await clickAndLand(page, page.locator('main').getByRole('button', { name: 'Ajukan', exact: true }), new RegExp(`^/layanan/permohonan/${nomor}\\?info=diajukan$`));
      const problems = [];
      const panel = page.locator('main .panel-konfirmasi');
      if (!(await panel.isVisible())) return ['no confirmation panel after Ajukan'];
      const text = squash(await panel.innerText());
      if (!text.includes('Permohonan diajukan') || !text.includes(nomor)) problems.push(`the panel says "${text}"`);
      const main = squash(await page.locator('main').innerText());
      if (!/Perkiraan selesai paling cepat: \d{1,2} \w+ \d{4}\./.test(main)) problems.push('no estimated date');
      if (!main.includes('10 hari kerja')) problems.push('the estimate does not say it counts 10 working days');
      if (!/hari libur nasional/.test(main)) problems.push('the estimate does not say holidays are not counted');
      return problems;
    });
    await check('the application number is on one line on the phone, in the heading and the panel', async () => {
      const lines = await page.locator('main .nomor').evaluateAll((els) => els.map((e) => [e.textContent, e.getClientRects().length]));
      if (lines.length < 2) return [`${lines.length} numbers marked .nomor, expected the heading's and the panel's`];
      return lines.filter(([, n]) => n !== 1).map(([t, n]) => `"${t}" breaks over ${n} lines`);
    });
    await step('the confirmation links to Cek Status', async () => {
      await clickAndLand(page, page.locator('main').getByRole('link', { name: 'Cek Status', exact: true }), /^\/layanan\/cek-status$/);
      return expectH1(page, 'Cek Status');
    });

    // Cek Status with nothing typed.
    await step('Cek Status with both fields empty → the error summary, focused, links to both fields', async () => {
      await page.goto(pageUrl('/layanan/cek-status'), { waitUntil: 'load' });
      const problems = await expectNovalidate(page, 'Cek Status');
      user.expected.add('POST /layanan/cek-status 422');
      await clickAndLand(page, page.locator('main form').getByRole('button', { name: 'Cek Status', exact: true }), /^\/layanan\/cek-status$/);
      problems.push(...(await expectSummary(page, ['#nomor', '#kunci'], js)));
      return problems;
    });
    await check('/favicon.ico is served, from the site and the service alike', async () => {
      const r = await page.request.get(pageUrl('/favicon.ico'));
      const problems = [];
      if (r.status() !== 200) problems.push(`/favicon.ico answered ${r.status()}`);
      if (!(r.headers()['content-type'] ?? '').startsWith('image/')) problems.push(`content type ${r.headers()['content-type']}`);
      return problems;
    });
  } catch (e) {
    if (!(e instanceof Stop)) record('forms', [`unexpected error: ${firstLines(e.stack ?? String(e), 6)}`]);
    else console.log(`     (stopped after: ${e.message})`);
  } finally {
    record('every page loaded cleanly (no JS error, no unexpected 4xx/5xx)', [...user.trouble, ...officer.trouble]);
    await user.context.close().catch(() => {});
    await officer.context.close().catch(() => {});
  }
}

await runMain('forms', run);
