// hotline call-taker (/console/new): the caller's earlier reports while
// the number is typed, the routing rules' agency suggestion, a live
// character count, Tab to take the first ward suggestion, and Ctrl+Enter
// to save. The form works without this file.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) return;
  var $ = function (id) { return document.getElementById(id); };
  var phone = $("phone"), name = $("name"), area = $("area"), category = $("category"), kind = $("kind");
  var agency = $("agency"), content = $("content"), count = $("content-count"), hint = $("agency-suggest");
  var history = $("caller-history");

  // --- Keyboard: Ctrl+Enter saves, Ctrl+Shift+Enter saves and starts the
  // next call; Enter in a one-line field never submits half a form. --------
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") return;
    if (e.ctrlKey || e.metaKey) {
      e.preventDefault();
      var b = $(e.shiftKey ? "save-another" : "save");
      if (form.requestSubmit) form.requestSubmit(b); else b.click();
      return;
    }
    if (e.target.tagName === "INPUT") {
      e.preventDefault();
      if (e.target === area) takeWard();
    }
  });

  // --- Ward: Tab or Enter takes the highlighted (or first) suggestion. ----
  function takeWard() {
    var list = $("area-list");
    if (!list || list.hidden || !list.children.length) return;
    var li = list.querySelector('[aria-selected="true"]') || list.children[0];
    li.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
  }
  if (area) area.addEventListener("keydown", function (e) { if (e.key === "Tab" && !e.shiftKey) takeWard(); });

  // --- Live character count ---------------------------------------------
  function recount() {
    if (!content || !count) return;
    var n = Array.from(content.value.normalize("NFC").trim()).length, max = +count.dataset.max;
    var local = n.toLocaleString(document.documentElement.lang === "en" ? "en-US" : "vi-VN");
    count.textContent = count.dataset.template.replace("{count}", local);
    count.classList.toggle("over", n > max);
  }
  if (content) { content.addEventListener("input", recount); recount(); }

  // --- Kind follows the category's default until the operator picks one --
  var kindTouched = false;
  if (kind) kind.addEventListener("change", function () { kindTouched = true; });
  // --- Agency follows the routing suggestion until the operator picks one -
  var agencyTouched = agency && agency.value !== "";
  if (agency) agency.addEventListener("change", function () { agencyTouched = true; });

  var suggestSeq = 0;
  function suggest() {
    var code = form.querySelector("input[data-ward-code]"), w = code ? code.value.trim() : area ? area.value.trim() : "";
    var cat = category ? category.value : "", ward = /^\d+$/.test(w) ? w : "";
    if (!cat && !ward) { hint.textContent = ""; return; }
    var seq = ++suggestSeq;
    fetch("/console/new/suggest?" + new URLSearchParams({ category: cat, area: ward }), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (s) {
        if (seq !== suggestSeq) return;
        if (!s.agency) { hint.textContent = ""; return; }
        hint.textContent = hint.dataset.label + ": " + (s.name || s.agency) + (s.auto && cat && ward ? ". " + hint.dataset.auto : "");
        if (!agencyTouched) agency.value = s.agency;
      })
      .catch(function () {});
  }
  if (category) category.addEventListener("change", function () {
    var opt = category.options[category.selectedIndex];
    if (!kindTouched && opt && opt.dataset.kind) kind.value = opt.dataset.kind;
    suggest();
  });
  if (area) area.addEventListener("change", suggest);
  if (category && category.value && area && area.value) suggest();

  // --- The caller's earlier reports, as the number is typed --------------
  var timer, lookupSeq = 0, filledName = "";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function say(text) {
    history.textContent = "";
    history.appendChild(el("p", "muted", text));
  }
  function show(h) {
    history.textContent = "";
    if (!h.valid) { say(history.dataset.invalid); return; }
    if (h.name) {
      history.appendChild(el("p", "caller-name", history.dataset.known.replace("{name}", h.name)));
      // Offer the known name; the operator can still change it.
      if (name && (name.value === "" || name.value === filledName)) { name.value = h.name; filledName = h.name; }
    } else if (name && filledName && name.value === filledName) {
      name.value = ""; filledName = "";
    }
    if (!h.tickets.length) { history.appendChild(el("p", "muted", history.dataset.none)); return; }
    var ul = el("ul", "caller-list");
    h.tickets.forEach(function (t) {
      var li = el("li"), a = el("a", "tcode", t.code);
      a.href = t.url;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "state st-" + t.state, t.state_label));
      li.appendChild(el("span", "title", t.title));
      li.appendChild(el("span", "meta", t.date + (t.agency ? " · " + t.agency : "")));
      ul.appendChild(li);
    });
    history.appendChild(ul);
    if (h.all) { var more = el("a", "", history.dataset.all); more.href = h.all; var p = el("p"); p.appendChild(more); history.appendChild(p); }
  }
  function lookup() {
    var v = phone.value, digits = v.replace(/\D/g, "");
    clearTimeout(timer);
    if (digits.length < 9) {
      lookupSeq++;
      say(history.dataset.hint);
      return;
    }
    timer = setTimeout(function () {
      var seq = ++lookupSeq;
      fetch("/console/new/caller?" + new URLSearchParams({ phone: v }), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (h) { if (h && seq === lookupSeq) show(h); })
        .catch(function () {});
    }, 350);
  }
  if (phone && history) {
    phone.addEventListener("input", lookup);
    if (phone.value) lookup();
  }
})();
