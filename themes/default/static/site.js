/* sicantik — progressive enhancement only: (a) permit filter on /izin/, (b) search on /cari/.
   Loaded by those two pages and by PERMOHONAN, whose finder uses the same rules
   (window.sicantikCocok); kepala.js is what every page loads. */
(function () {
  'use strict';

  function norm(s) {
    return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
  }

  // The old spelling "ijin" is still what many people type for "izin".
  function spelling(s) {
    return norm(s).replace(/\bijin/g, 'izin');
  }

  // Affixes an Indonesian word may carry before its root: a word is also findable by what
  // follows one of them ("perikanan" by "ikan"), never by any string inside it.
  var PREFIXES = ['peng', 'peny', 'pem', 'pen', 'per', 'pe', 'meng', 'mem', 'men', 'me', 'ber', 'be', 'ter', 'ke', 'di'];

  function searchWords(s) {
    var out = [];
    spelling(s).split(/[^a-z0-9]+/).forEach(function (w) {
      if (!w) return;
      out.push(w);
      for (var i = 0; i < PREFIXES.length; i++) {
        var p = PREFIXES[i];
        if (w.length > p.length + 2 && w.indexOf(p) === 0) { out.push(w.slice(p.length)); break; }
      }
    });
    return out;
  }

  // Every word typed must begin a word of the entry.
  function matches(entryWords, queryWords) {
    return queryWords.every(function (q) {
      return entryWords.some(function (w) { return w.indexOf(q) === 0; });
    });
  }

  function queryWords(typed) {
    return spelling(typed).split(/[^a-z0-9]+/).filter(Boolean);
  }

  // The same rules for the form's finder (layanan.js), and in Rust for the service without
  // JavaScript (generator/src/finder.rs): change them together.
  window.sicantikCocok = { searchWords: searchWords, queryWords: queryWords, matches: matches };

  /* (a) Instant filter of the permit index. */
  function setupFilter() {
    var box = document.getElementById('saring-izin');
    var input = document.getElementById('saring');
    var list = document.getElementById('daftar-izin');
    var status = document.getElementById('saring-status');
    if (!box || !input || !list || !status) return;

    var groups = Array.prototype.map.call(list.querySelectorAll('.izin-group'), function (g) {
      var h = g.querySelector('h2');
      var cat = h ? h.textContent : '';
      return {
        el: g,
        items: Array.prototype.map.call(g.querySelectorAll('li'), function (li) {
          return { el: li, words: searchWords(cat + ' ' + (li.getAttribute('data-nama-lain') || '') + ' ' + li.textContent) };
        })
      };
    });
    var timer;

    function apply() {
      var typed = input.value.trim();
      var q = queryWords(typed);
      var total = 0;
      groups.forEach(function (g) {
        var shown = 0;
        g.items.forEach(function (it) {
          var ok = !q.length || matches(it.words, q);
          it.el.hidden = !ok;
          if (ok) shown++;
        });
        g.el.hidden = shown === 0;
        total += shown;
      });
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (!q.length) status.textContent = total + ' jenis izin tersedia.';
        else if (total === 0) status.textContent = '0 jenis izin cocok dengan «' + typed + '». Periksa ejaannya, coba kata lain atau singkatannya, atau kosongkan saringan untuk melihat semua jenis izin.';
        else status.textContent = total + ' jenis izin cocok dengan «' + typed + '».';
      }, 350);
    }

    box.hidden = false;
    input.hidden = false;
    input.addEventListener('input', apply);
    if (input.value) apply();
  }

  /* (b) Search page: Pagefind, loaded on demand. */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  // Keep only text and <mark> from a Pagefind excerpt.
  function excerpt(html) {
    var t = document.createElement('template');
    t.innerHTML = html || '';
    var out = document.createDocumentFragment();
    t.content.childNodes.forEach(function (n) {
      if (n.nodeType === 3) out.appendChild(document.createTextNode(n.textContent));
      else if (n.nodeName === 'MARK') out.appendChild(el('mark', '', n.textContent));
      else out.appendChild(document.createTextNode(n.textContent || ''));
    });
    return out;
  }

  async function setupSearch() {
    var status = document.getElementById('hasil-status');
    var list = document.getElementById('hasil-daftar');
    var input = document.getElementById('q');
    if (!status || !list || !input) return;

    var q = (new URLSearchParams(location.search).get('q') || '').trim();
    input.value = q;
    if (!q) return;

    status.textContent = 'Mencari…';
    var pagefind;
    try {
      pagefind = await import('/pagefind/pagefind.js');
      if (pagefind.options) await pagefind.options({ excerptLength: 30 });
    } catch (e) {
      status.textContent = 'Pencarian belum tersedia. Silakan lihat ';
      var a = el('a', '', 'daftar jenis izin');
      a.href = '/izin/';
      status.appendChild(a);
      status.appendChild(document.createTextNode('.'));
      return;
    }

    var found = await pagefind.search(spelling(q));
    var data = await Promise.all(found.results.slice(0, 20).map(function (r) { return r.data(); }));
    list.textContent = '';
    data.forEach(function (d) {
      var li = el('li');
      var h = el('h2');
      var a = el('a', '', (d.meta && d.meta.title) || d.url);
      a.href = d.url;
      h.appendChild(a);
      li.appendChild(h);
      var p = el('p');
      p.appendChild(excerpt(d.excerpt));
      li.appendChild(p);
      list.appendChild(li);
    });
    if (found.results.length === 0) {
      status.textContent = 'Tidak ada hasil untuk «' + q + '». Periksa ejaannya atau coba kata lain, atau pilih kategori di bawah ini.';
      return;
    }
    status.textContent = found.results.length + ' hasil untuk «' + q + '»' +
      (found.results.length > 20 ? ' (20 teratas ditampilkan)' : '');
  }

  function init() {
    setupFilter();

    if (document.getElementById('hasil-cari')) {
      setupSearch().catch(function () {
        var s = document.getElementById('hasil-status');
        if (s) s.textContent = 'Pencarian gagal. Silakan coba lagi.';
      });
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
