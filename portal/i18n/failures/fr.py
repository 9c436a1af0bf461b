"""Messages shown when a request fails (fr)."""

MESSAGES: dict[str, str] = {
    'failure.unavailable.title': 'Momentanément indisponible',
    'failure.unavailable.text': 'Le portail ne joint pas sa base de données pour le moment. Rien n’a été enregistré – veuillez réessayer dans quelques secondes.',
    'failure.unexpected.title': 'Une erreur s’est produite',
    'failure.unexpected.text': 'Veuillez recharger la page. Si le problème persiste, contactez votre cabinet.',
}
