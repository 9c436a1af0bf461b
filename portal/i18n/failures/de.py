"""Messages shown when a request fails (de)."""

MESSAGES: dict[str, str] = {
    'failure.unavailable.title': 'Gerade nicht erreichbar',
    'failure.unavailable.text': 'Das Portal erreicht seine Datenbank gerade nicht. Es wurde nichts gespeichert – bitte versuchen Sie es in einigen Sekunden noch einmal.',
    'failure.unexpected.title': 'Etwas ist schiefgelaufen',
    'failure.unexpected.text': 'Bitte laden Sie die Seite neu. Besteht das Problem weiter, wenden Sie sich an Ihre Kanzlei.',
}
