/* The installable app in the page: registers the service worker (sw.js), announces a
 * new version, and offers installation. Loaded from the head of every page, before
 * push.js, which reuses the registration (window.portalPwa.registration).
 *
 * The notices themselves are Reflex components (portal/components/pwa.py) so their
 * texts come from the catalogs; this script only flips classes on <html> that
 * assets/pwa.css turns into visibility:
 *   pwa-update-ready a new version is installed and waits ("Neu laden")
 *   pwa-installable  the browser offered installation (beforeinstallprompt)
 *   pwa-ios          iOS, not yet on the home screen: show the Share instructions
 *   pwa-standalone   running as the installed app: no install hints at all
 *   pwa-dismissed    the user closed the install card on the home page
 */
(function () {
  "use strict";

  var DISMISSED_KEY = "portal.install.dismissed";
  // The offline page (portal/api/pwa.py) reads it to speak the user's language.
  var LOCALE_KEY = "portal.locale";
  var installPrompt = null;
  var updating = false;

  function set(flag, on) {
    document.documentElement.classList.toggle(flag, on);
  }

  function remember(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (err) {
      // Private mode or storage switched off: the hint just comes back next time.
    }
  }

  function recall(key) {
    try {
      return localStorage.getItem(key);
    } catch (err) {
      return null;
    }
  }

  var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  // iPadOS reports itself as a Mac; only touch tells them apart.
  var ios = /iphone|ipad|ipod/i.test(navigator.userAgent) ||
    (/macintosh/i.test(navigator.userAgent) && navigator.maxTouchPoints > 1);
  set("pwa-standalone", standalone);
  set("pwa-ios", ios && !standalone);
  set("pwa-dismissed", recall(DISMISSED_KEY) === "1");

  window.addEventListener("beforeinstallprompt", function (event) {
    // Keep the browser's own mini-infobar away; the page offers the button instead.
    event.preventDefault();
    installPrompt = event;
    set("pwa-installable", true);
  });
  window.addEventListener("appinstalled", function () {
    installPrompt = null;
    set("pwa-installable", false);
  });

  async function install() {
    if (!installPrompt) return "unavailable";
    var offered = installPrompt;
    installPrompt = null;
    set("pwa-installable", false);
    await offered.prompt();
    var choice = await offered.userChoice;
    return choice.outcome;
  }

  function dismissInstall() {
    remember(DISMISSED_KEY, "1");
    set("pwa-dismissed", true);
  }

  // The notice's lang follows the session's language, which the page learns only after
  // its state has loaded (and again when the user switches): remember each change.
  new MutationObserver(function () {
    var marker = document.getElementById("pwa-update");
    var lang = marker && marker.getAttribute("lang");
    if (lang && lang !== recall(LOCALE_KEY)) remember(LOCALE_KEY, lang);
  }).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"], childList: true, subtree: true });

  var supported = window.isSecureContext && "serviceWorker" in navigator;

  function watchForUpdate(reg) {
    function waiting() {
      // Only an update counts: the very first install has no controller to replace.
      if (reg.waiting && navigator.serviceWorker.controller) set("pwa-update-ready", true);
    }
    waiting();
    reg.addEventListener("updatefound", function () {
      var worker = reg.installing;
      if (worker) worker.addEventListener("statechange", waiting);
    });
    // A tab or installed app may stay open for days: look again whenever it is shown.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") reg.update().catch(function () {});
    });
  }

  // Scope "/" so every page is controlled (the worker decides what it leaves alone).
  var registration = supported
    ? navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(
        function (reg) {
          watchForUpdate(reg);
          return reg;
        },
        function (err) {
          console.warn("Service worker registration failed", err);
          return null;
        },
      )
    : Promise.resolve(null);

  if (supported) {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      // Reload once for the update the user asked for, not when the first worker takes over.
      if (updating) window.location.reload();
    });
  }

  async function applyUpdate() {
    var reg = await registration;
    if (!reg || !reg.waiting) return window.location.reload();
    updating = true;
    set("pwa-update-ready", false);
    reg.waiting.postMessage({ type: "skip-waiting" });
  }

  window.portalPwa = {
    registration: registration,
    install: install,
    dismissInstall: dismissInstall,
    applyUpdate: applyUpdate,
  };
})();
