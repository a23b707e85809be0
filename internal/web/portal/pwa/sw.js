// The portal's service worker: the portal's pages and style work offline
// as last seen. Pages are fetched from the network first and kept; when
// the network is gone, the kept copy of the page (or of the home page) is
// shown. Forms are never replayed: a POST goes to the network or fails,
// and the server's idempotency key makes a retried report one ticket.
// The console and the API are left alone.
const CACHE = "hotline-portal-v1";
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
      .catch(() => caches.match(req).then((hit) => hit || caches.match("/"))),
  );
});
