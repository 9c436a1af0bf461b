/* Web Push in the page: offers window.portalPush.
 *
 * Loaded from the head of every page (staff and client area), after pwa.js, whose
 * service worker registration it uses. The Reflex state
 * calls the functions below through rx.call_script and gets their result back;
 * the API paths come from portal/routes.py as arguments, never written here.
 * Every function resolves (never rejects) to a plain object the state can read:
 *   {state: "unsupported" | "denied" | "default" | "granted" | "subscribed"
 *           | "removed" | "failed", endpoint: this browser's subscription or ""}
 */
(function () {
  "use strict";

  var supported =
    window.isSecureContext &&
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window;

  // pwa.js registers the worker wherever service workers exist; push needs more than that.
  var registration = supported && window.portalPwa ? window.portalPwa.registration : Promise.resolve(null);

  // Every answer carries this browser's current subscription endpoint ("" if none),
  // so the page can tell which stored device is this one whatever happened.
  async function report(state) {
    var endpoint = "";
    try {
      var reg = supported ? await registration : null;
      var subscription = reg ? await reg.pushManager.getSubscription() : null;
      endpoint = subscription ? subscription.endpoint : "";
    } catch (err) {
      console.warn("Push subscription unreadable", err);
    }
    return { state: state, endpoint: endpoint };
  }

  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function sameKey(buffer, bytes) {
    if (!buffer) return false;
    var current = new Uint8Array(buffer);
    if (current.length !== bytes.length) return false;
    for (var i = 0; i < bytes.length; i++) if (current[i] !== bytes[i]) return false;
    return true;
  }

  async function activeRegistration() {
    // register() settles before the worker is active; pushManager.subscribe needs it active.
    return (await registration) ? navigator.serviceWorker.ready : null;
  }

  async function status() {
    if (!supported || !(await registration)) return report("unsupported");
    return report(Notification.permission);
  }

  // paths: {key: GET the VAPID public key, subscriptions: POST a subscription}.
  // Must start from a click: browsers only ask for permission after a user gesture.
  async function enable(paths) {
    if (!supported) return report("unsupported");
    try {
      var permission = await Notification.requestPermission();
      if (permission !== "granted") return report(permission);
      var reg = await activeRegistration();
      if (!reg) return report("unsupported");
      var answer = await fetch(paths.key, { credentials: "same-origin" });
      if (!answer.ok) return report("failed");
      var key = keyBytes((await answer.json()).publicKey);
      var subscription = await reg.pushManager.getSubscription();
      if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
        // Subscribed under a key the server no longer uses: start over with the current one.
        await subscription.unsubscribe();
        subscription = null;
      }
      if (!subscription) {
        subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
      }
      var stored = await fetch(paths.subscriptions, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(subscription),
      });
      return report(stored.ok ? "subscribed" : "failed");
    } catch (err) {
      console.warn("Push subscription failed", err);
      return report("failed");
    }
  }

  // url: DELETE path of the subscription; current: it is this browser's own, so the
  // browser forgets it too (otherwise "activate" would reuse a subscription nobody stores).
  async function remove(url, current) {
    try {
      var answer = await fetch(url, { method: "DELETE", credentials: "same-origin" });
      if (!answer.ok && answer.status !== 404) return report("failed");
      var reg = current && supported ? await registration : null;
      var subscription = reg ? await reg.pushManager.getSubscription() : null;
      if (subscription) await subscription.unsubscribe();
      return report("removed");
    } catch (err) {
      console.warn("Removing the push subscription failed", err);
      return report("failed");
    }
  }

  window.portalPush = { status: status, enable: enable, remove: remove };
})();
