"""Reference data on the 27 EU Member States: codes, languages, ministries, PermReps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MemberStateRef:
    """Static facts about one Member State, used to seed and check the database."""

    #: EU country code, upper case ("EL" for Greece, not "GR").
    code: str
    #: English short name as used by the EU (e.g. "Czechia", "Netherlands").
    name: str
    #: Position in EU protocol order, 1 (Belgium) to 27 (Sweden).
    protocol_order: int
    #: Official EU languages of the country, in the order listed in DOMAIN.md.
    languages: tuple[str, ...]
    #: Language letters and emails to the ministry are written in.
    correspondence_language: str
    #: English name of the ministry (or equivalent body) responsible for culture in 2025.
    ministry_name: str
    #: Postal address of that ministry in the capital, parts separated by ", " (approximate).
    ministry_address: str
    #: "Permanent Representation of <Country> to the European Union".
    permrep_name: str
    #: Brussels postal address of the Permanent Representation (approximate).
    permrep_address: str


#: The 24 official EU languages (ISO 639-1), alphabetical by code.
EU_LANGUAGES: tuple[str, ...] = (
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
)  # fmt: skip

#: The 27 Member States in EU protocol order.
#: Addresses are public institutional addresses given for letter headers; they are
#: approximate and must be checked before anything is posted on paper.
MEMBER_STATES: tuple[MemberStateRef, ...] = (
    MemberStateRef(
        code="BE",
        name="Belgium",
        protocol_order=1,
        languages=("nl", "fr", "de"),
        correspondence_language="fr",
        # Culture is a Community competence in Belgium; the French-speaking Community's
        # ministry is the usual addressee for French-language letters.
        ministry_name="Ministry of the Wallonia-Brussels Federation",
        ministry_address="Boulevard Léopold II 44, 1080 Brussels, Belgium",
        permrep_name="Permanent Representation of Belgium to the European Union",
        permrep_address="Rue de la Loi 61-63, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="BG",
        name="Bulgaria",
        protocol_order=2,
        languages=("bg",),
        correspondence_language="bg",
        ministry_name="Ministry of Culture",
        ministry_address="17 Aleksandar Stamboliyski Blvd, 1040 Sofia, Bulgaria",
        permrep_name="Permanent Representation of Bulgaria to the European Union",
        permrep_address="Square Marie-Louise 49, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="CZ",
        name="Czechia",
        protocol_order=3,
        languages=("cs",),
        correspondence_language="cs",
        ministry_name="Ministry of Culture",
        ministry_address="Maltézské náměstí 471/1, 118 11 Prague 1, Czechia",
        permrep_name="Permanent Representation of Czechia to the European Union",
        permrep_address="Rue Caroly 15, 1050 Brussels, Belgium",
    ),
    MemberStateRef(
        code="DK",
        name="Denmark",
        protocol_order=4,
        languages=("da",),
        correspondence_language="da",
        ministry_name="Ministry of Culture",
        ministry_address="Nybrogade 2, 1203 Copenhagen K, Denmark",
        permrep_name="Permanent Representation of Denmark to the European Union",
        permrep_address="Rue d'Arlon 73, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="DE",
        name="Germany",
        protocol_order=5,
        languages=("de",),
        correspondence_language="de",
        # Federal culture policy sits with the Commissioner, based at the Federal Chancellery.
        ministry_name="Federal Government Commissioner for Culture and the Media",
        ministry_address="Willy-Brandt-Straße 1, 10557 Berlin, Germany",
        permrep_name="Permanent Representation of Germany to the European Union",
        permrep_address="Rue Jacques de Lalaing 8-14, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="EE",
        name="Estonia",
        protocol_order=6,
        languages=("et",),
        correspondence_language="et",
        ministry_name="Ministry of Culture",
        ministry_address="Suur-Karja 23, 10148 Tallinn, Estonia",
        permrep_name="Permanent Representation of Estonia to the European Union",
        permrep_address="Rue Guimard 11/13, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="IE",
        name="Ireland",
        protocol_order=7,
        languages=("ga", "en"),
        correspondence_language="en",
        ministry_name="Department of Culture, Communications and Sport",
        ministry_address="23 Kildare Street, Dublin 2, D02 TD30, Ireland",
        permrep_name="Permanent Representation of Ireland to the European Union",
        permrep_address="Rue Froissart 50, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="EL",
        name="Greece",
        protocol_order=8,
        languages=("el",),
        correspondence_language="el",
        ministry_name="Hellenic Ministry of Culture",
        ministry_address="Bouboulinas 20-22, 106 82 Athens, Greece",
        permrep_name="Permanent Representation of Greece to the European Union",
        permrep_address="Rue Jacques de Lalaing 19-21, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="ES",
        name="Spain",
        protocol_order=9,
        languages=("es",),
        correspondence_language="es",
        ministry_name="Ministry of Culture",
        ministry_address="Plaza del Rey 1, 28004 Madrid, Spain",
        permrep_name="Permanent Representation of Spain to the European Union",
        permrep_address="Boulevard du Régent 52, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="FR",
        name="France",
        protocol_order=10,
        languages=("fr",),
        correspondence_language="fr",
        ministry_name="Ministry of Culture",
        ministry_address="3 rue de Valois, 75001 Paris, France",
        permrep_name="Permanent Representation of France to the European Union",
        permrep_address="Place de Louvain 14, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="HR",
        name="Croatia",
        protocol_order=11,
        languages=("hr",),
        correspondence_language="hr",
        ministry_name="Ministry of Culture and Media",
        ministry_address="Runjaninova 2, 10000 Zagreb, Croatia",
        permrep_name="Permanent Representation of Croatia to the European Union",
        permrep_address="Avenue des Arts 50, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="IT",
        name="Italy",
        protocol_order=12,
        languages=("it",),
        correspondence_language="it",
        ministry_name="Ministry of Culture",
        ministry_address="Via del Collegio Romano 27, 00186 Rome, Italy",
        permrep_name="Permanent Representation of Italy to the European Union",
        permrep_address="Rue du Marteau 5-9, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="CY",
        name="Cyprus",
        protocol_order=13,
        languages=("el",),
        correspondence_language="el",
        ministry_name="Deputy Ministry of Culture",
        ministry_address="27 Ifigeneias Street, 2007 Strovolos, Nicosia, Cyprus",
        permrep_name="Permanent Representation of Cyprus to the European Union",
        permrep_address="Avenue de Cortenbergh 61, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="LV",
        name="Latvia",
        protocol_order=14,
        languages=("lv",),
        correspondence_language="lv",
        ministry_name="Ministry of Culture",
        ministry_address="K. Valdemāra iela 11a, Riga, LV-1364, Latvia",
        permrep_name="Permanent Representation of Latvia to the European Union",
        permrep_address="Avenue des Arts 23, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="LT",
        name="Lithuania",
        protocol_order=15,
        languages=("lt",),
        correspondence_language="lt",
        ministry_name="Ministry of Culture",
        ministry_address="J. Basanavičiaus g. 5, LT-01118 Vilnius, Lithuania",
        permrep_name="Permanent Representation of Lithuania to the European Union",
        permrep_address="Rue Belliard 41-43, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="LU",
        name="Luxembourg",
        protocol_order=16,
        languages=("fr", "de"),
        correspondence_language="fr",
        ministry_name="Ministry of Culture",
        ministry_address="4 boulevard F.D. Roosevelt, L-2450 Luxembourg, Luxembourg",
        permrep_name="Permanent Representation of Luxembourg to the European Union",
        permrep_address="Avenue de Cortenbergh 75, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="HU",
        name="Hungary",
        protocol_order=17,
        languages=("hu",),
        correspondence_language="hu",
        ministry_name="Ministry of Culture and Innovation",
        ministry_address="Szalay utca 10-14, 1055 Budapest, Hungary",
        permrep_name="Permanent Representation of Hungary to the European Union",
        permrep_address="Rue de Trèves 92-98, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="MT",
        name="Malta",
        protocol_order=18,
        languages=("mt", "en"),
        correspondence_language="en",
        ministry_name="Ministry for National Heritage, the Arts and Local Government",
        ministry_address="173 St Christopher Street, Valletta VLT 2000, Malta",
        permrep_name="Permanent Representation of Malta to the European Union",
        permrep_address="Rue Archimède 25, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="NL",
        name="Netherlands",
        protocol_order=19,
        languages=("nl",),
        correspondence_language="nl",
        ministry_name="Ministry of Education, Culture and Science",
        ministry_address="Rijnstraat 50, 2515 XP The Hague, Netherlands",
        permrep_name="Permanent Representation of the Netherlands to the European Union",
        permrep_address="Avenue de Cortenbergh 4-10, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="AT",
        name="Austria",
        protocol_order=20,
        languages=("de",),
        correspondence_language="de",
        ministry_name="Federal Ministry for Housing, Arts, Culture, Media and Sport",
        ministry_address="Concordiaplatz 2, 1010 Vienna, Austria",
        permrep_name="Permanent Representation of Austria to the European Union",
        permrep_address="Avenue de Cortenbergh 30, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="PL",
        name="Poland",
        protocol_order=21,
        languages=("pl",),
        correspondence_language="pl",
        ministry_name="Ministry of Culture and National Heritage",
        ministry_address="Krakowskie Przedmieście 15/17, 00-071 Warsaw, Poland",
        permrep_name="Permanent Representation of Poland to the European Union",
        permrep_address="Rue Stévin 139, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="PT",
        name="Portugal",
        protocol_order=22,
        languages=("pt",),
        correspondence_language="pt",
        ministry_name="Ministry of Culture, Youth and Sport",
        ministry_address="Palácio Nacional da Ajuda, 1349-021 Lisbon, Portugal",
        permrep_name="Permanent Representation of Portugal to the European Union",
        permrep_address="Avenue de Cortenbergh 12, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="RO",
        name="Romania",
        protocol_order=23,
        languages=("ro",),
        correspondence_language="ro",
        ministry_name="Ministry of Culture",
        ministry_address="Bulevardul Unirii 22, 030833 Bucharest, Romania",
        permrep_name="Permanent Representation of Romania to the European Union",
        permrep_address="Rue Montoyer 12, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="SI",
        name="Slovenia",
        protocol_order=24,
        languages=("sl",),
        correspondence_language="sl",
        ministry_name="Ministry of Culture",
        ministry_address="Maistrova ulica 10, 1000 Ljubljana, Slovenia",
        permrep_name="Permanent Representation of Slovenia to the European Union",
        permrep_address="Rue du Commerce 44, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="SK",
        name="Slovakia",
        protocol_order=25,
        languages=("sk",),
        correspondence_language="sk",
        ministry_name="Ministry of Culture",
        ministry_address="Námestie SNP 33, 813 31 Bratislava, Slovakia",
        permrep_name="Permanent Representation of Slovakia to the European Union",
        permrep_address="Avenue de Cortenbergh 79, 1040 Brussels, Belgium",
    ),
    MemberStateRef(
        code="FI",
        name="Finland",
        protocol_order=26,
        languages=("fi", "sv"),
        correspondence_language="fi",
        ministry_name="Ministry of Education and Culture",
        ministry_address="Meritullinkatu 10, 00170 Helsinki, Finland",
        permrep_name="Permanent Representation of Finland to the European Union",
        permrep_address="Avenue de Cortenbergh 80, 1000 Brussels, Belgium",
    ),
    MemberStateRef(
        code="SE",
        name="Sweden",
        protocol_order=27,
        languages=("sv",),
        correspondence_language="sv",
        ministry_name="Ministry of Culture",
        ministry_address="Drottninggatan 16, 103 33 Stockholm, Sweden",
        permrep_name="Permanent Representation of Sweden to the European Union",
        permrep_address="Rue du Luxembourg 3, 1000 Brussels, Belgium",
    ),
)

#: EU codes that differ from the ISO 3166-1 alpha-2 codes Babel/CLDR use.
BABEL_TERRITORY: dict[str, str] = {"EL": "GR"}


def territory_code(code: str) -> str:
    """Return the ISO 3166 territory code Babel uses for an EU country code."""
    return BABEL_TERRITORY.get(code, code)


#: (column, row) of each country on a tile-grid map of the EU: 8 columns x 8 rows,
#: column 0 is the west edge, row 0 the north edge; one country per tile.
#:
#:       0   1   2   3   4   5   6   7
#:   0                   SE  FI
#:   1   IE          DK          EE
#:   2           NL  DE  PL  LT  LV
#:   3           BE  LU  CZ  SK
#:   4           FR      AT  HU  RO
#:   5   PT  ES      IT  SI  HR  BG
#:   6               MT          EL
#:   7                               CY
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "SE": (4, 0),
    "FI": (5, 0),
    "IE": (0, 1),
    "DK": (3, 1),
    "EE": (6, 1),
    "NL": (2, 2),
    "DE": (3, 2),
    "PL": (4, 2),
    "LT": (5, 2),
    "LV": (6, 2),
    "BE": (2, 3),
    "LU": (3, 3),
    "CZ": (4, 3),
    "SK": (5, 3),
    "FR": (2, 4),
    "AT": (4, 4),
    "HU": (5, 4),
    "RO": (6, 4),
    "PT": (0, 5),
    "ES": (1, 5),
    "IT": (3, 5),
    "SI": (4, 5),
    "HR": (5, 5),
    "BG": (6, 5),
    "MT": (3, 6),
    "EL": (6, 6),
    "CY": (7, 7),
}

#: The time zone of each Member State's capital (WET, CET or EET), used to show a deadline
#: in the recipient's own time beside Brussels time.
TIME_ZONES: dict[str, str] = {
    "BE": "Europe/Brussels", "BG": "Europe/Sofia", "CZ": "Europe/Prague", "DK": "Europe/Copenhagen",
    "DE": "Europe/Berlin", "EE": "Europe/Tallinn", "IE": "Europe/Dublin", "EL": "Europe/Athens",
    "ES": "Europe/Madrid", "FR": "Europe/Paris", "HR": "Europe/Zagreb", "IT": "Europe/Rome",
    "CY": "Asia/Nicosia", "LV": "Europe/Riga", "LT": "Europe/Vilnius", "LU": "Europe/Luxembourg",
    "HU": "Europe/Budapest", "MT": "Europe/Malta", "NL": "Europe/Amsterdam", "AT": "Europe/Vienna",
    "PL": "Europe/Warsaw", "PT": "Europe/Lisbon", "RO": "Europe/Bucharest", "SI": "Europe/Ljubljana",
    "SK": "Europe/Bratislava", "FI": "Europe/Helsinki", "SE": "Europe/Stockholm",
}  # fmt: skip


def time_zone(code: str | None) -> str:
    """The IANA time zone of a Member State's capital (Brussels when unknown)."""
    return TIME_ZONES.get(code or "", "Europe/Brussels")


#: Each member state's square on the dashboard's tile map: (column, row), roughly where it lies.
TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "SE": (3, 0), "FI": (4, 0),
    "IE": (0, 1), "DK": (2, 1), "EE": (5, 1),
    "NL": (1, 2), "DE": (2, 2), "PL": (3, 2), "LV": (5, 2),
    "BE": (1, 3), "LU": (2, 3), "CZ": (3, 3), "SK": (4, 3), "LT": (5, 3),
    "PT": (0, 4), "FR": (1, 4), "AT": (3, 4), "HU": (4, 4), "RO": (5, 4),
    "ES": (0, 5), "IT": (2, 5), "SI": (3, 5), "HR": (4, 5), "BG": (5, 5),
    "MT": (2, 6), "EL": (5, 6), "CY": (6, 6),
}
