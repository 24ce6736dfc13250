// Enhancements of the service's forms (loaded only on the service's pages). Every form works
// without this file; it only adds the upload progress bar and in-place updates.
(function () {
  'use strict';

  // DOKUMEN: with JavaScript, an upload shows its progress; without, it is a plain form post.
  function setupUploads() {
    var forms = document.querySelectorAll('form.form-unggah');
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener('submit', function (ev) {
        var input = form.querySelector('input[type=file]');
        var bar = form.querySelector('progress');
        if (!input || !input.files || !input.files.length || !bar || !window.FormData) return;
        ev.preventDefault();
        var xhr = new XMLHttpRequest();
        xhr.open('POST', form.action);
        bar.hidden = false;
        xhr.upload.addEventListener('progress', function (e) {
          if (e.lengthComputable) {
            var pct = Math.round(e.loaded * 100 / e.total);
            bar.value = pct;
            bar.textContent = pct + '%';
          }
        });
        xhr.addEventListener('load', function () {
          if (xhr.status === 200 && xhr.responseURL) {
            window.location.href = xhr.responseURL;
          } else {
            document.open();
            document.write(xhr.responseText);
            document.close();
          }
        });
        xhr.addEventListener('error', function () { form.submit(); });
        xhr.send(new FormData(form));
      });
    });
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
      var url = form.action + '?' + new URLSearchParams(new FormData(form)).toString();
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
      }).catch(function () { form.submit(); });
    });
  }

  // "Jenis Izin": with JavaScript, typing part of a name narrows the list.
  function setupPermitSearch() {
    var select = document.getElementById('izin');
    var input = document.getElementById('cari-izin');
    if (!select || !input || input.dataset.siap) return;
    input.dataset.siap = '1';
    input.hidden = false;
    var label = document.querySelector('label[for="cari-izin"]');
    if (label) label.hidden = false;
    var fold = function (t) { return t.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''); };
    input.addEventListener('input', function () {
      var q = fold(input.value.trim());
      Array.prototype.forEach.call(select.querySelectorAll('option'), function (o) {
        if (!o.value) return;
        o.hidden = q !== '' && fold(o.textContent).indexOf(q) === -1;
      });
      Array.prototype.forEach.call(select.querySelectorAll('optgroup'), function (g) {
        g.hidden = !g.querySelector('option:not([hidden])');
      });
    });
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
