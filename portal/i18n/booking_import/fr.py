"""Messages of the bookings import (French). Placeholders: {line}, {column}, {value}."""

MESSAGES: dict[str, str] = {
    "import.not_text": "Le fichier n’est pas un fichier texte. Veuillez enregistrer le tableau "
                       "dans Excel au format « CSV (séparateur : point-virgule) » et déposer ce "
                       "fichier.",
    "import.no_rows": "Le fichier ne contient aucune écriture.",
    "import.missing_column": "Ligne {line} : la colonne « {column} » est absente. En-têtes "
                             "reconnus : {value}.",
    "import.wrong_field_count": "La ligne {line} n’a pas autant de champs que la ligne d’en-tête "
                                "(trouvés/attendus : {value}). Veuillez vérifier les séparateurs "
                                "et les guillemets.",
    "import.bad_quotes": "Ligne {line} : un guillemet n’est jamais fermé. Le fichier ne peut pas "
                         "être lu à partir d’ici.",
    "import.empty_value": "Ligne {line} : la colonne « {column} » est vide.",
    "import.bad_date": "Ligne {line}, colonne « {column} » : « {value} » n’est pas une date "
                       "valide.",
    "import.bad_amount": "Ligne {line}, colonne « {column} » : « {value} » n’est pas un montant "
                         "valide (exemple : -1.234,56).",
    "import.amount_too_large": "Ligne {line}, colonne « {column} » : le montant « {value} » est "
                               "trop élevé.",
    "import.bad_currency": "Ligne {line}, colonne « {column} » : « {value} » n’est pas un code "
                           "de devise à trois lettres (exemple : EUR).",
    "import.bad_ledger": "Ligne {line}, colonne « {column} » : « {value} » n’est pas un journal "
                         "connu. Valeurs possibles : fournisseurs, clients, banque et autres.",
    "import.bad_flag": "Ligne {line}, colonne « {column} » : veuillez indiquer « oui » ou « non » "
                       "au lieu de « {value} ».",
    "import.too_long": "Ligne {line}, colonne « {column} » : le texte est trop long (tiers : "
                       "200 caractères au plus, libellé : 500 caractères au plus).",
    "import.too_many_problems": "Plus de {value} problèmes trouvés ; la vérification s’arrête à "
                                "la ligne {line}. Veuillez d’abord corriger ces points.",
    "import.datev_not_buchungsstapel": "Le fichier DATEV n’est pas un lot d’écritures "
                                       "(catégorie de format « {value} » au lieu de 21).",
    "import.datev_bad_header": "Ligne {line} : le champ « {column} » de l’en-tête DATEV n’est "
                               "pas valide : « {value} ».",
    "import.datev_bad_debit_credit": "Ligne {line}, colonne « {column} » : « {value} » n’est pas "
                                     "un indicateur débit/crédit (S ou H).",
}
