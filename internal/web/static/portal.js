// The portal works without this file: it only installs the service
// worker that keeps the portal's pages for offline reading.
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
}
