"""Invented demo people and organisations: never real persons or institutions."""

from __future__ import annotations

#: Three invented contact points per Member State: (given_name, family_name, language).
#: Common given names and common family names combined at random, in the country's
#: own script and orthography; any likeness to a real person is accidental.
DEMO_PEOPLE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "BE": (("Lotte", "Peeters", "nl"), ("Julien", "Dubois", "fr"), ("Sofie", "Claes", "nl")),
    "BG": (("Милена", "Христова", "bg"), ("Стефан", "Ангелов", "bg"), ("Ралица", "Илиева", "bg")),
    "CZ": (("Tereza", "Horáková", "cs"), ("Ondřej", "Veselý", "cs"), ("Lenka", "Marešová", "cs")),
    "DK": (("Ida", "Mikkelsen", "da"), ("Søren", "Kjær", "da"), ("Signe", "Østergaard", "da")),
    "DE": (("Anna", "Becker", "de"), ("Jonas", "Hoffmann", "de"), ("Sabine", "Krüger", "de")),
    "EE": (("Maria", "Tamm", "et"), ("Andres", "Saar", "et"), ("Liis", "Kask", "et")),
    "IE": (("Aoife", "Byrne", "en"), ("Ciarán", "Ó Súilleabháin", "ga"), ("Niamh", "Kelly", "en")),
    "EL": (
        ("Ελένη", "Παπαδοπούλου", "el"),
        ("Νίκος", "Αντωνίου", "el"),
        ("Κατερίνα", "Γεωργίου", "el"),
    ),
    "ES": (("Lucía", "Fernández", "es"), ("Pablo", "Navarro", "es"), ("Marta", "Gil", "es")),
    "FR": (("Camille", "Martin", "fr"), ("Nicolas", "Bernard", "fr"), ("Élodie", "Moreau", "fr")),
    "HR": (("Ana", "Perić", "hr"), ("Krešimir", "Lovrić", "hr"), ("Ivana", "Matijević", "hr")),
    "IT": (("Giulia", "Ricci", "it"), ("Matteo", "Greco", "it"), ("Chiara", "Marino", "it")),
    "CY": (("Άντρια", "Ιωάννου", "el"), ("Μάριος", "Σάββα", "el"), ("Στέλλα", "Χαραλάμπους", "el")),
    "LV": (("Ilze", "Bērziņa", "lv"), ("Kristaps", "Ozoliņš", "lv"), ("Līga", "Liepiņa", "lv")),
    "LT": (
        ("Rūta", "Kazlauskienė", "lt"),
        ("Mantas", "Petrauskas", "lt"),
        ("Eglė", "Jankauskaitė", "lt"),
    ),
    "LU": (("Claire", "Schmit", "fr"), ("Marc", "Weber", "de"), ("Sandra", "Muller", "fr")),
    "HU": (("Eszter", "Nagy", "hu"), ("Balázs", "Tóth", "hu"), ("Zsófia", "Kovács", "hu")),
    "MT": (("Marija", "Zammit", "mt"), ("Ġorġ", "Farrugia", "mt"), ("Daniela", "Camilleri", "en")),
    "NL": (("Sanne", "de Vries", "nl"), ("Thijs", "Jansen", "nl"), ("Femke", "Visser", "nl")),
    "AT": (("Katharina", "Gruber", "de"), ("Lukas", "Huber", "de"), ("Verena", "Pichler", "de")),
    "PL": (
        ("Agnieszka", "Wiśniewska", "pl"),
        ("Michał", "Zieliński", "pl"),
        ("Joanna", "Kaczmarek", "pl"),
    ),
    "PT": (("Inês", "Ferreira", "pt"), ("Duarte", "Martins", "pt"), ("Beatriz", "Sousa", "pt")),
    "RO": (
        ("Andreea", "Popescu", "ro"),
        ("Bogdan", "Stănescu", "ro"),
        ("Ștefania", "Munteanu", "ro"),
    ),
    "SI": (("Nina", "Kovač", "sl"), ("Matej", "Novak", "sl"), ("Špela", "Horvat", "sl")),
    "SK": (("Zuzana", "Kováčová", "sk"), ("Peter", "Baláž", "sk"), ("Katarína", "Vargová", "sk")),
    "FI": (
        ("Aino", "Virtanen", "fi"),
        ("Ville", "Heikkinen", "fi"),
        ("Johanna", "Lindqvist", "sv"),
    ),
    "SE": (("Elin", "Johansson", "sv"), ("Oskar", "Lindberg", "sv"), ("Karin", "Nyström", "sv")),
}

#: Two invented cultural institutions per Member State (English names, fictitious).
DEMO_ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "BE": ("Flemish Foundation for Scanned Collections", "Meuse Valley Heritage Twin Lab"),
    "BG": ("Bulgarian Foundation for Heritage Modelling", "Rhodope Heritage Twin Lab"),
    "CZ": ("Bohemian Foundation for 3D Heritage", "Vltava Valley Scanning Workshop"),
    "DK": ("Danish Foundation for Heritage Scanning", "Limfjord Heritage Twin Lab"),
    "DE": ("German Foundation for Scanned Collections", "Upper Rhine Heritage Twin Lab"),
    "EE": ("Estonian Foundation for Scanned Collections", "Lake Peipus Heritage Twin Lab"),
    "IE": ("Irish Foundation for Heritage Imaging", "Shannon Estuary Scanning Workshop"),
    "EL": ("Hellenic Foundation for Monument Modelling", "Aegean Islands Heritage Twin Lab"),
    "ES": ("Spanish Foundation for Scanned Collections", "Ebro Valley Heritage Twin Lab"),
    "FR": ("French Foundation for Heritage Scanning", "Loire Valley Scanning Workshop"),
    "HR": ("Croatian Foundation for Heritage Modelling", "Kvarner Coast Heritage Twin Lab"),
    "IT": ("Italian Foundation for Scanned Collections", "Apennine Heritage Twin Lab"),
    "CY": ("Cypriot Foundation for Digital Antiquities", "Troodos Heritage Twin Lab"),
    "LV": ("Latvian Foundation for 3D Heritage", "Daugava Valley Scanning Workshop"),
    "LT": ("Lithuanian Foundation for Heritage Scanning", "Nemunas Delta Heritage Twin Lab"),
    "LU": ("Luxembourg Foundation for Heritage Modelling", "Moselle Valley Heritage Twin Lab"),
    "HU": ("Hungarian Foundation for Scanned Collections", "Danube Bend Heritage Twin Lab"),
    "MT": ("Maltese Foundation for Digital Megaliths", "Grand Harbour Scanning Workshop"),
    "NL": ("Dutch Foundation for Heritage Scanning", "Wadden Coast Heritage Twin Lab"),
    "AT": ("Austrian Foundation for 3D Heritage", "Danube Valley Scanning Workshop"),
    "PL": ("Polish Foundation for Scanned Collections", "Vistula Valley Heritage Twin Lab"),
    "PT": ("Portuguese Foundation for Heritage Modelling", "Douro Valley Heritage Twin Lab"),
    "RO": ("Romanian Foundation for 3D Heritage", "Carpathian Heritage Twin Lab"),
    "SI": ("Slovenian Foundation for Heritage Scanning", "Soča Valley Scanning Workshop"),
    "SK": ("Slovak Foundation for Heritage Modelling", "Váh Valley Heritage Twin Lab"),
    "FI": ("Finnish Foundation for Scanned Collections", "Lake Saimaa Heritage Twin Lab"),
    "SE": ("Swedish Foundation for Heritage Scanning", "Lake Vättern Heritage Twin Lab"),
}
