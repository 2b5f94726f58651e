"""The report as one self-contained HTML page: inline CSS and SVG, no scripts, no links
to fetch. It opens offline, survives being mailed, and prints.

Every figure has an ``id`` and, under it, a small table with the same numbers (for
screen readers, for copying into a memo, and for the tests that check the picture
against the database).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from bot.report import charts
from bot.report.data import ReportData

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#222;
background:#f5f6f8}
main{max-width:960px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 4px;color:#1f4e79}
.sub{color:#666;font-size:14px;margin:0 0 12px}.en{color:#777;font-weight:normal}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.card{flex:1 1 160px;border:1px solid #dde;border-radius:8px;padding:10px 14px}
.card b{display:block;font-size:26px;color:#1f4e79}.card span{font-size:13px;color:#555}
figure{margin:8px 0 0}svg{max-width:100%;height:auto}
details{margin:6px 0 0;font-size:13px}summary{cursor:pointer;color:#555}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border-bottom:1px solid #e3e3e3;padding:3px 10px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.gap-q{color:#444;font-style:italic;margin:2px 0}.note{font-size:13px;color:#666}
@media print{body{background:#fff}main{padding:0}details{display:none}}
"""


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def _table(figure_id: str, rows: Sequence[tuple[str, int | float]],
           head: tuple[str, str] = ("", "aantal / count")) -> str:
    body = "".join(
        f'<tr data-label="{escape(label, quote=True)}" data-value="{value}">'
        f'<td>{escape(label)}</td><td class="n">{value}</td></tr>' for label, value in rows)
    return (f'<details><summary>cijfers / figures</summary><table data-figure="{figure_id}">'
            f"<tr><th>{escape(head[0])}</th><th>{escape(head[1])}</th></tr>{body}</table>"
            "</details>")


def _section(title_nl: str, title_en: str, sub: str, body: str, figure_id: str) -> str:
    return (f'<section><h2>{escape(title_nl)} <span class="en">/ {escape(title_en)}</span>'
            f'</h2><p class="sub">{escape(sub)}</p><figure id="fig-{figure_id}" '
            f'data-figure="{figure_id}">{body}</figure></section>')


