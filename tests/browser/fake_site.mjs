// A small fake sicantik site, for testing check_site.mjs itself (see
// selftest.mjs). It is NOT the real theme: it only has the shape the checker
// relies on, which the real theme must have too:
//   - pages are index.html files in folders (/izin/<slug>/index.html) plus /404.html;
//   - every page has an <h1> and a <nav> with the links "Registrasi Pemohon" and "Masuk";
//   - /izin/ links every permit page; its filter is an <input type="search"> that
//     is `hidden` in the HTML and revealed by JS, with an aria-live region that
//     announces how many permits match;
//   - /cari/?q=WORD shows result links in <main> (from the Pagefind index under
//     /pagefind/) that are not there without JS.
// A `breakage` name makes one page wrong in one way, so the self-test can see
// the checker fail with a clear message.

import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';

export const PERMITS = [
  ['izin-pemasangan-rumpon', 'Izin Pemasangan Rumpon',
    'Izin untuk memasang rumpon di perairan laut sampai 12 mil.'],
  ['surat-izin-usaha-perikanan', 'Surat Izin Usaha Perikanan (SIUP)',
    'Izin usaha perikanan tangkap dan budidaya ikan.'],
  ['surat-izin-penangkapan-ikan', 'Surat Izin Penangkapan Ikan (SIPI)',
    'Izin bagi kapal perikanan untuk menangkap ikan.'],
  ['izin-usaha-pertambangan-batuan', 'Izin Usaha Pertambangan Batuan',
    'Izin usaha pertambangan komoditas batuan.'],
  ['persetujuan-lingkungan', 'Persetujuan Lingkungan',
    'Keputusan kelayakan lingkungan hidup bagi usaha dan kegiatan.'],
];

export const BREAKAGES = ['html-error', 'missing-alt', 'oversized', 'no-filter-js', 'no-search-index'];

const CSS = `:root{--fg:#1b1b1b;--bg:#fff;--link:#0b4f8a;--muted:#4a4a4a}
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 "DejaVu Sans",system-ui,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem}
header{padding:1rem;border-bottom:2px solid #0b4f8a}
.brand{font-weight:bold;text-decoration:none}
nav ul{list-style:none;margin:.5rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav a{display:inline-block;padding:.5rem 0}
main{max-width:48rem;margin:0 auto;padding:1rem}
footer{padding:1rem;color:var(--muted);border-top:1px solid #ccc}
.daftar-izin{padding-left:1.25rem}
.daftar-izin li{margin:.5rem 0}
input[type=search]{font:inherit;padding:.5rem;width:100%;max-width:24rem}
[hidden]{display:none!important}
`;

const JS = `// Filter of /izin/ and the search of /cari/. Without JS both pages still work:
// /izin/ lists every permit, /cari/ has a plain form.
(function () {
  var input = document.getElementById('saring');
  if (input) {
    var label = document.querySelector('label[for=saring]');
    var live = document.getElementById('jumlah');
    var items = Array.prototype.slice.call(document.querySelectorAll('.daftar-izin li'));
    input.hidden = false; label.hidden = false;
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase(), n = 0;
      items.forEach(function (li) {
        var show = li.querySelector('a').textContent.toLowerCase().indexOf(q) !== -1;
        li.hidden = !show; if (show) n++;
      });
      live.textContent = q ? n + ' izin cocok dengan "' + input.value.trim() + '"' : '';
    });
  }
  var results = document.getElementById('hasil-cari');
  if (results) {
    var q = new URLSearchParams(location.search).get('q');
    if (!q) return;
    document.getElementById('q').value = q;
    var status = document.getElementById('status-cari');
    status.textContent = 'Mencari…';
    import('/pagefind/pagefind.js').then(function (pf) {
      return pf.search(q);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, 10).map(function (r) { return r.data(); }));
    }).then(function (pages) {
      pages.forEach(function (d) {
        var li = document.createElement('li'), a = document.createElement('a');
        a.href = d.url; a.textContent = d.meta.title; li.appendChild(a); results.appendChild(li);
      });
      status.textContent = pages.length + ' hasil untuk "' + q + '"';
    }).catch(function () { status.textContent = 'Pencarian tidak tersedia.'; });
  }
})();
`;

