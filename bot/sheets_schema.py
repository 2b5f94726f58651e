"""The spreadsheet layout of a knowledge map: which sheets, which columns, what they mean.

One sheet per kind. Column names are plain English, lower case, the same on every
sheet where they mean the same thing; texts a volunteer may read have a Dutch column
``(nl)`` and an English column ``(en)``. Lists are comma-separated in one cell. Contact
details and servant channels get one column per kind of detail: ``contact: email``,
``channel: matrix`` and so on (add a column to add a kind).

The same table drives export, import and the "read me" sheet, so they cannot drift.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ColType = Literal["text", "list", "date", "int", "bool", "pairs"]
RefKind = Literal["theme", "need", "region", "stage", "language", "servant", "municipality"]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    path: tuple[str, ...]  # where the value goes in the YAML record
    type: ColType = "text"
    help: str = ""
    ref: RefKind | None = None
    required: bool = False
    width: int = 18


@dataclass(frozen=True, slots=True)
class Sheet:
    key: str  # stable key; also the CSV file name (``<key>.csv``)
    title: str  # the sheet name in a workbook
    file: str  # the YAML file its rows go to
    columns: tuple[Column, ...]
    prefixes: Mapping[str, str]  # "contact: " -> "contact": one column per key
    help: str


ID = Column("id", ("id",), help="Unique id, lower case with dashes (kebab-case).",
            required=True, width=28)


def _label_columns() -> tuple[Column, ...]:
    return (
        ID,
        Column("label (nl)", ("label", "nl"), help="Name shown to volunteers, Dutch.",
               required=True, width=24),
        Column("label (en)", ("label", "en"), help="Name shown to volunteers, English.",
               width=24),
        Column("terms (nl)", ("terms", "nl"), "list",
               "Dutch words and phrases people use for it, lower case.", width=60),
        Column("terms (en)", ("terms", "en"), "list",
               "English words and phrases people use for it, lower case.", width=60),
    )


ENTRY_COLUMNS: tuple[Column, ...] = (
    ID,
    Column("name", ("name",), help="Name of the organisation or fund.", required=True,
           width=32),
    Column("summary (nl)", ("summary", "nl"),
           help="One or two sentences for the volunteer, Dutch.", required=True, width=60),
    Column("summary (en)", ("summary", "en"),
           help="The same in English.", width=60),
    Column("themes", ("themes",), "list", "Theme ids; empty means any theme.", "theme",
           width=30),
    Column("needs", ("needs",), "list", "Need ids it answers.", "need", width=24),
    Column("regions", ("regions",), "list", "Province ids, or nl for the whole country.",
           "region", required=True, width=20),
    Column("municipalities", ("municipalities",), "list",
           "Only these municipalities; empty means the whole region.", "municipality",
           width=22),
    Column("stages", ("stages",), "list",
           "Stages it serves (idea, starting, running, scaling); empty means all.",
           "stage", width=28),
    Column("terms (nl)", ("terms", "nl"), "list", "Extra Dutch search words.", width=36),
    Column("terms (en)", ("terms", "en"), "list", "Extra English search words.", width=36),
    Column("url", ("url",), help="Web address.", width=40),
    Column("legal forms", ("eligibility", "legal_forms"), "list",
           "Who may apply: stichting, vereniging, informal, ...", width=28),
    Column("max amount (EUR)", ("eligibility", "max_amount_eur"), "int",
           "Highest amount in whole euros.", width=12),
    Column("eligibility notes (nl)", ("eligibility", "notes", "nl"),
           help="Conditions, Dutch.", width=40),
    Column("eligibility notes (en)", ("eligibility", "notes", "en"),
           help="Conditions, English.", width=40),
    Column("open from", ("open", "from"), "date",
           "First day it is open (a date); empty means already open.", width=12),
    Column("open until", ("open", "until"), "date",
           "Last day it is open (a date); after it the desk stops offering it.", width=12),
)
ENTRY_PREFIXES = {"contact: ": "contact"}

SERVANT_COLUMNS: tuple[Column, ...] = (
    ID,
    Column("name", ("name",), help="Full name.", required=True, width=24),
    Column("title (nl)", ("title", "nl"), help="Role, Dutch.", required=True, width=34),
    Column("title (en)", ("title", "en"), help="Role, English.", width=34),
    Column("organisation", ("organisation",), help="Ministry, province or municipality.",
           required=True, width=26),
    Column("themes", ("themes",), "list",
           "Theme ids this person takes; algemeen = the general desk.", "theme",
           required=True, width=30),
    Column("regions", ("regions",), "list", "Province ids, or nl for the whole country.",
           "region", required=True, width=20),
    Column("languages", ("languages",), "list",
           "nl, en, the preferred one first; empty means nl.", "language", width=12),
    Column("max open cases", ("max_open_cases",), "int",
           "Most cases at once; empty means 10.", width=10),
    Column("admin", ("admin",), "bool",
           "yes = programme staff: sees all cases, gets knowledge-map alerts.", width=8),
)
SERVANT_PREFIXES = {"channel: ": "channels"}

SHEETS: tuple[Sheet, ...] = (
    Sheet("themes", "themes", "themes.yaml", _label_columns(), {},
          "What an initiative works on."),
    Sheet("needs", "needs", "needs.yaml", _label_columns(), {},
          "What kind of help is asked."),
    Sheet("regions", "regions", "regions.yaml", (
        ID,
        Column("name", ("name",), help="Province name.", required=True, width=20),
        Column("municipalities", ("municipalities",), "list",
               "Municipalities in this province that the desk knows.", width=70),
        Column("aliases", ("aliases",), "list", "Other names for the province.", width=24),
        Column("municipality aliases", ("municipality_aliases",), "pairs",
               "Other names for a municipality: Den Bosch = 's-Hertogenbosch, ...",
               width=40),
    ), {}, "Provinces with their municipalities; nl (the whole country) is not listed."),
    Sheet("funds", "funds", "funds.yaml", ENTRY_COLUMNS, ENTRY_PREFIXES,
          "Funds and grants."),
    Sheet("contact_points", "contact points", "contact_points.yaml", ENTRY_COLUMNS,
          ENTRY_PREFIXES, "Desks (loketten) at municipalities, provinces and agencies."),
    Sheet("networks", "networks", "networks.yaml", ENTRY_COLUMNS, ENTRY_PREFIXES,
          "Partner networks that share knowledge, contacts or training."),
    Sheet("civil_servants", "civil servants", "civil_servants.yaml", SERVANT_COLUMNS,
          SERVANT_PREFIXES, "The people who take warm handovers."),
    Sheet("absences", "absences", "civil_servants.yaml", (
        Column("civil servant", ("servant",), help="The id of the civil servant.",
               ref="servant", required=True, width=28),
        Column("from", ("from",), "date", "First day away.", required=True, width=12),
        Column("until", ("until",), "date", "Last day away.", required=True, width=12),
    ), {}, "When a civil servant is away (no handovers to them on those days)."),
)
SHEET_BY_KEY: Mapping[str, Sheet] = {s.key: s for s in SHEETS}
ENTRY_SHEETS: tuple[str, ...] = ("funds", "contact_points", "networks")
DEFAULT_PREFIX_KEYS: Mapping[str, tuple[str, ...]] = {
    "contact": ("email", "phone"),
    "channels": ("matrix", "telegram", "email"),
}
README_TITLE = "read me"


def normalise_name(name: str) -> str:
    """Sheet, file and column names compare without case, dashes or extra spaces."""
    cleaned = name.strip().lower().replace("_", " ").replace("-", " ")
    return " ".join(cleaned.split())


def sheet_for_name(name: str) -> Sheet | None:
    """The sheet a workbook tab or CSV file name (without ``.csv``) stands for."""
    # "funds (1)": the copy number a browser or file manager adds to a second download
    wanted = normalise_name(re.sub(r"\s*\(\d+\)$", "", name))
    return next((s for s in SHEETS if normalise_name(s.title) == wanted), None)
