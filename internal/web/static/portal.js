// The portal works without this file: it installs the service worker
// that keeps the portal's pages for offline reading, and queues a report
// sent offline (below).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}

// A long <select data-filter="…"> (the wards) gets a box above it that
// narrows its options as one types, with or without diacritics
// ("thu dau" finds "Thủ Dầu Một"). Without script the whole list stays.
function filterSelects() {
  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  document.querySelectorAll("select[data-filter]:not([data-filtered])").forEach((select) => {
    select.dataset.filtered = "1";
    const all = Array.from(select.options).map((o) => ({ o, text: fold(o.text) }));
    const box = document.createElement("input");
    box.type = "search";
    box.id = select.id + "-filter";
    box.className = "filter";
    box.placeholder = select.dataset.filter;
    box.setAttribute("aria-label", select.dataset.filter);
    box.setAttribute("aria-controls", select.id);
    select.before(box);
    box.addEventListener("input", () => {
      const words = fold(box.value).split(/\s+/).filter(Boolean);
      const was = select.value;
      const keep = all.filter(({ o, text }) => o.value === "" || words.every((w) => text.includes(w)));
      select.replaceChildren(...keep.map(({ o }) => o));
      const found = keep.filter(({ o }) => o.value !== "");
      // One ward left: it is the one; otherwise keep the choice if still listed.
      select.value = found.length === 1 ? found[0].o.value : found.some(({ o }) => o.value === was) ? was : "";
    });
  });
}
filterSelects();

// The offline queue. A report sent while the phone is offline is kept on
// the phone (IndexedDB, files included) and sent when it is back online:
// at the "online" event and at the next visit to any portal page. Each
// report keeps the idempotency key of its form, so sending it again (two
// tabs, a lost answer) makes one ticket. Without script, or online, the
// form is posted as usual.
(function () {
  if (!("indexedDB" in window) || !window.FormData || !window.DOMParser) return;
  const STORE = "reports";
  const notice = () => document.getElementById("offline-queue");
  const say = (key, code) => {
    const p = notice();
    if (!p) return;
    p.textContent = p.dataset[key].replace("{code}", code || "");
    if (code) {
      const a = document.createElement("a");
      a.href = "/track?code=" + encodeURIComponent(code);
      a.textContent = p.dataset.track;
      p.append(" ", a);
    }
    p.hidden = false;
  };
  const newKey = () => {
    const b = new Uint8Array(18);
    crypto.getRandomValues(b);
    return "pwa-" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  };
  const db = () => new Promise((resolve, reject) => {
    const req = indexedDB.open("hotline-portal", 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const tx = (mode, fn) => db().then((d) => new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => { d.close(); resolve(req.result); };
    t.onerror = t.onabort = () => { d.close(); reject(t.error); };
  }));
  const all = () => tx("readonly", (s) => s.getAll());
  const drop = (key) => tx("readwrite", (s) => s.delete(key));
  const parse = (html) => new DOMParser().parseFromString(html, "text/html");

  // send posts one queued report with a fresh form token (the one it was
  // drafted with may be from another visit). It reports whether the
  // report left the queue.
  async function send(item) {
    const form = parse(await (await fetch("/submit", { cache: "no-store", credentials: "same-origin" })).text());
    const csrf = form.querySelector('input[name="csrf"]');
    if (!csrf) return false;
    const body = new FormData();
    for (const [k, v] of item.entries) body.append(k, k === "csrf" ? csrf.value : v);
    const res = await fetch("/submit", { method: "POST", body, credentials: "same-origin" });
    if (res.status === 429 || res.status >= 500) return false; // later
    const answer = parse(await res.text());
    await drop(item.key);
    const code = answer.getElementById("tracking-code");
    if (res.ok && code) {
      say("sent", code.textContent.trim());
      return true;
    }
    // Refused for good (a field to correct): the form comes back as the
    // server answered it, with the fields as typed and the errors beside them.
    const main = answer.querySelector("main");
    if (main) {
      document.querySelector("main").replaceWith(main);
      history.replaceState(null, "", "/submit");
      setup();
      filterSelects();
      say("refused");
    }
    return true;
  }

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    try {
      for (const item of await all()) {
        if (!navigator.onLine || !(await send(item).catch(() => false))) break;
      }
    } finally {
      flushing = false;
    }
  }
  // One tab sends at a time; the keys make a second sending harmless anyway.
  const flushOnce = () => (navigator.locks ? navigator.locks.request("hotline-portal-queue", flush) : flush()).catch(() => {});

  function setup() {
    const form = document.querySelector("form[data-offline-queue]");
    if (!form || form.dataset.queueReady) return;
    form.dataset.queueReady = "1";
    form.addEventListener("submit", (ev) => {
      if (navigator.onLine) return; // the browser posts it
      ev.preventDefault();
      const entries = [];
      for (const [k, v] of new FormData(form)) {
        if (v instanceof File && v.size === 0 && v.name === "") continue; // no file chosen
        entries.push([k, v]);
      }
      all().then((items) => {
        // A page kept from an earlier visit may carry a key already queued.
        let key = form.elements.key.value;
        if (!key || items.some((i) => i.key === key)) key = newKey();
        for (const e of entries) if (e[0] === "key") e[1] = key;
        if (!entries.some((e) => e[0] === "key")) entries.push(["key", key]);
        return tx("readwrite", (s) => s.put({ key, entries, at: Date.now() }));
      }).then(() => {
        form.reset();
        form.elements.key.value = newKey();
        say("queued");
        notice().scrollIntoView({ block: "center" });
      }, () => form.submit()); // no storage: let the browser try
    });
  }

  setup();
  all().then((items) => {
    if (items.length && !navigator.onLine) say("waiting");
  }).catch(() => {});
  window.addEventListener("online", flushOnce);
  flushOnce();
})();

// "Use my location" fills the form's geo point from the phone. The button
// shows only with script; without it the report goes without a point.
(function () {
  const box = document.getElementById("locate");
  if (!box || !navigator.geolocation) return;
  const status = document.getElementById("locate-status");
  box.hidden = false;
  document.getElementById("locate-button").addEventListener("click", () => {
    status.textContent = box.dataset.waiting;
    navigator.geolocation.getCurrentPosition((pos) => {
      const lat = pos.coords.latitude.toFixed(6), lng = pos.coords.longitude.toFixed(6);
      document.getElementById("lat").value = lat;
      document.getElementById("lng").value = lng;
      status.textContent = box.dataset.found.replace("{lat}", lat).replace("{lng}", lng);
    }, () => {
      status.textContent = box.dataset.denied;
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
