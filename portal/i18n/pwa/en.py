"""Installable app (en)."""

MESSAGES: dict[str, str] = {
    "pwa.offline.title": "You are offline.",
    "pwa.offline.text": "Your messages will load when you are back online.",
    "pwa.offline.retry": "Try again",
    "pwa.update.text": "New version available",
    "pwa.update.reload": "Reload",
    "pwa.install.title": "Use as an app",
    "pwa.install.text": "Put the portal on your home screen: it opens faster and without the browser bar.",
    "pwa.install.button": "Install app",
    "pwa.install.ios": "Tap Share, then “Add to Home Screen”.",
    "pwa.install.dismiss": "Hide this hint",
}
