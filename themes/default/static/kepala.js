/* sicantik — every page: "Menu" folds the header's menu on a phone (the CSS folds it only
   once .menu-siap is set, so without JavaScript the links stay); the cookie sicantik_pemohon=1
   (the service's, no identity) swaps the static pages' service links for the signed-in ones. */
(function () {
  'use strict';
  var header = document.querySelector('.site-header');
  var toggle = header && header.querySelector('.menu-toggle');
  if (toggle) {
    toggle.hidden = false;
    header.classList.add('menu-siap');
    toggle.addEventListener('click', function () {
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      header.classList.toggle('menu-terbuka', open);
    });
  }
  var guest = document.querySelector('[data-tamu]');
  var applicant = document.querySelector('[data-pemohon]');
  if (guest && applicant && /(^|;\s*)(__Host-)?sicantik_pemohon=1(;|$)/.test(document.cookie)) {
    guest.hidden = true;
    applicant.hidden = false;
  }
})();
