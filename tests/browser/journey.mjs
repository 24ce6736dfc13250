#!/usr/bin/env node
// A new applicant's whole journey through the running service, in headless Chromium:
//
//   node tests/browser/journey.mjs --url http://127.0.0.1:PORT --maildir DIR \
//       --officer petugas1 --officer-password PW [--timeout SECONDS-PER-STEP]
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
//   6. from a permit page, signed in: the header of that static page shows "Layanan Pemohon" and
//      "Keluar" (with JavaScript; without it, the same links as signed out), and the start button
//      "Ajukan permohonan izin ini" opens PERMOHONAN with the permit chosen; "Keluar" there; then,
//      signed out, the start button leads to Masuk, and signing in lands on PERMOHONAN with
//      the permit chosen;
//   7. axe-core (WCAG 2.0/2.1/2.2 A and AA) on every distinct page on the way, at 390×844.
// On the way, the header at 390×844 stays under HEADER_MAX_PX high (static and service pages)
// and its menu holds "Cek Status".
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

import {
  applicant, axe, cfg, check, clickAndLand, expectH1, firstLines, headerHeight, headerLink, newContext, NoJsScanner, PHONE,
  pageUrl, passSecondStep, Phone, record, registrationFields, runMain, setPasswordLink, setup, squash,
  step, Stop,
} from './lib.mjs';

setup('tests/browser/journey.mjs');

/** The officer's phone: enrolled at the first journey's sign-in, used again by the next. */
const officerPhone = new Phone();

/** The permit whose page the applicant starts from. */
const IZIN = 'izin-pemasangan-rumpon';
/** The header's height on a phone: it once took 285 of 844 px on every page. */
const HEADER_MAX_PX = 110;

/** Problems unless the header at 390×844 is under HEADER_MAX_PX and its menu holds Cek Status. */
async function compactHeader(page, where) {
  const problems = [];
  const height = await headerHeight(page);
  console.log(`     header on ${where}: ${Math.round(height)} px of ${PHONE.viewport.height}`);
  if (!(height > 0 && height < HEADER_MAX_PX)) problems.push(`the header on ${where} is ${height} px high at 390×844, not under ${HEADER_MAX_PX}`);
  const cek = await headerLink(page, 'Cek Status');
  if ((await cek.count()) !== 1 || !(await cek.isVisible())) problems.push(`no visible "Cek Status" in the header menu on ${where}`);
  else if ((await cek.getAttribute('href')) !== '/layanan/cek-status') problems.push(`"Cek Status" links to ${await cek.getAttribute('href')}`);
  return problems;
}

/** Problems unless the header's visible service links are exactly `want`. */
async function headerServiceLinks(page, want) {
  await headerLink(page, 'Beranda'); // opens the menu where it is folded
  const shown = await page.getByRole('navigation', { name: 'Menu utama' })
    .locator('.nav-layanan li').evaluateAll((lis) => lis
      .filter((li) => li.getClientRects().length > 0)
      .map((li) => li.textContent.replace(/\s+/g, ' ').trim()));
  return JSON.stringify(shown) === JSON.stringify(want) ? [] : [`the header offers ${JSON.stringify(shown)}, expected ${JSON.stringify(want)}`];
}

/** Problems unless the page is PERMOHONAN with `nama` chosen as Jenis Izin. */
async function permohonanWith(page, nama) {
  const problems = await expectH1(page, 'PERMOHONAN');
  const chosen = squash(await page.locator('#izin').evaluate((s) => s.selectedOptions[0]?.textContent ?? '').catch(() => ''));
  if (chosen !== nama) problems.push(`Jenis Izin shows "${chosen}", expected "${nama}"`);
  return problems;
}

