"""Messages of the bookings import (German, formal). Placeholders: {line}, {column}, {value}."""

MESSAGES: dict[str, str] = {
    "import.not_text": "Die Datei ist keine Textdatei. Bitte speichern Sie die Tabelle in Excel als "
                       "„CSV (Trennzeichen-getrennt)“ und laden Sie diese Datei hoch.",
    "import.no_rows": "Die Datei enthält keine Buchungen.",
    "import.missing_column": "Zeile {line}: Die Spalte „{column}“ fehlt. Erkannt werden diese "
                             "Überschriften: {value}.",
    "import.wrong_field_count": "Zeile {line} hat nicht so viele Felder wie die Überschriftszeile "
                                "(gefunden/erwartet: {value}). Bitte prüfen Sie Trennzeichen und "
                                "Anführungszeichen.",
    "import.bad_quotes": "Zeile {line}: Ein Anführungszeichen wird nicht geschlossen. Ab hier kann "
                         "die Datei nicht gelesen werden.",
    "import.empty_value": "Zeile {line}: Die Spalte „{column}“ ist leer.",
    "import.bad_date": "Zeile {line}, Spalte „{column}“: „{value}“ ist kein gültiges Datum.",
    "import.bad_amount": "Zeile {line}, Spalte „{column}“: „{value}“ ist kein gültiger Betrag "
                         "(Beispiel: -1.234,56).",
    "import.amount_too_large": "Zeile {line}, Spalte „{column}“: Der Betrag „{value}“ ist zu groß.",
    "import.bad_currency": "Zeile {line}, Spalte „{column}“: „{value}“ ist kein Währungscode aus "
                           "drei Buchstaben (Beispiel: EUR).",
    "import.bad_ledger": "Zeile {line}, Spalte „{column}“: „{value}“ ist kein bekannter Belegkreis. "
                         "Möglich sind Lieferanten, Kunden, Bank und Sonstige.",
    "import.bad_flag": "Zeile {line}, Spalte „{column}“: Bitte geben Sie „ja“ oder „nein“ an "
                       "statt „{value}“.",
    "import.too_long": "Zeile {line}, Spalte „{column}“: Der Text ist zu lang (Gegenpartei "
                       "höchstens 200, Buchungstext höchstens 500 Zeichen).",
    "import.too_many_problems": "Mehr als {value} Probleme gefunden; die Prüfung endet in Zeile "
                                "{line}. Bitte korrigieren Sie zuerst diese Punkte.",
    "import.datev_not_buchungsstapel": "Die DATEV-Datei ist kein Buchungsstapel (Formatkategorie "
                                       "„{value}“ statt 21).",
    "import.datev_bad_header": "Zeile {line}: Das Feld „{column}“ im DATEV-Kopf ist ungültig: "
                               "„{value}“.",
    "import.datev_bad_debit_credit": "Zeile {line}, Spalte „{column}“: „{value}“ ist kein "
                                     "Soll/Haben-Kennzeichen (S oder H).",
}
