"""Loading a knowledge map: a clean map builds the model; every kind of mistake is reported
with its file, its line and a plain sentence, all of them at once, never as a traceback."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from pathlib import Path

import pytest

from routing.load import (
    KnowledgeError,
    Problem,
    check_knowledge,
    check_texts,
    load_knowledge,
    load_knowledge_from_texts,
)
from routing.model import NATIONAL, Absence, KnowledgeMap, Text, Window

TODAY = dt.date(2026, 11, 23)

BASE: dict[str, str] = {
    "themes.yaml": """\
        - id: zwerfafval
          label: {nl: Zwerfafval, en: Litter}
          terms: {nl: [Zwerfvuil, peuken], en: [litter]}
        - id: algemeen
          label: {nl: Algemeen}
          terms: {nl: [initiatief]}
        """,
    "needs.yaml": """\
        - id: funding
          label: {nl: Geld, en: Funding}
          terms: {nl: [subsidie]}
        - id: permit
          label: {nl: Vergunning}
          terms: {nl: [vergunning]}
        - id: tools
          label: {nl: Gereedschap}
          terms: {nl: [prikstok]}
        """,
    "regions.yaml": """\
        - id: utrecht
          name: Utrecht
          municipalities: [Utrecht, Zeist]
        - id: noord-brabant
          name: Noord-Brabant
          aliases: [Brabant]
          municipalities: ["'s-Hertogenbosch", Breda]
          municipality_aliases: {Den Bosch: "'s-Hertogenbosch"}
        """,
    "funds.yaml": """\
        - id: fonds-schoon
          name: Fonds Schoon
          summary: {nl: "Geld voor opruimen.", en: "Money for clean-ups."}
          themes: [zwerfafval]
          needs: [funding, tools]
          regions: [nl]
          stages: [idea, starting]
          url: https://example.org/schoon
          eligibility: {legal_forms: [stichting], max_amount_eur: 2500, notes: {nl: "Klein."}}
          open: {from: 2026-01-01, until: 2026-12-31}
        """,
    "contact_points.yaml": """\
        - id: loket-den-bosch
          name: Loket Den Bosch
          summary: {nl: "Vergunningen."}
          needs: [permit]
          regions: [noord-brabant]
          municipalities: [Den Bosch]
          url: https://example.org/loket
          contact: {email: loket@example.org}
        """,
    "networks.yaml": """\
        - id: netwerk-schoon
          name: Netwerk Schoon
          summary: {nl: "Samen opruimen."}
          themes: [zwerfafval]
          needs: [funding]
          regions: [utrecht]
          url: https://example.org/netwerk
        """,
    "civil_servants.yaml": """\
        - id: anna-jansen
          name: Anna Jansen
          title: {nl: Adviseur, en: Adviser}
          organisation: Provincie Utrecht
          themes: [zwerfafval]
          regions: [utrecht]
          languages: [nl, en]
          channels: {matrix: "@anna:desk.test", terminal: anna}
          max_open_cases: 5
          absent: [{from: 2026-12-21, until: 2027-01-04}]
        - id: algemeen-loket
          name: Bo de Vries
          title: {nl: Algemeen loket}
          organisation: Programma
          themes: [algemeen]
          regions: [nl]
          channels: {email: bo@example.org}
          admin: true
        """,
}


def texts(**overrides: str) -> dict[str, str]:
    """The base map's texts, with files replaced (``funds="..."`` -> funds.yaml)."""
    out = {name: textwrap.dedent(text) for name, text in BASE.items()}
    for stem, text in overrides.items():
        out[f"{stem}.yaml"] = textwrap.dedent(text)
    return out


def plus(name: str, extra: str) -> str:
    """The base text of ``name`` with ``extra`` lines (indented as in BASE) appended."""
    return BASE[name].rstrip(" ") + extra


