"""Messages shown when a request fails (fr)."""

MESSAGES: dict[str, str] = {
    'failure.unavailable.title': 'Momentanément indisponible',
    'failure.unavailable.text': 'Le portail ne joint pas sa base de données pour le moment. Rien n’a été enregistré – veuillez réessayer dans quelques secondes.',
    'failure.unexpected.title': 'Une erreur s’est produite',
    'failure.unexpected.text': 'Veuillez recharger la page. Si le problème persiste, contactez votre cabinet.',
    'upload.error.storage_full': 'L’espace de stockage du portail est plein. Le fichier n’a pas été enregistré – veuillez réessayer plus tard ou prévenir votre cabinet.',
    'upload.error.not_saved': 'Le fichier n’a pas pu être enregistré. Rien n’a été conservé – veuillez réessayer.',
    'export.error.storage_full': 'L’espace de stockage du portail est plein. L’export n’a pas été créé et aucune écriture n’a été marquée comme exportée.',
}
