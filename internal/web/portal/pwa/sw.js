// The portal's service worker: the portal's pages and style work offline
// as last seen. Pages are fetched from the network first and kept; when
// the network is gone, the kept copy of the page (or of the home page) is
// shown. Forms are never replayed here: a POST goes to the network or
// fails (portal.js queues a report sent offline and sends it once back
// online), and the server's idempotency key makes a retried report one
// ticket. A kept copy of the form gets a new key, so that two reports
// drafted on it are two tickets. The console and the API are left alone.
const CACHE = "hotline-portal-v2";
const SHELL = ["/", "/submit", "/track", "/answers", "/static/portal.css", "/static/favicon.svg"];
const PORTAL = /^\/(submit|track|answers(\/\d+)?)?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (!PORTAL.test(url.pathname) && !url.pathname.startsWith("/static/")) return;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req).then((hit) => (hit && url.pathname === "/submit" ? freshKey(hit) : hit || caches.match("/")))),
  );
});

// freshKey gives the kept form with an idempotency key of its own.
function freshKey(res) {
  const b = new Uint8Array(18);
  crypto.getRandomValues(b);
  const key = "pwa-" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return res.text().then((html) => new Response(html.replace(/(name="key" value=")[^"]*"/, "$1" + key + '"'),
    { status: res.status, headers: res.headers }));
}