def render(data: ReportData, *, generated_at: dt.datetime, title: str = "Wegwijs") -> str:
    """The whole page."""
    in_scope = data.total_questions - data.out_of_scope
    helped_total = sum(v for _, v in data.helped)
    helped_yes = dict(data.helped).get("ja / yes", 0)
    oos_known = data.questions_source == "question_stat"
    cards = [
        ("questions", str(data.total_questions), "vragen / questions"),
        ("out-of-scope", _pct(data.out_of_scope, data.total_questions) if oos_known else "–",
         "buiten de opdracht / out of scope"),
        ("handovers", str(data.funnel[0][1] if data.funnel else 0),
         "overdrachten aangeboden / handovers offered"),
        ("within-sla", _pct(data.accepted_within_sla, data.accepted_total),
         "binnen 1 werkdag aangenomen / accepted within 1 working day"),
        ("helped", _pct(helped_yes, helped_total), "geholpen (ja) / helped (yes)"),
        ("gaps", str(data.gap_total), "kennisgaten / knowledge gaps"),
    ]
    card_html = "".join(f'<div class="card" id="card-{cid}" data-value="{escape(v)}">'
                        f"<b>{escape(v)}</b><span>{escape(label)}</span></div>"
                        for cid, v, label in cards)
    weekly_rows = [(f"{week} {name}", values[i])
                   for name, values in data.by_week_theme.items()
                   for i, week in enumerate(data.weeks) if values[i]]
    sections = [
        _section("Vragen per week, per thema", "Questions per week by theme",
                 f"{in_scope} vragen binnen de opdracht, per ISO-week.",
                 charts.stacked_columns(data.weeks, data.by_week_theme,
                                        title="Vragen per week per thema",
                                        chart_id="chart-weekly")
                 + _table("weekly", weekly_rows, ("week, thema / week, theme", "aantal / count")),
                 "weekly"),
        _section("Per provincie", "By province",
                 "Waar de initiatieven zitten (afgeleid uit de vraag).",
                 charts.hbar(data.by_province, title="Vragen per provincie",
                             chart_id="chart-province")
                 + _table("province", data.by_province, ("provincie / province", "aantal / count")),
                 "province"),
        _section("Gevraagde hulp", "Needs asked for",
                 "Een vraag kan meer dan één soort hulp vragen.",
                 charts.hbar(data.by_need, title="Gevraagde hulp", colour=charts.PALETTE[1],
                             chart_id="chart-needs")
                 + _table("needs", data.by_need, ("hulp / need", "aantal / count")), "needs"),
        _section("Warme overdracht", "Handover funnel",
                 "Van aanbod aan de vrijwilliger tot opgelost, voor zaken uit deze periode.",
                 charts.funnel(data.funnel, title="Overdracht: aangeboden tot opgelost",
                               chart_id="chart-funnel")
                 + _table("funnel", data.funnel, ("stap / step", "zaken / cases")), "funnel"),
        _section("Tijd tot aannemen", "Time to accept",
                 _accept_sentence(data),
                 charts.columns_with_marker(data.accept_buckets, title="Tijd tot aannemen",
                                            marker_after=data.sla_bucket,
                                            marker_label="norm: 1 werkdag / SLA",
                                            chart_id="chart-accept")
                 + _table("accept", data.accept_buckets, ("tijd / time", "zaken / cases")),
                 "accept"),
        _section("Geholpen?", "Were you helped?",
                 f"Antwoorden op de check-in na 10 werkdagen ({helped_total}).",
                 charts.share_bar(data.helped, title="Geholpen?", chart_id="chart-helped")
                 + _table("helped", data.helped, ("antwoord / answer", "aantal / count")), "helped"),
        _section("Buiten de opdracht", "Out of scope",
                 "Berichten die geen vraag van een initiatief waren (privézaken, klachten, "
                 "spam, alleen een groet)." if oos_known else
                 "Niet vastgelegd in deze database (geen vraagstatistiek).",
                 charts.share_bar([("binnen / in scope", in_scope),
                                   ("buiten / out of scope", data.out_of_scope)],
                                  title="Buiten de opdracht", chart_id="chart-scope")
                 + _table("scope", [("binnen / in scope", in_scope),
                                    ("buiten / out of scope", data.out_of_scope)]),
                 "scope"),
        _gap_section(data),
    ]
    period = f"{data.start.isoformat()} – {data.end.isoformat()}"
    note = ("" if oos_known else '<p class="note">Deze database heeft geen vraagstatistiek; '
            "vragen zijn geteld uit de zaken (alleen vragen met een aangeboden overdracht)."
            "</p>")
    return (
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} rapportage {escape(period)}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f"<h1>{escape(title)}: wat er binnenkomt <span class='en'>/ what comes in</span></h1>"
        f'<p class="sub" id="period" data-from="{data.start.isoformat()}" '
        f'data-to="{data.end.isoformat()}">Periode {escape(period)} · gemaakt '
        f"{escape(generated_at.strftime('%Y-%m-%d %H:%M'))} UTC · alleen totalen, geen "
        "namen of berichten (behalve de gemaskeerde vragen bij kennisgaten).</p>"
        f'{note}<div class="cards">{card_html}</div>{"".join(sections)}'
        "</main></body></html>")


def _accept_sentence(data: ReportData) -> str:
    """The norm and how it went, in words that also read right for an empty period."""
    parts = ["Norm: binnen 1 werkdag (werkdagen: ma–vr, zonder feestdagen)."]
    if data.accepted_total:
        parts.append(f"{data.accepted_within_sla} van de {data.accepted_total} aangenomen "
                     "overdrachten op tijd.")
    else:
        parts.append("Geen aangenomen overdrachten in deze periode.")
    if data.waiting_past_sla:
        parts.append(f"{data.waiting_past_sla} nog niet aangenomen en al over de norm.")
    return " ".join(parts)


def _gap_section(data: ReportData) -> str:
    if not data.gaps:
        body = '<p class="note">Geen kennisgaten in deze periode.</p>'
    else:
        rows = []
        for g in data.gaps:
            examples = "".join(f'<p class="gap-q">“{escape(e)}”</p>' for e in g.examples)
            rows.append(f'<tr data-label="{escape(g.theme, quote=True)}|'
                        f'{escape(g.place, quote=True)}" data-value="{g.count}">'
                        f"<td>{escape(g.theme)}</td><td>{escape(g.place)}</td>"
                        f'<td class="n">{g.count}</td><td>{examples}</td></tr>')
        body = ('<table data-figure="gaps"><tr><th>thema / theme</th><th>plaats / place</th>'
                "<th>vragen / questions</th><th>voorbeelden (gemaskeerd) / examples (masked)</th></tr>"
                f'{"".join(rows)}</table>')
    return _section("Kennisgaten", "Knowledge gaps",
                    "Vragen die met weinig zekerheid werden doorverwezen of bij het algemene "
                    "loket eindigden: hier ontbreken fondsen of contacten in de kaart. "
                    "Persoonsgegevens zijn gemaskeerd.", body, "gaps")
