// hotline ticket workspace: reply templates, confirmations, attachment
// checks, the "someone else has this open" warning and the stale-page
// notice. The page works without this file: forms post and the server
// answers with the page again.
(function () {
  "use strict";
  var ws = document.getElementById("ws");
  if (!ws) return;
  var id = ws.dataset.ticket, me = ws.dataset.user, csrf = document.body.dataset.csrf || "";
  var base = "/console/tickets/" + id;
  var submitting = false;

  // --- Focus the field a refused form needs fixed ----------------------------
  var bad = ws.querySelector('[aria-invalid="true"], .form-error');
  if (bad) {
    for (var el = bad.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    bad.scrollIntoView({ block: "center" });
    if (bad.focus) bad.focus();
  }

  // --- A link to an action (#act-forward) unfolds it -----------------------
  function openTarget() {
    var el = location.hash.length > 1 && document.getElementById(location.hash.slice(1));
    if (el && el.tagName === "DETAILS") {
      el.open = true;
      var first = el.querySelector("input:not([type=hidden]), select, textarea");
      if (first && !bad) first.focus();
    }
  }
  openTarget();
  window.addEventListener("hashchange", openTarget);

  // --- Reply templates: the server filled them in; insert the chosen one ----
  ws.querySelectorAll("[data-template-picker]").forEach(function (box) {
    var sel = box.querySelector("select"), target = document.getElementById(sel.dataset.target);
    if (!target) return;
    box.hidden = false;
    sel.addEventListener("change", function () {
      var opt = sel.options[sel.selectedIndex];
      if (!opt || !opt.dataset.body) return;
      var body = opt.dataset.body;
      if (target.value.trim() === "" || target.value === target.defaultValue) {
        target.value = body;
      } else {
        var s = target.selectionStart, e = target.selectionEnd;
        target.value = target.value.slice(0, s) + body + target.value.slice(e);
      }
      sel.selectedIndex = 0;
      target.focus();
    });
  });

  // --- Classify: a category suggests its usual request kind -----------------
  var cat = document.getElementById("classify-category"), kind = document.getElementById("classify-kind");
  if (cat && kind) {
    var kindTouched = false;
    kind.addEventListener("change", function () { kindTouched = true; });
    cat.addEventListener("change", function () {
      var k = cat.options[cat.selectedIndex].dataset.kind;
      if (k && !kindTouched) kind.value = k;
    });
  }

  // --- Classify and forward: the agency follows the routing rules for the
  // chosen category and ward until the operator picks one ------------------
  var fwd = document.getElementById("forward-agency"), fwdHint = document.getElementById("hint-forward-agency");
  var area = document.querySelector('#form-classify input[data-ward-code]');
  if (cat && fwd && area) {
    var fwdTouched = false, seq = 0;
    fwd.addEventListener("change", function () { fwdTouched = true; });
    var suggest = function () {
      var ward = /^\d+$/.test(area.value.trim()) ? area.value.trim() : "";
      if (!cat.value) return;
      var n = ++seq;
      fetch("/console/new/suggest?" + new URLSearchParams({ category: cat.value, area: ward }), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (s) {
          if (n !== seq) return;
          if (!s.agency) { if (fwdHint) fwdHint.textContent = ws.dataset.noRule; return; }
          if (fwdHint) fwdHint.textContent = ws.dataset.suggested.replace("{agency}", s.name || s.agency);
          if (!fwdTouched) fwd.value = s.agency;
        })
        .catch(function () {});
    };
    cat.addEventListener("change", suggest);
    document.getElementById("classify-area").addEventListener("change", suggest);
  }

  // --- Attachments: say at once what the server would refuse ----------------
  function checkFiles(input) {
    var max = +input.dataset.maxFiles, maxBytes = +input.dataset.maxBytes, msg = "";
    var files = input.files || [];
    if (files.length > max) msg = input.dataset.msgMany;
    for (var i = 0; !msg && i < files.length; i++) {
      if (files[i].size > maxBytes) msg = input.dataset.msgLarge.replace("{name}", files[i].name);
    }
    var errId = input.id + "-js-error", err = document.getElementById(errId);
    if (!msg) {
      if (err) err.remove();
      input.removeAttribute("aria-invalid");
      return true;
    }
    if (!err) {
      err = document.createElement("p");
      err.className = "field-error"; err.id = errId; err.setAttribute("role", "alert");
      input.parentNode.appendChild(err);
    }
    err.textContent = msg;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", errId);
    return false;
  }
  ws.querySelectorAll("input[type=file][data-max-files]").forEach(function (input) {
    input.addEventListener("change", function () { checkFiles(input); });
  });

  // --- Submitting: confirm what cannot be undone, and submit once -----------
  ws.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      var files = form.querySelector("input[type=file][data-max-files]");
      if (files && !checkFiles(files)) { e.preventDefault(); files.focus(); return; }
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { e.preventDefault(); return; }
      if (form.dataset.busy) { e.preventDefault(); return; }
      form.dataset.busy = "1";
      submitting = true;
      // Disabled after the submit, so the clicked button's value still goes.
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    });
  });
  // Back from the browser's cache: the forms may be used again.
  window.addEventListener("pageshow", function (e) {
    if (!e.persisted) return;
    submitting = false;
    ws.querySelectorAll("form").forEach(function (form) {
      delete form.dataset.busy;
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
    beat();
  });
  // Ctrl+Enter sends the text being written.
  ws.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.tagName === "TEXTAREA" && e.target.form) {
      e.preventDefault();
      if (e.target.form.requestSubmit) e.target.form.requestSubmit(); else e.target.form.submit();
    }
  });

  // --- Who else has this ticket open ----------------------------------------
  var presence = document.getElementById("ws-presence");
  function showPresence(viewers) {
    var names = (viewers || []).filter(function (v) { return String(v.user_id) !== me; }).map(function (v) { return v.name; });
    if (!names.length) { presence.hidden = true; presence.textContent = ""; return; }
    presence.textContent = presence.dataset.msg.replace("{names}", names.join(", "));
    presence.hidden = false;
  }
  function beat() {
    fetch(base + "/presence", {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, body: "{}"
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) showPresence(d.viewers); })
      .catch(function () {});
  }
  setInterval(beat, 20000);
  window.addEventListener("pagehide", function () {
    // sendBeacon cannot set headers: the token goes in the body.
    if (navigator.sendBeacon) navigator.sendBeacon(base + "/presence", new URLSearchParams({ csrf: csrf, left: "1" }));
  });

  // --- Live: presence changes, and changes by someone else ------------------
  var stale = document.getElementById("ws-stale");
  if (window.EventSource) {
    var es = new EventSource("/console/events");
    es.addEventListener("presence", function (ev) {
      var e = JSON.parse(ev.data);
      if (String(e.ticket_id) === id) showPresence(e.viewers);
    });
    es.addEventListener("ticket", function (ev) {
      var e = JSON.parse(ev.data);
      if (String(e.ticket_id) === id && !submitting) stale.hidden = false;
    });
  }
})();
