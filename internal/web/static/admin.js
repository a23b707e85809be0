// hotline admin console: confirmations, copying a one-time secret, and
// showing only the fields that apply. The pages work without it.
(function () {
  "use strict";
  // On a phone the sub-navigation scrolls sideways: show the current page.
  var nav = document.querySelector(".ad-nav"), cur = nav && nav.querySelector("[aria-current=page]");
  if (nav && cur && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = cur.offsetLeft - nav.clientWidth / 2 + cur.offsetWidth / 2;

  // Ask before destructive forms (revoke, delete, retire).
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });

  // Copy a one-time password or token.
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var el = document.getElementById(b.dataset.copy);
      if (!el || !navigator.clipboard) return;
      navigator.clipboard.writeText(el.textContent.trim()).then(function () {
        b.textContent = document.body.dataset.lang === "en" ? "Copied" : "Đã sao chép";
      });
    });
  });

  // "Generate a random password" hides the typed-password fields.
  document.querySelectorAll("input[name=generate]").forEach(function (box) {
    var form = box.form, typed = form && form.querySelector("[data-unless-generate]");
    if (!typed) return;
    function sync() { typed.hidden = box.checked; }
    box.addEventListener("change", sync);
    sync();
  });

  // The agency select matters only for the agency role.
  document.querySelectorAll("select[name=role]").forEach(function (role) {
    var form = role.form, agency = form && form.querySelector("select[name=agency]");
    if (!agency) return;
    var wrap = agency.closest(".ad-field");
    function sync() { wrap.hidden = role.value !== "agency"; }
    role.addEventListener("change", sync);
    sync();
  });

  // Insert a reply-template variable at the cursor.
  document.querySelectorAll("button[data-insert]").forEach(function (b) {
    var area = document.getElementById(b.dataset.target);
    if (!area) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      var s = area.selectionStart || 0, e = area.selectionEnd || 0, v = b.dataset.insert;
      area.value = area.value.slice(0, s) + v + area.value.slice(e);
      area.focus();
      area.setSelectionRange(s + v.length, s + v.length);
    });
  });
})();
