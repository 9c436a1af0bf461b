"""Email messages (fr)."""

# French typography puts a non-breaking space (\u00a0) before ":".
MESSAGES: dict[str, str] = {
    "mail.greeting": "Bonjour {name},",
    "mail.greeting_anonymous": "Bonjour,",
    "mail.signoff": "Bien cordialement,",
    "mail.button_fallback": (
        "Si le bouton ne fonctionne pas, veuillez copier ce lien dans la barre d’adresse "
        "de votre navigateur\u00a0:"
    ),
    "mail.footer": "Cet e-mail a été envoyé automatiquement par le portail client de {firm_name}.",
    "mail.password_reset.subject": "Réinitialisation de votre mot de passe – portail client de {firm_name}",
    "mail.password_reset.intro": (
        "Nous avons reçu une demande de réinitialisation du mot de passe de votre accès "
        "au portail client de {firm_name}."
    ),
    "mail.password_reset.action": "Vous pouvez définir un nouveau mot de passe à l’aide du lien suivant\u00a0:",
    "mail.password_reset.button": "Définir un nouveau mot de passe",
    "mail.password_reset.validity": "Ce lien est valable {minutes}\u00a0minutes.",
    "mail.password_reset.ignore": (
        "Si vous n’êtes pas à l’origine de cette demande, vous pouvez ignorer cet e-mail. "
        "Votre mot de passe actuel reste inchangé."
    ),
    'mail.talk_batch.subject': '{firm_name} : nouveaux messages sur votre portail client',
    'mail.talk_batch.intro': '{firm_name} vous a écrit sur le portail client. Messages non lus : {count}.',
    'mail.talk_batch.action': 'Veuillez ouvrir le portail pour répondre ou déposer des justificatifs :',
    'mail.talk_batch.button': 'Ouvrir le portail client',
    'mail.client_messages.subject': 'Du nouveau de vos clients ({total})',
    'mail.client_messages.intro': 'des messages de clients non lus vous attendent sur le portail client de {firm_name} : {count}.',
    'mail.client_messages.line': '{client} : {count} non lu(s)',
    'mail.client_messages.action': 'La boîte de réception montre ce qui attend votre réponse :',
    'mail.client_messages.button': 'Ouvrir la boîte de réception',
    'mail.client_messages.settings': 'Vous pouvez désactiver ces avis dans votre profil.',
    'mail.talk_batch.documents': 'Nouveaux documents pour vous : {documents}. Vous les trouverez après connexion sous « Documents ».',
    'mail.client_messages.intro_documents': 'Des clients ont déposé de nouveaux documents : {documents}.',
    'mail.client_messages.line_documents': '{client} – nouveaux documents : {documents}',
    'mail.upload_request.subject': '{firm_name} vous demande des fichiers',
    'mail.upload_request.intro': '{firm_name} vous invite à déposer des fichiers via un lien sécurisé.',
    'mail.upload_request.message': 'Message de {firm_name} :',
    'mail.upload_request.action': 'Le bouton vous mène à la page de dépôt. Aucun compte ni mot de passe n’est nécessaire.',
    'mail.upload_request.button': 'Déposer des fichiers',
    'mail.upload_request.validity': 'Le lien est valable jusqu’au {date} inclus.',
    'mail.upload_request.privacy': 'Ce lien permet uniquement d’envoyer des fichiers ; il ne donne accès à aucun document. Si vous n’attendiez pas cet e-mail, vous pouvez l’ignorer.',
    'mail.digest.subject': 'Votre récapitulatif clients du {date}',
    'mail.digest.intro': 'voici votre récapitulatif du portail client de {firm_name}. Clients avec des points en suspens : {count}.',
    'mail.digest.open_questions': 'Questions en suspens : {count}',
    'mail.digest.missing_receipts': 'Justificatifs manquants : {count}',
    'mail.digest.export_ready': 'Prêtes à exporter : {count}',
    'mail.digest.unanswered': 'En attente de votre réponse : {count}',
    'mail.digest.more': 'Autres clients avec des points en suspens : {count}. Vous les trouverez dans la liste des clients.',
    'mail.digest.legend': '« En attente de votre réponse » compte les questions, conversations et fichiers reçus via des demandes de fichiers dont le dernier message vient de l’extérieur du cabinet. « Prêtes à exporter » compte les écritures non encore exportées qui ont leur justificatif et aucune question en suspens.',
    'mail.digest.action': 'Tous vos clients en un coup d’œil :',
    'mail.digest.button': 'Ouvrir la liste des clients',
    'mail.digest.settings': 'Modifier la fréquence de ce récapitulatif ou le désactiver :',
    'mail.digest.settings_link': 'Accéder à votre profil',
    'mail.questionnaire.subject': '{firm_name} : merci de remplir le questionnaire « {title} »',
    'mail.questionnaire.intro': '{sender} du cabinet {firm_name} vous invite à remplir un questionnaire sur le portail client :',
    'mail.questionnaire.action': 'Vos réponses sont enregistrées au fur et à mesure ; vous pouvez vous arrêter à tout moment et reprendre plus tard.',
    'mail.questionnaire.button': 'Ouvrir le questionnaire',
    'mail.questionnaire.login': 'Pour l’ouvrir, connectez-vous avec votre adresse e-mail et votre mot de passe.',
}
