/* Service worker of the portal, scope "/" (registered by push.js).
 *
 * For now it only shows Web Push notices and opens the portal when one is clicked.
 *
 * There is deliberately NO "fetch" handler: without one the browser sends every
 * request straight to the network. A later issue adds the offline app-shell cache;
 * whatever it adds must never answer these from a cache or touch them at all:
 *   /_event (Reflex websocket), /_upload, the API routes (/auth, /files, /exports,
 *   /push, /t) and downloads - they carry sessions, uploads and client files.
 */
"use strict";

const FALLBACK_TITLE = "Kanzleiportal";

self.addEventListener("install", () => {
  // Nothing to cache yet: take over at once instead of waiting for old tabs to close.
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  // Control the open tabs now, so notificationclick can navigate them.
  event.waitUntil(self.clients.claim());
});

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
    icon: "/icon.svg",
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
