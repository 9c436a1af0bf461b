/* Service worker of the portal, scope "/" (registered by pwa.js on every page).
 *
 * It makes the portal an installable app that starts fast and says so when offline,
 * and it shows Web Push notices.
 *
 * Served by portal/api/pwa.py, which replaces the VERSION value below with a digest of
 * the frontend build, this file and the offline page (see there). Every deployment that
 * changes any of them therefore serves a byte-different sw.js; the browser installs it
 * as the new worker, and its caches get new names, so nothing of the old build is kept.
 * Loaded straight from the static files (e.g. in development) it keeps the value "dev".
 *
 * Caching:
 *   - install: the app shell (SHELL below) is precached under the new version.
 *   - /assets/...: the build's hashed files, cache first (a new build has new names).
 *   - page navigations: network first; offline (or a gateway error from a reverse proxy
 *     in front of a stopped portal), the cached offline page answers.
 *   - anything else of the shell: cache first (it belongs to this version).
 *   - everything else, above all NEVER_INTERCEPT: not touched at all (respondWith is
 *     never called), so the browser talks to the server as if there were no worker.
 */
"use strict";

const VERSION = "dev";
const SHELL_CACHE = `portal-shell-${VERSION}`;
const ASSET_CACHE = `portal-assets-${VERSION}`;
const OFFLINE_PAGE = "/offline";
const SHELL = [
  OFFLINE_PAGE,
  "/manifest.webmanifest",
  "/portal.css",
  "/pwa.css",
  "/icon.svg",
  "/icon-192.png",
  "/icon-512.png",
  "/icon-maskable-512.png",
  "/apple-touch-icon.png",
];
const HASHED_ASSETS = "/assets/";

// Never answered by this worker nor stored: they carry sessions, live events, uploads
// and client files, which must always come from the server (or fail visibly).
// Each entry is a path or a path prefix ending at a "/" boundary.
// tests/unit/test_pwa.py checks that every API route of portal/routes.py is covered.
const NEVER_INTERCEPT = [
  "/_event", // Reflex websocket (and its long-polling fallback)
  "/_upload", // Reflex uploads and the files it serves
  "/_health",
  "/_all_routes",
  "/ping",
  "/auth-codespace", // Reflex, in GitHub Codespaces only
  "/auth", // login, logout, password and activation forms
  "/files", // downloads and previews of client files
  "/exports", // bookings exports
  "/t", // email links into the talk area
  "/push", // push key and subscriptions
];

function denied(path) {
  return NEVER_INTERCEPT.some((prefix) => path === prefix || path.startsWith(prefix + "/"));
}

self.addEventListener("install", (event) => {
  // No skipWaiting here: a new version waits until the page asks (the "reload" notice),
  // so an open tab never runs a mix of old page code and new worker.
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // cache: "reload" so the precache never takes a stale copy from the HTTP cache.
      await cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" })));
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const keep = new Set([SHELL_CACHE, ASSET_CACHE]);
      for (const name of await caches.keys()) {
        if (name.startsWith("portal-") && !keep.has(name)) await caches.delete(name);
      }
      // Control the open tabs now: the first visit then works offline without a reload,
      // and notificationclick can navigate them.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  // pwa.js sends this when the user clicks "reload" on the new-version notice.
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

async function cacheFirst(request, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  // Only complete, same-origin answers: an error page must not be replayed forever.
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

// Behind a reverse proxy a stopped portal answers with these instead of failing.
const GATEWAY_DOWN = [502, 503, 504];

async function offlinePage() {
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match(OFFLINE_PAGE)) || Response.error();
}

async function navigate(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    return offlinePage(); // the server is unreachable
  }
  // Any other HTTP answer (404, 410, a redirect...) is the server's word: pass it on.
  return GATEWAY_DOWN.includes(response.status) ? offlinePage() : response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || denied(url.pathname)) return;
  if (request.mode === "navigate") {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith(HASHED_ASSETS)) {
    event.respondWith(cacheFirst(request, ASSET_CACHE));
  } else if (SHELL.includes(url.pathname) && !url.search) {
    event.respondWith(cacheFirst(request, SHELL_CACHE));
  }
});

const FALLBACK_TITLE = "Kanzleiportal";

// Only paths of this portal: a payload can never send the user to another site.
function portalUrl(path) {
  const url = new URL(typeof path === "string" ? path : "/", self.location.origin);
  return url.origin === self.location.origin ? url.href : self.location.origin + "/";
}

self.addEventListener("push", (event) => {
  // Payload from portal/services/webpush.py: {title, body, url, tag}; never message text.
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = {};
  }
  const options = {
    body: data.body || "",
    icon: "/icon-192.png",
    badge: "/icon-192.png",
    data: { url: portalUrl(data.url) },
  };
  if (data.tag) {
    // One notice per thread: a newer message replaces it and still alerts.
    options.tag = data.tag;
    options.renotify = true;
  }
  event.waitUntil(self.registration.showNotification(data.title || FALLBACK_TITLE, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = portalUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const same = tabs.find((tab) => tab.url === target);
      if (same) return same.focus();
      // Reuse an open portal tab rather than piling up new ones, as mail apps do.
      const portal = tabs.find((tab) => new URL(tab.url).origin === self.location.origin);
      if (portal) {
        try {
          const moved = await portal.navigate(target);
          if (moved) return moved.focus();
        } catch (err) {
          // navigate() refuses tabs this worker does not control yet; open a new one.
        }
      }
      return self.clients.openWindow(target);
    })(),
  );
});
