"""Email messages (de)."""

MESSAGES: dict[str, str] = {
    "mail.greeting": "Guten Tag {name},",
    "mail.greeting_anonymous": "Guten Tag,",
    "mail.signoff": "Mit freundlichen Grüßen",
    "mail.button_fallback": (
        "Falls die Schaltfläche nicht funktioniert, kopieren Sie bitte diesen Link "
        "in die Adresszeile Ihres Browsers:"
    ),
    "mail.footer": "Diese E-Mail wurde automatisch über das Mandantenportal von {firm_name} versendet.",
    "mail.password_reset.subject": "Passwort zurücksetzen – Mandantenportal von {firm_name}",
    "mail.password_reset.intro": (
        "wir haben eine Anfrage erhalten, das Passwort für Ihren Zugang zum "
        "Mandantenportal von {firm_name} zurückzusetzen."
    ),
    "mail.password_reset.action": "Über den folgenden Link können Sie ein neues Passwort festlegen:",
    "mail.password_reset.button": "Neues Passwort festlegen",
    "mail.password_reset.validity": "Der Link ist {minutes} Minuten lang gültig.",
    "mail.password_reset.ignore": (
        "Falls Sie diese Anfrage nicht gestellt haben, können Sie diese E-Mail ignorieren. "
        "Ihr bisheriges Passwort bleibt dann unverändert."
    ),
    'mail.talk_batch.subject': '{firm_name}: neue Nachrichten im Mandantenportal',
    'mail.talk_batch.intro': '{firm_name} hat Ihnen im Mandantenportal geschrieben. Ungelesene Nachrichten: {count}.',
    'mail.talk_batch.action': 'Bitte öffnen Sie das Portal, um zu antworten oder Belege hochzuladen:',
    'mail.talk_batch.button': 'Zum Mandantenportal',
    'mail.client_messages.subject': 'Neues von Mandanten ({total})',
    'mail.client_messages.intro': 'im Mandantenportal von {firm_name} warten ungelesene Nachrichten von Mandanten: {count}.',
    'mail.client_messages.line': '{client}: {count} ungelesen',
    'mail.client_messages.action': 'Der Posteingang zeigt, was auf Ihre Antwort wartet:',
    'mail.client_messages.button': 'Zum Posteingang',
    'mail.client_messages.settings': 'Diese Hinweise können Sie in Ihrem Profil abschalten.',
    'mail.talk_batch.documents': 'Neue Dokumente für Sie: {documents}. Sie finden sie nach der Anmeldung unter „Dokumente“.',
    'mail.client_messages.intro_documents': 'Mandanten haben neue Dokumente hochgeladen: {documents}.',
    'mail.client_messages.line_documents': '{client} – neue Dokumente: {documents}',
    'mail.upload_request.subject': '{firm_name} bittet Sie um Dateien',
    'mail.upload_request.intro': '{firm_name} bittet Sie, Dateien über einen sicheren Link hochzuladen.',
    'mail.upload_request.message': 'Nachricht von {firm_name}:',
    'mail.upload_request.action': 'Über die Schaltfläche gelangen Sie zur Upload-Seite. Ein Konto oder Passwort brauchen Sie dafür nicht.',
    'mail.upload_request.button': 'Dateien hochladen',
    'mail.upload_request.validity': 'Der Link ist bis einschließlich {date} gültig.',
    'mail.upload_request.privacy': 'Über den Link können nur Dateien gesendet werden; Dokumente sind darüber nicht einsehbar. Falls Sie diese E-Mail nicht erwartet haben, können Sie sie ignorieren.',
    'mail.digest.subject': 'Ihre Mandanten-Zusammenfassung vom {date}',
    'mail.digest.intro': 'hier ist Ihre Zusammenfassung aus dem Mandantenportal von {firm_name}. Mandanten mit offenen Punkten: {count}.',
    'mail.digest.open_questions': 'Offene Rückfragen: {count}',
    'mail.digest.missing_receipts': 'Fehlende Belege: {count}',
    'mail.digest.export_ready': 'Exportbereit: {count}',
    'mail.digest.unanswered': 'Unbeantwortet: {count}',
    'mail.digest.more': 'Weitere Mandanten mit offenen Punkten: {count}. Sie finden sie in der Mandantenübersicht.',
    'mail.digest.legend': '„Unbeantwortet“ zählt Rückfragen, Unterhaltungen und Eingänge aus Dateianfragen, deren letzte Nachricht von außerhalb der Kanzlei kommt. „Exportbereit“ sind noch nicht exportierte Buchungen mit Beleg und ohne offene Rückfrage.',
    'mail.digest.action': 'Alle Mandanten im Überblick:',
    'mail.digest.button': 'Zur Mandantenübersicht',
    'mail.digest.settings': 'Häufigkeit ändern oder Zusammenfassungen abbestellen:',
    'mail.digest.settings_link': 'Zu Ihrem Profil',
    'mail.questionnaire.subject': '{firm_name}: Bitte füllen Sie den Fragebogen „{title}“ aus',
    'mail.questionnaire.intro': '{sender} von {firm_name} bittet Sie, im Mandantenportal einen Fragebogen auszufüllen:',
    'mail.questionnaire.action': 'Ihre Antworten werden beim Ausfüllen gespeichert; Sie können jederzeit unterbrechen und später weitermachen.',
    'mail.questionnaire.button': 'Fragebogen öffnen',
    'mail.questionnaire.login': 'Zum Öffnen melden Sie sich bitte mit Ihrer E-Mail-Adresse und Ihrem Passwort an.',
}
