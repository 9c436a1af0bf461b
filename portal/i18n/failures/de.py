"""Messages shown when a request fails (de)."""

MESSAGES: dict[str, str] = {
    'failure.unavailable.title': 'Gerade nicht erreichbar',
    'failure.unavailable.text': 'Das Portal erreicht seine Datenbank gerade nicht. Es wurde nichts gespeichert – bitte versuchen Sie es in einigen Sekunden noch einmal.',
    'failure.unexpected.title': 'Etwas ist schiefgelaufen',
    'failure.unexpected.text': 'Bitte laden Sie die Seite neu. Besteht das Problem weiter, wenden Sie sich an Ihre Kanzlei.',
    'upload.error.storage_full': 'Der Speicherplatz des Portals ist voll. Die Datei wurde nicht gespeichert – bitte versuchen Sie es später noch einmal oder sagen Sie Ihrer Kanzlei Bescheid.',
    'upload.error.not_saved': 'Die Datei konnte nicht gespeichert werden. Es wurde nichts abgelegt – bitte versuchen Sie es noch einmal.',
    'export.error.storage_full': 'Der Speicherplatz des Portals ist voll. Der Export wurde nicht erstellt, keine Buchung wurde als exportiert markiert.',
}
