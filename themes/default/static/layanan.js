// Enhancements of the service's forms (loaded only on the service's pages). Every form works
// without this file; it only adds uploads sent in place with their progress, and in-place
// updates of PERMOHONAN.
(function () {
  'use strict';

  // DOKUMEN: with JavaScript, an upload is sent in the background and only its requirement's
  // item is updated, where the applicant is (a page loaded again would start at the top, and
  // the confirmation beside the item would be out of view); the progress shows as a bar and
  // as text, Unggah waits, and the upload can be cancelled. Without JavaScript the form posts
  // and the answer lands on the item (#syarat-…).
  function setupUploads(root) {
    var forms = (root || document).querySelectorAll('form.form-unggah');
    Array.prototype.forEach.call(forms, function (form) {
      if (form.dataset.siap) return;
      form.dataset.siap = '1';
      form.addEventListener('submit', function (ev) {
        var input = form.querySelector('input[type=file]');
        // No file chosen: the plain post brings the service's own message.
        if (!input || !input.files || !input.files.length || !window.FormData || !window.DOMParser) return;
        ev.preventDefault();
        sendUpload(form);
      });
    });
  }

  function announce(text) {
    var note = document.getElementById('pengumuman-unggah');
    if (!note) return;
    // Emptied first, so that the same words twice are announced twice.
    note.textContent = '';
    window.setTimeout(function () { note.textContent = text; }, 50);
  }

  function requirementName(item) {
    var h = item && item.querySelector('h2');
    return h && h.firstChild ? h.firstChild.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  // Puts what the service answered in place of the parts of DOKUMEN it changes: the item, the
  // count, the error summary, and items that still show an earlier confirmation or error.
  function applyAnswer(doc, item) {
    var top = item.getBoundingClientRect().top;
    ['ringkasan-unggah', 'jumlah-dokumen'].forEach(function (id) {
      var mine = document.getElementById(id);
      var fresh = doc.getElementById(id);
      if (mine && fresh) mine.replaceWith(document.importNode(fresh, true));
    });
    var list = item.parentNode;
    var replaced = null;
    // A copy of the list: the live one changes as items are replaced.
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (li !== item && !li.querySelector('.field-has-error, .notice-success')) return;
      var fresh = doc.getElementById(li.id);
      if (!fresh) return;
      var copy = document.importNode(fresh, true);
      li.replaceWith(copy);
      setupUploads(copy);
      if (li === item) replaced = copy;
    });
    // The item stays where it was on the screen, whatever changed above it.
    // 'instant': the page's smooth scrolling would move it visibly for what is no move at all.
    if (replaced) window.scrollBy({ top: replaced.getBoundingClientRect().top - top, behavior: 'instant' });
    return replaced;
  }

  function sendUpload(form) {
    var item = form.closest('li[id^="syarat-"]');
    var box = form.querySelector('.unggah-kemajuan');
    var bar = box && box.querySelector('progress');
    var text = box && box.querySelector('.unggah-persen');
    var button = form.querySelector('button[type=submit]');
    if (!item || !box || !bar || !text || !button) { form.submit(); return; }
    var name = requirementName(item);
    var show = function (pct) {
      bar.value = pct;
      text.textContent = pct + ' %';
    };
    var cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'button button-secondary';
    cancel.textContent = 'Batalkan unggahan';
    var reset = function () {
      box.hidden = true;
      show(0);
      button.disabled = false;
      cancel.remove();
    };
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) show(Math.min(100, Math.round(e.loaded * 100 / e.total)));
    });
    xhr.addEventListener('load', function () {
      var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
      if (!item.id || !doc.getElementById(item.id)) {
        // Not DOKUMEN (the application was submitted meanwhile, the session ended, …): the
        // service's page as it is.
        document.open();
        document.write(xhr.responseText);
        document.close();
        return;
      }
      var ok = xhr.status < 400;
      if (ok) show(100);
      var fresh = applyAnswer(doc, item);
      var input = fresh && fresh.querySelector('input[type=file]');
      if (input) input.focus({ preventScroll: true });
      if (ok) {
        announce('Berkas tersimpan untuk ' + name + '.');
      } else {
        var error = fresh && fresh.querySelector('.field-error');
        announce('Berkas belum tersimpan. ' + (error ? error.textContent.replace(/^\s*Galat:\s*/, '') : ''));
      }
    });
    xhr.addEventListener('error', function () {
      reset();
      announce('Berkas belum terkirim. Periksa koneksi, lalu unggah kembali.');
    });
    xhr.addEventListener('abort', function () {
      reset();
      announce('Pengunggahan dibatalkan; berkas tidak disimpan.');
      button.focus();
    });
    cancel.addEventListener('click', function () { xhr.abort(); });
    button.disabled = true;
    button.insertAdjacentElement('afterend', cancel);
    show(0);
    box.hidden = false;
    announce('Mengunggah berkas untuk ' + name + '.');
    xhr.send(new FormData(form));
  }

  // PERMOHONAN: with JavaScript, choosing the permit or the applicant type updates the form in
  // place; without, the "Tampilkan persyaratan" button does the same with one more page.
  function setupChoice() {
    var form = document.querySelector('form.form-pilihan');
    if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;
    // The live region exists before anything changes, so screen readers announce updates.
    var note = document.getElementById('pembaruan-formulir');
    if (!note) {
      note = document.createElement('p');
      note.id = 'pembaruan-formulir';
      note.className = 'visually-hidden';
      note.setAttribute('aria-live', 'polite');
      // In the header landmark: outside main, which is replaced on each update.
      (document.querySelector('header') || document.body).appendChild(note);
    }
    form.addEventListener('change', function (ev) {
      var changedId = ev.target && ev.target.id;
      if (changedId === 'cari-izin') return;
      // The page comes back with every permit; the words typed narrow it again here, so a
      // broader search later still finds the permits the narrower one hid.
      var params = new URLSearchParams(new FormData(form));
      var typed = params.get('cari') || '';
      params.delete('cari');
      var url = form.action + '?' + params.toString();
      fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
        var main = document.querySelector('main');
        if (!fresh || !main) return;
        main.innerHTML = fresh.innerHTML;
        if (window.history && history.replaceState) history.replaceState(null, '', url);
        var again = changedId && document.getElementById(changedId);
        if (again) again.focus();
        // Tell screen-reader users what changed below the control they used.
        note.textContent = document.getElementById('persyaratan')
          ? 'Formulir dan daftar persyaratan diperbarui.'
          : 'Pilihan Tipe Pemohon dan Jenis Permohonan diperbarui.';
        setupChoice();
        setupUploads();
        setupPermitSearch();
        var search = document.getElementById('cari-izin');
        if (search && search.sicantikCari && typed) {
          search.value = typed;
          search.sicantikCari(true);
        }
      }).catch(function () { form.submit(); });
    });
  }

  // "Cari jenis izin": with JavaScript the list narrows as the applicant types, by the rules of
  // the site's filter (site.js, window.sicantikCocok; the service applies the same rules in Rust
  // when "Cari" is sent without JavaScript). Enter narrows it too, without a new page.
  function setupPermitSearch() {
    var select = document.getElementById('izin');
    var input = document.getElementById('cari-izin');
    var status = document.getElementById('cari-izin-status');
    var cocok = window.sicantikCocok;
    if (!select || !input || !status || input.dataset.siap) return;
    // site.js (the rules) is deferred after this script: it has run by DOMContentLoaded.
    if (!cocok) { document.addEventListener('DOMContentLoaded', setupPermitSearch, { once: true }); return; }
    input.dataset.siap = '1';
    var options = Array.prototype.filter.call(select.querySelectorAll('option'), function (o) { return o.value; })
      .map(function (o) { return { el: o, words: cocok.searchWords(o.getAttribute('data-cari') || o.textContent) }; });
    var timer;
    function apply(quiet) {
      var typed = input.value.trim();
      var q = cocok.queryWords(typed);
      var total = 0;
      options.forEach(function (it) {
        var ok = !q.length || cocok.matches(it.words, q);
        // The chosen permit stays, as it does on the server: a search never unselects it.
        it.el.hidden = !ok && !it.el.selected;
        if (ok) total++;
      });
      Array.prototype.forEach.call(select.querySelectorAll('optgroup'), function (g) {
        g.hidden = !g.querySelector('option:not([hidden])');
      });
      var say = function () {
        if (!q.length) status.textContent = '';
        else if (total === 0) status.textContent = '0 jenis izin cocok dengan «' + typed + '». Periksa ejaannya, coba kata lain atau singkatannya, atau kosongkan pencarian untuk melihat semua jenis izin.';
        else status.textContent = total + ' jenis izin cocok dengan «' + typed + '».';
      };
      clearTimeout(timer);
      if (quiet) say(); else timer = setTimeout(say, 350);
    }
    input.addEventListener('input', function () { apply(false); });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { ev.preventDefault(); apply(false); }
    });
    input.sicantikCari = apply;
  }

  // Error summary (GOV.UK): focus moves to it when the page loads, so screen readers read it
  // first; each link moves focus to its field (the first radio of a group) and shows the
  // field's label too, not only the field.
  function setupErrorSummary() {
    var summary = document.getElementById('ringkasan-galat');
    if (!summary) return;
    if (!summary.dataset.siap) {
      summary.dataset.siap = '1';
      summary.addEventListener('click', function (ev) {
        var link = ev.target.closest ? ev.target.closest('a[href^="#"]') : null;
        if (!link) return;
        var target = document.getElementById(link.getAttribute('href').slice(1));
        if (!target) return;
        var input = target.matches('input, select, textarea') ? target : target.querySelector('input, select, textarea');
        if (!input) return;
        ev.preventDefault();
        var group = input.closest('fieldset') || input.closest('.field');
        (group || input).scrollIntoView();
        input.focus({ preventScroll: true });
        if (window.history && history.replaceState) history.replaceState(null, '', '#' + target.id);
      });
    }
    summary.focus();
  }

  // Password fields (GOV.UK password input): a button shows or hides what was typed, and a
  // live region says which. Without this file the field stays a plain password field. The
  // field is hidden again when the form is sent, so the browser never keeps it as text.
  function setupPasswordToggles() {
    Array.prototype.forEach.call(document.querySelectorAll('input[type=password]'), function (input) {
      if (input.dataset.siap || !input.id) return;
      input.dataset.siap = '1';
      var wrap = document.createElement('div');
      wrap.className = 'password-input';
      input.parentNode.insertBefore(wrap, input);
      wrap.appendChild(input);
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button-secondary password-toggle';
      button.setAttribute('aria-controls', input.id);
      var status = document.createElement('p');
      status.className = 'visually-hidden';
      status.setAttribute('aria-live', 'polite');
      var show = function (visible) {
        input.type = visible ? 'text' : 'password';
        button.textContent = visible ? 'Sembunyikan' : 'Tampilkan';
        button.setAttribute('aria-label', visible ? 'Sembunyikan kata sandi' : 'Tampilkan kata sandi');
      };
      show(false);
      button.addEventListener('click', function () {
        var visible = input.type === 'password';
        show(visible);
        status.textContent = visible ? 'Kata sandi Anda terlihat.' : 'Kata sandi Anda tersembunyi.';
      });
      wrap.appendChild(button);
      wrap.parentNode.insertBefore(status, wrap.nextSibling);
      if (input.form) input.form.addEventListener('submit', function () { show(false); });
    });
  }

  function init() {
    setupPasswordToggles();
    setupErrorSummary();
    setupUploads();
    setupChoice();
    setupPermitSearch();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
