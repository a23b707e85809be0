// hotline console: small enhancements on server-rendered pages. Every page
// works without this file; it adds live updates, SLA countdowns, keyboard
// shortcuts and the ward picker.
(function () {
  "use strict";
  var csrf = document.body.dataset.csrf || "";

  // --- SLA countdowns -------------------------------------------------------
  function fmt(ms) {
    var m = Math.floor(Math.abs(ms) / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    // The unit words are the server's (i18n.DurationUnits), as in the page.
    var w = (document.body.dataset.units || "ngày|giờ|phút|dưới 1 phút").split("|");
    var u = { d: " " + w[0], h: " " + w[1], m: " " + w[2], lt: w[3] };
    if (m < 1) return u.lt;
    if (d > 0) return d + u.d + (h ? " " + h + u.h : "");
    if (h > 0) return h + u.h + (mm ? " " + mm + u.m : "");
    return mm + u.m;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".sla[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now, span = el.querySelector(".sla-left");
      if (!span) return;
      // The phrases come from the catalogue (the layout's data-sla-*).
      var phrase = (left >= 0 ? document.body.dataset.slaLeft : document.body.dataset.slaLate) || "{duration}";
      span.textContent = phrase.replace("{duration}", fmt(left));
      if (left < 0 && !el.classList.contains("sla-overdue")) {
        el.className = "sla sla-overdue";
        var label = el.querySelector(".sla-label");
        if (label) label.textContent = document.body.dataset.slaOverdue || label.textContent;
      }
    });
  }
  tick();
  setInterval(tick, 30000);

  // --- Filters fold away on a phone unless one is in use --------------------
  var box = document.querySelector("details.filter-box");
  if (box && window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    var used = Array.prototype.some.call(box.querySelectorAll("input:not([type=hidden]), select"), function (el) {
      return el.type === "checkbox" ? el.checked : el.value !== "";
    });
    if (!used) box.open = false;
  }

  // --- Live inbox -----------------------------------------------------------
  var table = document.getElementById("inbox");
  var announce = document.getElementById("live-status");
  function refreshRow(id, isNew) {
    var q = table.dataset.query || "";
    fetch("/console/rows/" + id + (q ? "?" + q : ""), { credentials: "same-origin" }).then(function (res) {
      var body = table.tBodies[0], old = body.querySelector('tr[data-id="' + id + '"]');
      if (res.status === 204) { if (old) old.remove(); return; }
      if (!res.ok) return;
      return res.text().then(function (html) {
        var tmp = document.createElement("tbody");
        tmp.innerHTML = html.trim();
        var row = tmp.querySelector("tr");
        if (!row) return;
        row.classList.add("fresh");
        if (old) old.replaceWith(row); else body.insertBefore(row, body.firstChild);
        var empty = document.querySelector("p.empty");
        if (empty) empty.remove();
        if (isNew && announce) announce.textContent = row.querySelector(".code").textContent;
        tick();
      });
    });
  }
  // The header's unread count, raised live when a notification arrives.
  var notices = document.getElementById("notices");
  if (window.EventSource && (table || notices || document.body.dataset.ticket || document.body.dataset.pop)) {
    var es = new EventSource("/console/events");
    es.addEventListener("notification", function (ev) {
      if (!notices) return;
      var n = (parseInt(notices.dataset.unread, 10) || 0) + 1;
      notices.dataset.unread = String(n);
      var badge = notices.querySelector("[data-count]");
      badge.querySelector("[data-n]").textContent = n >= 100 ? "99+" : n.toLocaleString(document.documentElement.lang);
      badge.hidden = false;
      var status = document.getElementById("live-status");
      if (status) status.textContent = notices.dataset.new;
      document.dispatchEvent(new CustomEvent("hotline:notification", { detail: JSON.parse(ev.data) }));
    });
    es.addEventListener("ticket", function (ev) {
      var e = JSON.parse(ev.data);
      if (table && table.dataset.live) refreshRow(e.ticket_id, e.action === "receive");
      else if (table && e.action === "receive") { var b = document.getElementById("live-banner"); if (b) b.hidden = false; }
      document.dispatchEvent(new CustomEvent("hotline:ticket", { detail: e }));
    });
    // A call ringing for this user: calls.js pops it up.
    es.addEventListener("call", function (ev) {
      document.dispatchEvent(new CustomEvent("hotline:call", { detail: JSON.parse(ev.data) }));
    });
    es.addEventListener("presence", function (ev) {
      document.dispatchEvent(new CustomEvent("hotline:presence", { detail: JSON.parse(ev.data) }));
    });
  }

  // --- Keyboard -------------------------------------------------------------
  var rows = function () { return table ? Array.prototype.slice.call(table.tBodies[0].rows) : []; };
  var cur = -1;
  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable;
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "/") {
      var q = document.getElementById("q");
      if (q) {
        e.preventDefault();
        var det = q.closest("details");
        if (det) det.open = true;
        q.focus();
      }
    }
    else if (e.key === "n" && document.querySelector('a[href="/console/new"]')) { location.href = "/console/new"; }
    else if ((e.key === "j" || e.key === "k") && table) {
      var r = rows(); if (!r.length) return;
      if (cur >= 0 && r[cur]) r[cur].classList.remove("kbd-focus");
      cur = Math.max(0, Math.min(r.length - 1, cur + (e.key === "j" ? 1 : -1)));
      r[cur].classList.add("kbd-focus"); r[cur].querySelector("a").focus();
    }
  });

  // --- Ward picker: searches without diacritics via the API ----------------
  document.querySelectorAll("input[data-ward-picker]").forEach(function (input) {
    var wrap = document.createElement("div"); wrap.className = "picker";
    input.parentNode.insertBefore(wrap, input); wrap.appendChild(input);
    var list = document.createElement("ul"); list.className = "picker-list"; list.hidden = true; list.setAttribute("role", "listbox");
    list.id = input.id + "-list"; wrap.appendChild(list);
    input.setAttribute("role", "combobox"); input.setAttribute("aria-controls", list.id); input.setAttribute("aria-expanded", "false");
    var label = document.getElementById(input.id + "-name");
    // The form sends the ward's code from a hidden field; the box shows
    // the ward's name once one is chosen. A name typed without choosing
    // goes as typed, and the server looks it up.
    var code = document.createElement("input"); code.type = "hidden"; code.name = input.name; code.value = input.value;
    code.setAttribute("data-ward-code", ""); input.removeAttribute("name"); wrap.appendChild(code);
    function nameOf(a) { return a.full_name + (a.province ? ", " + a.province : ""); }
    if (/^\d+$/.test(input.value) && label && label.textContent.trim()) input.value = label.textContent.trim();
    var timer, sel = -1, items = [];
    function choose(a) {
      code.value = a.code; input.value = nameOf(a); list.hidden = true; input.setAttribute("aria-expanded", "false");
      if (label) label.textContent = nameOf(a);
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function show(found) {
      items = found; sel = -1; list.innerHTML = "";
      found.forEach(function (a, i) {
        var li = document.createElement("li"); li.setAttribute("role", "option"); li.id = list.id + "-" + i;
        li.textContent = a.full_name + (a.province ? ", " + a.province : "") + " (" + a.code + ")";
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(a); });
        list.appendChild(li);
      });
      list.hidden = !found.length; input.setAttribute("aria-expanded", String(!!found.length));
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      code.value = q;
      if (label) label.textContent = "";
      if (q.length < 2 || /^\d+$/.test(q)) { show([]); return; }
      timer = setTimeout(function () {
        fetch("/api/v1/areas?limit=12&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { areas: [] }; })
          .then(function (d) { show(d.areas || []); });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        sel = Math.max(0, Math.min(items.length - 1, sel + (e.key === "ArrowDown" ? 1 : -1)));
        Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", String(i === sel)); });
        input.setAttribute("aria-activedescendant", list.id + "-" + sel);
      } else if (e.key === "Enter" && sel >= 0) { e.preventDefault(); choose(items[sel]); }
      else if (e.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
  });

  // Expose the CSRF token for the console's own fetch calls.
  window.hotline = { csrf: csrf, tick: tick };
})();
