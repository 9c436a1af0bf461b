"""Installable app (de)."""

MESSAGES: dict[str, str] = {
    "pwa.offline.title": "Sie sind offline.",
    "pwa.offline.text": "Ihre Nachrichten werden geladen, sobald Sie wieder online sind.",
    "pwa.offline.retry": "Erneut versuchen",
    "pwa.update.text": "Neue Version verfügbar",
    "pwa.update.reload": "Neu laden",
    "pwa.install.title": "Als App nutzen",
    "pwa.install.text": "Legen Sie das Portal auf Ihren Startbildschirm: Es öffnet sich schneller und ohne Browserleiste.",
    "pwa.install.button": "App installieren",
    "pwa.install.ios": "Tippen Sie auf Teilen und dann auf „Zum Home-Bildschirm“.",
    "pwa.install.dismiss": "Hinweis ausblenden",
}
