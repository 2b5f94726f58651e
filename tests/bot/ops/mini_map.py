"""A small, valid knowledge map built in code, for desk tests that must not depend on a
folder of YAML: two themes, two needs, one province, three entries, three servants
(one of them the general desk)."""

from __future__ import annotations

from routing.model import Entry, KnowledgeMap, Need, Region, Servant, Terms, Text, Theme


def mini_map() -> KnowledgeMap:
    return KnowledgeMap(
        themes=(
            Theme("zwerfafval", Text("Zwerfafval", "Litter"),
                  Terms(("zwerfvuil", "afval op straat", "peuken"), ("litter", "trash"))),
            Theme("luchtkwaliteit", Text("Luchtkwaliteit", "Air quality"),
                  Terms(("luchtmeter", "fijnstof", "sensor"), ("air quality", "sensor"))),
        ),
        needs=(
            Need("funding", Text("Geld", "Money"),
                 Terms(("subsidie", "geld", "fonds"), ("money", "grant", "funding"))),
            Need("knowledge", Text("Kennis", "Knowledge"),
                 Terms(("advies", "kennis", "hoe"), ("advice", "how"))),
        ),
        regions=(Region("utrecht", "Utrecht", ("Utrecht", "Amersfoort", "Zeist")),),
        entries=(
            Entry(id="fonds-schone-buurt", kind="fund", name="Fonds Schone Buurt",
                  summary=Text("Geld voor opruimacties.", "Money for clean-ups."),
                  themes=("zwerfafval",), needs=("funding",), url="https://example.org/f"),
            Entry(id="meetnet-lucht", kind="network", name="Meetnet Lucht",
                  summary=Text("Burgers meten samen de lucht.", "Citizens measure air."),
                  themes=("luchtkwaliteit",), needs=("knowledge",),
                  url="https://example.org/m"),
            Entry(id="loket-utrecht", kind="contact_point", name="Initiatievenloket Utrecht",
                  summary=Text("Helpt initiatieven in Utrecht.", "Helps initiatives."),
                  needs=("knowledge", "funding"), regions=("utrecht",),
                  url="https://example.org/l"),
        ),
        servants=(
            Servant("anouk-de-vries", "Anouk de Vries", Text("Adviseur", "Adviser"),
                    "Ministerie van IenW", ("zwerfafval",), ("nl",), ("nl", "en"),
                    max_open_cases=1000),
            Servant("bram-bakker", "Bram Bakker", Text("Adviseur lucht", "Air adviser"),
                    "Provincie Utrecht", ("luchtkwaliteit",), ("utrecht",), ("nl",),
                    max_open_cases=1000),
            Servant("loket-algemeen", "Algemeen loket", Text("Loket", "Desk"),
                    "Ministerie van IenW", ("algemeen",), ("nl",), ("nl", "en"),
                    max_open_cases=1000),
        ),
    )
