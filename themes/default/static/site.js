/* sicantik — progressive enhancement only: (a) permit filter on /izin/, (b) search on /cari/. */
(function () {
  'use strict';

  function norm(s) {
    return (s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
  }

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
          return { el: li, text: norm(cat + ' ' + li.textContent) };
        })
      };
    });
    var timer;

    function apply() {
      var q = norm(input.value);
      var total = 0;
      groups.forEach(function (g) {
        var shown = 0;
        g.items.forEach(function (it) {
          var ok = !q || it.text.indexOf(q) !== -1;
          it.el.hidden = !ok;
          if (ok) shown++;
        });
        g.el.hidden = shown === 0;
        total += shown;
      });
      clearTimeout(timer);
      timer = setTimeout(function () {
        status.textContent = total + ' jenis izin ditemukan';
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

    var found = await pagefind.search(q);
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
