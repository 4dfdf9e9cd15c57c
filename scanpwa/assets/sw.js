// Service worker of the Scan PWA: the app shell (page, script, styles,
// icons) works offline; API calls always go to the network.
const CACHE = "csm-scan-pwa-v1";
const SHELL = ["/scan-pwa/assets/pwa.js", "/scan-pwa/assets/app.css", "/scan-pwa/manifest.json",
  "/scan-pwa/assets/icon-192.png", "/scan-pwa/assets/icon-512.png"];

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname === "/scan-pwa") {
    // the page: network first (fresh session state), the cached shell offline
    e.respondWith(fetch(e.request).then((r) => {
      if (r.ok && !r.redirected) {
        const copy = r.clone();
        caches.open(CACHE).then((c) => c.put("/scan-pwa", copy));
      }
      return r;
    }).catch(() => caches.match("/scan-pwa")));
    return;
  }
  if (url.pathname.startsWith("/scan-pwa/")) {
    e.respondWith(caches.match(e.request).then((hit) => hit || fetch(e.request)));
  }
});