function layout(title, body, { extraHead = '' } = {}) {
  return `<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · SiCantik Sumsel</title>
<link rel="stylesheet" href="/assets/site.css">
<script src="/assets/site.js" defer></script>${extraHead}
</head>
<body>
<a class="skip" href="#isi">Langsung ke isi</a>
<header>
<a class="brand" href="/">SiCantik Sumsel</a>
<nav aria-label="Menu utama">
<ul>
<li><a href="/panduan/">Panduan</a></li>
<li><a href="/peraturan/">Peraturan</a></li>
<li><a href="/izin/">Daftar Izin</a></li>
<li><a href="/cari/">Cari</a></li>
<li><a href="/registrasi/">Registrasi Pemohon</a></li>
<li><a href="/masuk/">Masuk</a></li>
</ul>
</nav>
</header>
<main id="isi">
${body}
</main>
<footer><p>DPMPTSP Provinsi Sumatera Selatan</p></footer>
</body>
</html>
`;
}

/** Writes the fake site into `dir` (emptied first). Returns the list of page paths. */
export async function buildFakeSite(dir, breakage = null) {
  if (breakage && !BREAKAGES.includes(breakage)) throw new Error(`unknown breakage ${breakage}`);
  await rm(dir, { recursive: true, force: true });
  const put = async (rel, text) => {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  };
  await put('assets/site.css', CSS);
  await put('assets/site.js', breakage === 'no-filter-js'
    ? '// filter script lost\n'
    : JS);

  let home = `<h1>Layanan Perizinan Provinsi Sumatera Selatan</h1>
<p>Panduan bagi pemohon, peraturan dan persyaratan izin, termasuk izin perikanan, pertambangan dan lingkungan.</p>
<p><a href="/izin/">Lihat daftar izin</a></p>`;
  if (breakage === 'missing-alt') home += '\n<p><img src="/assets/logo.svg" width="40" height="40"></p>';
  if (breakage === 'html-error') home += '\n<p>Paragraf <span>yang salah</p></span>';
  if (breakage === 'oversized') {
    // ~70 KB of text: over the 50 KiB page budget.
    home += '\n' + Array.from({ length: 700 }, (_, i) =>
      `<p>Paragraf pengisi nomor ${i} tentang perizinan perikanan dan kelautan di Sumatera Selatan.</p>`).join('\n');
  }
  await put('assets/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1" fill="#0b4f8a"/></svg>\n');
  await put('index.html', layout('Beranda', home));

  await put('panduan/index.html', layout('Panduan Pemohon', `<h1>Panduan Pemohon</h1>
<h2>Langkah pengajuan</h2>
<ol><li>Registrasi sebagai pemohon.</li><li>Pilih izin, misalnya izin usaha perikanan.</li><li>Unggah persyaratan.</li></ol>`));
  await put('peraturan/index.html', layout('Peraturan', `<h1>Peraturan</h1>
<ul><li>Peraturan Gubernur tentang pelayanan perizinan perikanan.</li><li>Peraturan Daerah tentang pertambangan batuan.</li></ul>`));

  const items = PERMITS.map(([slug, name, desc]) =>
    `<li><a href="/izin/${slug}/">${name}</a><br>${desc}</li>`).join('\n');
  await put('izin/index.html', layout('Daftar Izin', `<h1>Daftar Izin</h1>
<label for="saring" hidden>Saring daftar izin</label>
<input type="search" id="saring" hidden>
<p id="jumlah" aria-live="polite"></p>
<ul class="daftar-izin">
${items}
</ul>`));
  for (const [slug, name, desc] of PERMITS) {
    await put(`izin/${slug}/index.html`, layout(name, `<h1>${name}</h1>
<p>${desc}</p>
<h2>Persyaratan</h2>
<ul><li>KTP pemohon</li><li>NPWP</li><li>Surat permohonan</li></ul>
<p><a href="/izin/">Kembali ke daftar izin</a></p>`));
  }

  await put('cari/index.html', layout('Cari', `<h1>Cari</h1>
<form role="search" action="/cari/" method="get">
<label for="q">Kata kunci</label>
<input type="search" id="q" name="q">
<button type="submit">Cari</button>
</form>
<p id="status-cari" aria-live="polite"></p>
<ul id="hasil-cari"></ul>`));
  await put('404.html', layout('Halaman tidak ditemukan', `<h1>Halaman tidak ditemukan</h1>
<p>Halaman yang Anda cari tidak ada. <a href="/">Kembali ke beranda</a>.</p>`));
}