// ------------------------------------------------------------------ journey --

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
    await check(`${mode} 1. the home page's header at 390×844 is compact and holds "Cek Status"`, async () => {
      const resp = await page.goto(pageUrl('/'), { waitUntil: 'load' });
      if (resp?.status() !== 200) return [`GET / answered ${resp?.status()}`];
      return compactHeader(page, 'the home page');
    });
    await step(`${mode} 1. home page → header link "Registrasi Pemohon" → the form`, async () => {
      const resp = await page.goto(pageUrl('/'), { waitUntil: 'load' });
      if (resp?.status() !== 200) return [`GET / answered ${resp?.status()}`];
      const link = await headerLink(page, 'Registrasi Pemohon');
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
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(cfg.officer);
      await f.getByLabel('Kata sandi', { exact: true }).fill(cfg.officerPassword);
      await clickAndLand(op, f.getByRole('button', { name: 'Masuk', exact: true }), /^\/layanan\/petugas\/(aktifkan-)?verifikasi$/);
      const problems = await passSecondStep(op, officerPhone, scan);
      if (problems.length) return problems;
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
      await headerLink(page, 'Beranda'); // opens the menu where it is folded
      const nav = page.getByRole('navigation', { name: 'Menu utama' });
      if ((await nav.getByRole('button', { name: 'Keluar' }).count()) !== 1) problems.push('no "Keluar" button in the header after logging in');
      return problems;
    });
    await scan('Layanan Pemohon', page);
    await check(`${mode} 5. the header of a service page at 390×844 is compact and holds "Cek Status"`, async () => {
      await page.reload({ waitUntil: 'load' }); // the menu folded again, as on arrival
      return compactHeader(page, 'Layanan Pemohon');
    });

    // 6. From a permit page.
    let nama = '';
    const start = () => page.locator('main').getByRole('link', { name: 'Ajukan permohonan izin ini', exact: true });
    await step(`${mode} 6. the permit page, signed in: its header ${js ? 'shows "Layanan Pemohon" and "Keluar"' : 'keeps its links'}`, async () => {
      const resp = await page.goto(pageUrl(`/izin/${IZIN}/`), { waitUntil: 'load' });
      if (resp?.status() !== 200) return [`GET /izin/${IZIN}/ answered ${resp?.status()}`];
      nama = await page.locator('h1').first().textContent().then(squash);
      const problems = await compactHeader(page, 'the permit page');
      problems.push(...(await headerServiceLinks(page, js ? ['Layanan Pemohon', 'Keluar'] : ['Registrasi Pemohon', 'Masuk'])));
      if ((await start().count()) !== 1 || !(await start().isVisible())) problems.push('no visible start button "Ajukan permohonan izin ini"');
      return problems;
    });
    await scan('permit page', page);
    await step(`${mode} 6. signed in, "Ajukan permohonan izin ini" → PERMOHONAN with the permit chosen`, async () => {
      await clickAndLand(page, start(), new RegExp(`^/layanan/permohonan/baru\\?izin=${IZIN}$`));
      return permohonanWith(page, nama);
    });
    await step(`${mode} 6. "Keluar" ${js ? 'from the permit page\'s header → its page → the button' : 'in the header'} → Masuk says "Anda telah keluar"`, async () => {
      if (js) {
        await page.goto(pageUrl(`/izin/${IZIN}/`), { waitUntil: 'load' });
        await clickAndLand(page, await headerLink(page, 'Keluar'), /^\/layanan\/keluar$/);
        const problems = await expectH1(page, 'Keluar');
        if (problems.length) return problems;
        await scan('Keluar', page);
        await clickAndLand(page, page.locator('main').getByRole('button', { name: 'Keluar', exact: true }), /^\/layanan\/masuk\?info=keluar$/);
      } else {
        await clickAndLand(page, page.getByRole('navigation', { name: 'Menu utama' }).getByRole('button', { name: 'Keluar', exact: true }), /^\/layanan\/masuk\?info=keluar$/);
      }
      const problems = await expectH1(page, 'Masuk');
      if (!squash(await page.locator('main').innerText()).includes('Anda telah keluar')) problems.push('Masuk does not say "Anda telah keluar"');
      return problems;
    });
    await step(`${mode} 6. the permit page, signed out: the header shows "Registrasi Pemohon" and "Masuk"`, async () => {
      await page.goto(pageUrl(`/izin/${IZIN}/`), { waitUntil: 'load' });
      return headerServiceLinks(page, ['Registrasi Pemohon', 'Masuk']);
    });
    await step(`${mode} 6. signed out, "Ajukan permohonan izin ini" → Masuk, which offers Registrasi Pemohon`, async () => {
      await clickAndLand(page, start(), /^\/layanan\/masuk\?info=sesi&kembali=/);
      const problems = await expectH1(page, 'Masuk');
      const main = squash(await page.locator('main').innerText());
      if (!main.includes('Silakan masuk untuk melanjutkan')) problems.push('Masuk does not ask to sign in to go on');
      if ((await page.locator('main').getByRole('link', { name: 'Registrasi Pemohon', exact: true }).count()) !== 1) problems.push('Masuk offers no "Registrasi Pemohon"');
      if (!/petugas memeriksa dan menyetujui registrasi/.test(main)) problems.push('Masuk does not say that a new account waits for an officer\'s approval');
      return problems;
    });
    await scan('Masuk on the way to PERMOHONAN', page);
    await step(`${mode} 6. sign in → PERMOHONAN with the permit chosen`, async () => {
      const f = page.locator('main form');
      await f.getByLabel('Nama pengguna atau alamat surel', { exact: true }).fill(a.username);
      await f.getByLabel('Kata sandi', { exact: true }).fill(a.password);
      await clickAndLand(page, f.getByRole('button', { name: 'Masuk', exact: true }), new RegExp(`^/layanan/permohonan/baru\\?izin=${IZIN}$`));
      return permohonanWith(page, nama);
    });
    await scan('PERMOHONAN from the permit page', page);
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

await runMain('journey', async () => {
  await runJourney(true, 0);
  await runJourney(false, 1);
});
