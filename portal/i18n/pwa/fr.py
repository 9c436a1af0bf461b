"""Installable app (fr)."""

MESSAGES: dict[str, str] = {
    "pwa.offline.title": "Vous êtes hors ligne.",
    "pwa.offline.text": "Vos messages se chargeront dès que vous serez de nouveau en ligne.",
    "pwa.offline.retry": "Réessayer",
    "pwa.update.text": "Nouvelle version disponible",
    "pwa.update.reload": "Recharger",
    "pwa.install.title": "Utiliser comme application",
    "pwa.install.text": "Placez le portail sur votre écran d’accueil : il s’ouvre plus vite et sans barre de navigateur.",
    "pwa.install.button": "Installer l’application",
    "pwa.install.ios": "Touchez Partager, puis « Sur l’écran d’accueil ».",
    "pwa.install.dismiss": "Masquer ce conseil",
}