def write(folder: Path, **overrides: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts(**overrides).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` that contains ``needle``."""
    hits = [i for i, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line]
    return hits[nth - 1]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def only_error(problems: list[Problem]) -> Problem:
    found = errors(problems)
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


def check(**overrides: str) -> tuple[KnowledgeMap | None, list[Problem]]:
    return check_texts(texts(**overrides), today=TODAY)


# ------------------------------------------------------------------ a clean map


def test_clean_map_builds_the_model(tmp_path: Path) -> None:
    kmap, problems = check_knowledge(write(tmp_path / "k"), today=TODAY)
    assert problems == [] and kmap is not None
    fund = kmap.entry("fonds-schoon")
    assert fund.kind == "fund" and fund.window == Window(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert fund.summary == Text("Geld voor opruimen.", "Money for clean-ups.")
    assert fund.eligibility is not None and fund.eligibility.max_amount_eur == 2500
    assert fund.stages == ("idea", "starting") and fund.needs == ("funding", "tools")
    loket = kmap.entry("loket-den-bosch")
    assert loket.kind == "contact_point" and loket.window is None
    assert loket.municipalities == ("'s-Hertogenbosch",)  # the alias, resolved
    assert kmap.entry("netwerk-schoon").kind == "network"
    brabant = kmap.region("noord-brabant")
    assert brabant.aliases == ("Brabant",)
    assert brabant.municipality_aliases == {"Den Bosch": "'s-Hertogenbosch"}
    anna = kmap.servant("anna-jansen")
    assert anna.absent == (Absence(dt.date(2026, 12, 21), dt.date(2027, 1, 4)),)
    assert anna.channels["terminal"] == "anna" and anna.max_open_cases == 5 and not anna.admin
    general = kmap.servant("algemeen-loket")
    assert general.admin and general.languages == ("nl",) and general.regions == (NATIONAL,)
    assert kmap.theme("zwerfafval").terms.nl == ("zwerfvuil", "peuken")  # lower case


def test_load_from_texts_equals_load_from_folder(tmp_path: Path) -> None:
    assert load_knowledge_from_texts(texts()) == load_knowledge(write(tmp_path / "k"))


def test_no_yes_on_off_stay_words() -> None:
    kmap, problems = check(themes="""\
        - id: zwerfafval
          label: {nl: Zwerfafval}
          terms: {nl: [no, yes, off, 'on']}
        - id: algemeen
          label: {nl: Algemeen}
          terms: {nl: [initiatief]}
        """)
    assert problems == [] and kmap is not None
    assert kmap.theme("zwerfafval").terms.nl == ("no", "yes", "off", "on")


# ------------------------------------------------------------------ one test per problem kind


def test_broken_yaml_names_the_line() -> None:
    broken = """\
        - id: zwerfafval
          label: {nl: Zwerfafval
          terms: {nl: [zwerfvuil]}
        """
    kmap, problems = check(themes=broken)
    assert kmap is None
    p = errors(problems)[0]
    assert p.file == "themes.yaml" and p.line == 3 and "not valid YAML" in p.message


def test_missing_file_is_reported(tmp_path: Path) -> None:
    folder = write(tmp_path / "k")
    (folder / "networks.yaml").unlink()
    kmap, problems = check_knowledge(folder)
    assert kmap is None
    p = only_error(problems)
    assert (p.file, p.line) == ("networks.yaml", None) and "missing" in p.message


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    kmap, problems = check_knowledge(tmp_path / "nowhere")
    assert kmap is None and "does not exist" in only_error(problems).message


def test_file_that_is_not_a_list() -> None:
    p = only_error(check(networks="id: netwerk\nname: Netwerk\n")[1])
    assert (p.file, p.line) == ("networks.yaml", 1) and "must be a list" in p.message


def test_item_that_is_not_a_mapping() -> None:
    text = plus("networks.yaml", "        - just a word\n")
    p = only_error(check(networks=text)[1])
    assert p.file == "networks.yaml" and p.line == line_of(text, "just a word")
    assert "key: value" in p.message


def test_missing_required_field() -> None:
    text = BASE["networks.yaml"].replace("          name: Netwerk Schoon\n", "")
    p = only_error(check(networks=text)[1])
    assert p.file == "networks.yaml" and p.line == 1
    assert p.message == "network 'netwerk-schoon' has no 'name'"


def test_missing_url_is_an_error() -> None:
    text = BASE["networks.yaml"].replace("          url: https://example.org/netwerk\n", "")
    assert "has no 'url'" in only_error(check(networks=text)[1]).message


def test_id_not_kebab_case() -> None:
    text = BASE["networks.yaml"].replace("id: netwerk-schoon", "id: Netwerk_Schoon")
    p = only_error(check(networks=text)[1])
    assert (p.file, p.line) == ("networks.yaml", 1) and "'Netwerk_Schoon'" in p.message


def test_duplicate_id_across_files_names_the_first() -> None:
    text = BASE["networks.yaml"].replace("id: netwerk-schoon", "id: fonds-schoon")
    p = only_error(check(networks=text)[1])
    assert (p.file, p.line) == ("networks.yaml", 1)
    assert "'fonds-schoon' is used twice (first in funds.yaml:1)" in p.message


def test_problems_are_listed_by_file_and_line() -> None:
    """A duplicate id is found in a first pass over all files and a bad reference later,
    but the list reads down each file in the map's own order."""
    networks = BASE["networks.yaml"].replace("id: netwerk-schoon", "id: fonds-schoon")
    funds = BASE["funds.yaml"].replace("themes: [zwerfafval]", "themes: [zwerfafvl]")
    found = [(p.file, p.line) for p in errors(check(networks=networks, funds=funds)[1])]
    assert found == [("funds.yaml", line_of(funds, "themes:")), ("networks.yaml", 1)]


def test_unknown_theme_names_entry_line_and_suggests() -> None:
    text = BASE["funds.yaml"].replace("themes: [zwerfafval]", "themes: [zwerfafvl]")
    p = only_error(check(funds=text)[1])
    assert (p.file, p.line) == ("funds.yaml", line_of(text, "themes:"))
    assert str(p) == (f"funds.yaml:{p.line}: fund 'fonds-schoon' names unknown theme "
                      "'zwerfafvl' (did you mean 'zwerfafval'?)")


def test_unknown_reference_in_block_list_points_at_its_own_line() -> None:
    text = BASE["funds.yaml"].replace("needs: [funding, tools]",
                                      "needs:\n            - funding\n            - geld")
    p = only_error(check(funds=text)[1])
    assert p.line == line_of(text, "- geld") and "unknown need 'geld'" in p.message


def test_unknown_region_and_need() -> None:
    text = BASE["networks.yaml"].replace("regions: [utrecht]", "regions: [utrecht, zeeland]")
    text = text.replace("needs: [funding]", "needs: [funding, space]")
    found = {(p.line, p.message) for p in errors(check(networks=text)[1])}
    assert found == {
        (line_of(text, "regions:"), "network 'netwerk-schoon' names unknown region 'zeeland'"),
        (line_of(text, "needs:"), "network 'netwerk-schoon' names unknown need 'space'"),
    }


def test_unknown_theme_of_a_servant() -> None:
    text = BASE["civil_servants.yaml"].replace("themes: [algemeen]", "themes: [algemeen, afval]")
    p = only_error(check(civil_servants=text)[1])
    assert p.line == line_of(text, "themes: [algemeen")
    assert p.message == "civil servant 'algemeen-loket' names unknown theme 'afval'"


def test_municipality_outside_the_entrys_regions() -> None:
    text = plus("networks.yaml", "          municipalities: [Breda]\n")
    p = only_error(check(networks=text)[1])
    assert p.line == line_of(text, "municipalities:")
    assert "'Breda', which lies in 'noord-brabant', not in its regions (utrecht)" in p.message


def test_municipality_anywhere_is_fine_for_a_national_entry() -> None:
    text = plus("funds.yaml", "          municipalities: [zeist, Den Bosch]\n")
    kmap, problems = check(funds=text)
    assert problems == [] and kmap is not None
    assert kmap.entry("fonds-schoon").municipalities == ("Zeist", "'s-Hertogenbosch")


def test_unknown_municipality() -> None:
    text = plus("networks.yaml", "          municipalities: [Atlantis]\n")
    assert "'Atlantis', which no region" in only_error(check(networks=text)[1]).message


def test_municipality_in_two_regions() -> None:
    text = BASE["regions.yaml"].replace("[\"'s-Hertogenbosch\", Breda]",
                                        "[\"'s-Hertogenbosch\", Breda, Zeist]")
    p = only_error(check(regions=text)[1])
    assert p.line == line_of(text, "Breda, Zeist")
    assert "'Zeist' is listed twice (first in regions.yaml:3)" in p.message


def test_alias_to_an_unlisted_municipality() -> None:
    text = BASE["regions.yaml"].replace("{Den Bosch: \"'s-Hertogenbosch\"}", "{Den Bosch: Vught}")
    first, then = errors(check(regions=text)[1])
    assert first.line == line_of(text, "Den Bosch") and "points to 'Vught'" in first.message
    assert then.file == "contact_points.yaml" and "'Den Bosch'" in then.message


def test_bad_date_is_reported_not_raised() -> None:
    text = BASE["funds.yaml"].replace("until: 2026-12-31", "until: 2026-13-01")
    p = only_error(check(funds=text)[1])
    assert p.line == line_of(text, "open:")
    assert p.message == ("fund 'fonds-schoon': open.until '2026-13-01' is not a date "
                         "(write it as YYYY-MM-DD)")


def test_bad_absence_date() -> None:
    text = BASE["civil_servants.yaml"].replace("until: 2027-01-04", "until: soon")
    p = only_error(check(civil_servants=text)[1])
    assert p.line == line_of(text, "absent:") and "absent.until 'soon' is not a date" in p.message


def test_from_after_until() -> None:
    text = BASE["funds.yaml"].replace("from: 2026-01-01", "from: 2027-01-01")
    p = only_error(check(funds=text)[1])
    assert p.line == line_of(text, "open:") and "open.from 2027-01-01 is after" in p.message
    servants = BASE["civil_servants.yaml"].replace("from: 2026-12-21", "from: 2027-12-21")
    p = only_error(check(civil_servants=servants)[1])
    assert p.line == line_of(servants, "absent:") and "absence from 2027-12-21" in p.message


def test_missing_dutch_text() -> None:
    text = BASE["funds.yaml"].replace('summary: {nl: "Geld voor opruimen.", en:', "summary: {en:")
    p = only_error(check(funds=text)[1])
    assert p.line == line_of(text, "summary:")
    assert p.message == "fund 'fonds-schoon': 'summary' has no Dutch text (nl)"
    themes = BASE["themes.yaml"].replace("label: {nl: Algemeen}", "label: {en: General}")
    p = only_error(check(themes=themes)[1])
    assert (p.file, p.line) == ("themes.yaml", line_of(themes, "General"))
    servants = BASE["civil_servants.yaml"].replace("title: {nl: Algemeen loket}", "title: {nl: ''}")
    assert "'title' has no Dutch text" in only_error(check(civil_servants=servants)[1]).message


def test_missing_label() -> None:
    themes = BASE["themes.yaml"].replace("          label: {nl: Algemeen}\n", "")
    assert "theme 'algemeen' has no 'label'" in only_error(check(themes=themes)[1]).message


def test_unknown_stage() -> None:
    text = BASE["funds.yaml"].replace("stages: [idea, starting]", "stages: [idea, startup]")
    p = only_error(check(funds=text)[1])
    assert p.line == line_of(text, "stages:") and "unknown stage 'startup'" in p.message


@pytest.mark.parametrize("value", ["0", "-3", "many", "true"])
def test_max_open_cases_must_be_positive(value: str) -> None:
    text = BASE["civil_servants.yaml"].replace("max_open_cases: 5", f"max_open_cases: {value}")
    p = only_error(check(civil_servants=text)[1])
    assert p.line == line_of(text, "max_open_cases")
    assert f"max_open_cases '{value.replace('true', 'True')}' must be a whole number" in p.message


def test_duplicate_key_in_one_item() -> None:
    text = plus("networks.yaml", "          name: Ander Netwerk\n")
    p = only_error(check(networks=text)[1])
    assert p.line == line_of(text, "Ander Netwerk") and "'name' is written twice" in p.message


def test_nl_is_reserved_as_an_id() -> None:
    text = plus("regions.yaml", "        - id: nl\n          name: Nederland\n")
    assert "reserved" in only_error(check(regions=text)[1]).message


# ------------------------------------------------------------------ warnings do not stop loading


def test_unknown_field_is_a_warning() -> None:
    text = plus("networks.yaml", "          adress: Dorpsstraat 1\n")
    kmap, problems = check(networks=text)
    assert kmap is not None and len(problems) == 1
    p = problems[0]
    assert p.severity == "warning" and p.line == line_of(text, "adress")
    assert "'adress' that the format does not know" in p.message
    assert str(p).startswith(f"networks.yaml:{p.line}: warning: ")


def test_closed_window_is_a_warning_relative_to_today() -> None:
    kmap, problems = check_texts(texts(), today=dt.date(2027, 3, 1))
    assert kmap is not None
    p = problems[0]
    assert p.severity == "warning" and p.line == line_of(BASE["funds.yaml"], "open:")
    assert "fund 'fonds-schoon' closed on 2026-12-31" in p.message
    assert check_texts(texts(), today=dt.date(2026, 12, 31))[1] == []  # last day still open
    assert check_texts(texts())[1] == []  # no date, no judgement


def test_empty_file_is_a_warning() -> None:
    kmap, problems = check(networks="# nothing yet\n")
    assert kmap is not None and kmap.entries and [p.severity for p in problems] == ["warning"]


def test_stray_yaml_file_is_a_warning(tmp_path: Path) -> None:
    folder = write(tmp_path / "k")
    (folder / "fund.yaml").write_text("[]\n", encoding="utf-8")
    kmap, problems = check_knowledge(folder)
    assert kmap is not None and problems[0].file == "fund.yaml" and "ignored" in problems[0].message


def test_no_general_desk_is_a_warning() -> None:
    text = BASE["civil_servants.yaml"].replace("themes: [algemeen]", "themes: [zwerfafval]")
    kmap, problems = check(civil_servants=text)
    assert kmap is not None and [p.severity for p in problems] == ["warning"]
    assert "'algemeen'" in problems[0].message


# ------------------------------------------------------------------ all at once


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "k",
        themes=BASE["themes.yaml"].replace("label: {nl: Algemeen}", "label: {en: General}"),
        funds=BASE["funds.yaml"].replace("until: 2026-12-31", "until: 2026-02-30")
                                .replace("themes: [zwerfafval]", "themes: [afval]"),
        civil_servants=BASE["civil_servants.yaml"].replace("max_open_cases: 5", "max_open_cases: 0"),
        networks=plus("networks.yaml", "          colour: green\n"),
    )
    (folder / "needs.yaml").write_text("- id: funding\n  label: {nl: [broken\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder, today=TODAY)
    problems = caught.value.problems
    where = sorted((p.file, p.severity) for p in problems)
    assert where == sorted([
        ("themes.yaml", "error"), ("funds.yaml", "error"), ("funds.yaml", "error"),
        ("civil_servants.yaml", "error"), ("networks.yaml", "warning"),
        ("needs.yaml", "error"),
        # needs.yaml could not be read: the needs it held are not reported one by one
    ]), "\n".join(map(str, problems))
    assert all(p.line for p in problems)
    text = str(caught.value)
    assert text.startswith(f"{len(errors(problems))} problem(s) in the knowledge map")
    assert "Traceback" not in text


def test_load_from_texts_raises_with_every_error() -> None:
    bad = texts(networks=BASE["networks.yaml"].replace("regions: [utrecht]", "regions: [x, y]"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge_from_texts(bad)
    assert [p.message.split()[-1] for p in caught.value.problems] == ["'x'", "'y'"]


def test_mangled_maps_never_raise() -> None:
    """Random damage to every file gives problems (or a map), never an exception."""
    rnd = random.Random(20261123)
    debris = [": ", "- ", "[", "]", "{", "}", "\t", "'", '"', "&a ", "*a", "!!int ", "2026-13-40",
              "~", "\n", "  ", "#", "? ", "|", "-1", "[nl]", "{}", "!!binary x", "\x00", "id: "]
    clean = texts()
    for _ in range(150):
        broken = dict(clean)
        name = rnd.choice(sorted(broken))
        text = broken[name]
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randrange(len(text))
            if rnd.random() < 0.6:
                text = text[:at] + rnd.choice(debris) + text[at:]
            else:
                text = text[:at] + text[at + rnd.randint(1, 20):]
        broken[name] = text
        kmap, problems = check_texts(broken, today=TODAY)
        assert kmap is not None or errors(problems)
        assert all(str(p) and p.file in broken for p in problems)


# ------------------------------------------------------------------ the real maps


def test_the_repos_starter_map_is_clean(repo_knowledge_dir: Path) -> None:
    kmap, problems = check_knowledge(repo_knowledge_dir, today=TODAY)
    assert problems == [] and kmap is not None, "\n".join(map(str, problems))
    assert len(kmap.regions) == 12
    assert sum(len(r.municipalities) for r in kmap.regions) == 342
    assert any(s.admin for s in kmap.servants)
    assert any(s.themes == ("algemeen",) for s in kmap.servants)
    assert {e.kind for e in kmap.entries} == {"fund", "contact_point", "network"}
    aliases = {a: m for r in kmap.regions for a, m in r.municipality_aliases.items()}
    assert aliases["Den Bosch"] == "'s-Hertogenbosch" and aliases["'s-Gravenhage"] == "Den Haag"
    for path in repo_knowledge_dir.glob("*.yaml"):
        assert "EXAMPLE CONTENT" in path.read_text(encoding="utf-8").splitlines()[0]


def test_the_example_map_loads_with_only_closed_fund_warnings(eval_knowledge_dir: Path) -> None:
    kmap, problems = check_knowledge(eval_knowledge_dir, today=TODAY)
    assert kmap is not None and errors(problems) == []
    assert [p.severity for p in problems] == ["warning"] * 3
    assert all("closed on" in p.message for p in problems)
