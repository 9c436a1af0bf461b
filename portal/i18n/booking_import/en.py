"""Messages of the bookings import (English). Placeholders: {line}, {column}, {value}."""

MESSAGES: dict[str, str] = {
    "import.not_text": "The file is not a text file. Please save the spreadsheet in Excel as "
                       "\"CSV (comma delimited)\" and upload that file.",
    "import.no_rows": "The file contains no bookings.",
    "import.missing_column": "Line {line}: the column \"{column}\" is missing. These headings are "
                             "recognised: {value}.",
    "import.wrong_field_count": "Line {line} does not have as many fields as the header line "
                                "(found/expected: {value}). Please check separators and quotes.",
    "import.bad_quotes": "Line {line}: a quotation mark is never closed. The file cannot be read "
                         "from here on.",
    "import.empty_value": "Line {line}: the column \"{column}\" is empty.",
    "import.bad_date": "Line {line}, column \"{column}\": \"{value}\" is not a valid date.",
    "import.bad_amount": "Line {line}, column \"{column}\": \"{value}\" is not a valid amount "
                         "(example: -1.234,56 or -1234.56).",
    "import.amount_too_large": "Line {line}, column \"{column}\": the amount \"{value}\" is too large.",
    "import.bad_currency": "Line {line}, column \"{column}\": \"{value}\" is not a three-letter "
                           "currency code (example: EUR).",
    "import.bad_ledger": "Line {line}, column \"{column}\": \"{value}\" is not a known ledger. "
                         "Possible values are suppliers, customers, bank and other.",
    "import.bad_flag": "Line {line}, column \"{column}\": please enter \"yes\" or \"no\" instead "
                       "of \"{value}\".",
    "import.too_long": "Line {line}, column \"{column}\": the text is too long (counterparty at "
                       "most 200, booking text at most 500 characters).",
    "import.too_many_problems": "More than {value} problems found; checking stopped at line "
                                "{line}. Please correct these first.",
    "import.datev_not_buchungsstapel": "The DATEV file is not a booking batch (format category "
                                       "\"{value}\" instead of 21).",
    "import.datev_bad_header": "Line {line}: the field \"{column}\" in the DATEV header is "
                               "invalid: \"{value}\".",
    "import.datev_bad_debit_credit": "Line {line}, column \"{column}\": \"{value}\" is not a "
                                     "debit/credit indicator (S or H).",
}
