"""Small inline SVG charts: no scripts, no fonts to fetch, readable when printed or mailed.

Every mark carries its label and value as ``data-label`` / ``data-value`` attributes, so a
test (or a curious reader) can check the picture against the numbers it was drawn from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from bot.report.data import OTHER

PALETTE = ("#1f4e79", "#2e86ab", "#f18f01", "#c73e1d", "#6a994e", "#8e7dbe", "#bc6c25",
           "#5c677d", "#e9c46a", "#264653")
OTHER_COLOUR = "#b0b7c3"
TEXT = "#222"
MUTED = "#666"


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _attr(value: str) -> str:
    return escape(value, quote=True)


def hbar(items: Sequence[tuple[str, float]], *, title: str, width: int = 640,
         unit: str = "", colour: str = PALETTE[0], chart_id: str = "") -> str:
    """Horizontal bars, one per (label, value), in the given order. The label column
    grows with the longest label ("Klimaatadaptatie en hitte / Climate adaptation and
    heat"), and the picture with it, so no label is cut off at the left edge."""
    bar_h, gap, right = 22, 6, 60
    left = max(230, round(max((text_width(label, 13) for label, _ in items), default=0)) + 16)
    width += left - 230  # the bars keep their length; the page scales the picture to fit
    height = max(1, len(items)) * (bar_h + gap) + 10
    top = max((v for _, v in items), default=0) or 1
    parts = [_open(width, height, title, chart_id)]
    if not items:
        parts.append(_empty(width, height))
    for i, (label, value) in enumerate(items):
        y = 5 + i * (bar_h + gap)
        w = (width - left - right) * value / top
        parts.append(
            f'<text x="{left - 8}" y="{y + bar_h * 0.7:.1f}" text-anchor="end" '
            f'font-size="13" fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" '
            f'data-label="{_attr(label)}" data-value="{_fmt(value)}"><title>{escape(label)}: '
            f'{_fmt(value)}{unit}</title></rect>'
            f'<text x="{left + w + 6:.1f}" y="{y + bar_h * 0.7:.1f}" font-size="12" '
            f'fill="{MUTED}">{_fmt(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(columns: Sequence[str], series: Mapping[str, Sequence[float]], *,
                    title: str, width: int = 900, height: int = 300,
                    chart_id: str = "") -> str:
    """Stacked vertical bars: one column per label (e.g. a week), one colour per series."""
    left, right, top_pad, bottom = 40, 10, 10, 60
    per_row, legend_column = _legend_columns(list(series), width - left - right)
    legend_h = 22 * -(-len(series) // per_row)
    totals = [sum(s[i] for s in series.values()) for i in range(len(columns))]
    peak = max(totals, default=0) or 1
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    step = plot_w / max(1, len(columns))
    bar_w = max(2.0, step * 0.7)
    parts = [_open(width, height + legend_h, title, chart_id)]
    if not columns:
        parts.append(_empty(width, height))
    for tick in _ticks(peak):
        y = top_pad + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd"/><text x="{left - 4}" y="{y + 4:.1f}" font-size="11" '
                     f'text-anchor="end" fill="{MUTED}">{_fmt(tick)}</text>')
    colours = _colours(list(series))
    for i, column in enumerate(columns):
        x = left + i * step + (step - bar_w) / 2
        base = float(top_pad + plot_h)
        for name, values in series.items():
            value = values[i]
            if not value:
                continue
            h = plot_h * value / peak
            base -= h
            parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" '
                         f'height="{h:.1f}" fill="{colours[name]}" '
                         f'data-label="{_attr(column)}|{_attr(name)}" '
                         f'data-value="{_fmt(value)}"><title>{escape(column)}, '
                         f'{escape(name)}: {_fmt(value)}</title></rect>')
        if len(columns) <= 16 or i % max(1, len(columns) // 12) == 0:
            cx = left + i * step + step / 2
            parts.append(f'<text x="{cx:.1f}" y="{top_pad + plot_h + 16}" font-size="11" '
                         f'text-anchor="middle" fill="{MUTED}">{escape(column)}</text>')
    parts.append(_legend(list(series), colours, left, height - bottom + 34,
                         per_row=per_row, column=legend_column))
    parts.append("</svg>")
    return "".join(parts)


def funnel(steps: Sequence[tuple[str, int]], *, title: str, width: int = 760,
           chart_id: str = "") -> str:
    """Centred bars, each as wide as its count, with the share of the first step."""
    bar_h, gap, left, right = 34, 8, 210, 120
    height = len(steps) * (bar_h + gap) + 10
    first = steps[0][1] if steps else 0
    span = width - left - right
    parts = [_open(width, height, title, chart_id)]
    for i, (label, value) in enumerate(steps):
        w = max(1.0, span * value / first) if value and first else 0.0
        x = left + (span - w) / 2
        y = 5 + i * (bar_h + gap)
        share = f"{100 * value / first:.0f}%" if first else "–"
        parts.append(
            f'<text x="{left - 10}" y="{y + bar_h * 0.65:.1f}" text-anchor="end" '
            f'font-size="13" fill="{TEXT}">{escape(label)}</text>'
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="{PALETTE[i % len(PALETTE)]}" data-label="{_attr(label)}" '
            f'data-value="{value}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{width - right + 10}" y="{y + bar_h * 0.65:.1f}" font-size="13" '
            f'fill="{TEXT}">{value} ({share})</text>')
    parts.append("</svg>")
    return "".join(parts)


def columns_with_marker(items: Sequence[tuple[str, float]], *, title: str,
                        marker_after: int | None, marker_label: str, width: int = 640,
                        height: int = 240, colour_before: str = PALETTE[5],
                        colour_after: str = PALETTE[3], chart_id: str = "") -> str:
    """A histogram; a dashed line after bucket ``marker_after`` (e.g. the SLA). The line's
    label sits in a band of its own above the bars, clear of the tallest bar's count."""
    left, bottom, top_pad = 40, 50, 36
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    peak = max((v for _, v in items), default=0) or 1
    step = plot_w / max(1, len(items))
    parts = [_open(width, height, title, chart_id)]
    for i, (label, value) in enumerate(items):
        h = plot_h * value / peak
        x = left + i * step + step * 0.15
        colour = colour_before if marker_after is None or i <= marker_after else colour_after
        parts.append(
            f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{colour}" data-label="{_attr(label)}" '
            f'data-value="{_fmt(value)}"><title>{escape(label)}: {_fmt(value)}</title></rect>'
            f'<text x="{x + step * 0.35:.1f}" y="{top_pad + plot_h - h - 4:.1f}" '
            f'font-size="12" text-anchor="middle" fill="{TEXT}">{_fmt(value)}</text>'
            + _axis_label(label, x + step * 0.35, top_pad + plot_h + 16))
    if marker_after is not None and items:
        mx = left + (marker_after + 1) * step
        parts.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top_pad - 32}" '
                     f'y2="{top_pad + plot_h}" stroke="{TEXT}" stroke-dasharray="5,4"/>'
                     f'<text x="{mx + 4:.1f}" y="{top_pad - 22}" font-size="12" '
                     f'fill="{TEXT}">{escape(marker_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def share_bar(parts_: Sequence[tuple[str, int]], *, title: str, width: int = 640,
              chart_id: str = "") -> str:
    """One 100% bar split into parts, with a legend."""
    total = sum(v for _, v in parts_) or 1
    colours = _colours([label for label, _ in parts_])
    out = [_open(width, 80, title, chart_id)]
    x = 0.0
    for label, value in parts_:
        w = (width - 20) * value / total
        out.append(f'<rect x="{10 + x:.1f}" y="8" width="{w:.1f}" height="30" '
                   f'fill="{colours[label]}" data-label="{_attr(label)}" '
                   f'data-value="{value}"><title>{escape(label)}: {value}</title></rect>')
        x += w
    out.append(_legend([f"{label} ({value})" for label, value in parts_],
                       {f"{label} ({value})": colours[label] for label, value in parts_},
                       10, 60))
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------ helpers


def _open(width: int, height: int, title: str, chart_id: str) -> str:
    ident = f' id="{_attr(chart_id)}"' if chart_id else ""
    return (f'<svg{ident} xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'font-family="system-ui, sans-serif"><title>{escape(title)}</title>')


def _empty(width: int, height: int) -> str:
    return (f'<text x="{width / 2}" y="{min(height, 60) / 2 + 5}" text-anchor="middle" '
            f'font-size="13" fill="{MUTED}">geen gegevens / no data</text>')


def _colours(names: Sequence[str]) -> dict[str, str]:
    out = {}
    for i, name in enumerate(names):
        out[name] = OTHER_COLOUR if name == OTHER else PALETTE[i % len(PALETTE)]
    return out


def _axis_label(label: str, x: float, y: float) -> str:
    """A label under a column; "Dutch / English" on two lines, so neighbours stay apart."""
    nl, sep, en = label.partition(" / ")
    if not sep:
        return (f'<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="middle" '
                f'fill="{MUTED}">{escape(label)}</text>')
    return (f'<text x="{x:.1f}" y="{y}" font-size="11" text-anchor="middle" fill="{MUTED}">'
            f'<tspan x="{x:.1f}">{escape(nl)}</tspan>'
            f'<tspan x="{x:.1f}" dy="13">/ {escape(en)}</tspan></text>')


def text_width(text: str, size: float) -> float:
    """About how wide ``text`` is drawn at font size ``size`` (a generous average for
    system-ui: room enough, not a measurement)."""
    return len(text) * size * 0.6


def _legend_columns(names: Sequence[str], room: float, size: float = 12) -> tuple[int, int]:
    """How many legend entries fit side by side (four, fewer when the names are long) and
    how far apart they are."""
    widest = max((text_width(name, size) for name in names), default=0) + 30  # swatch, gap
    column = max(210, round(widest))
    return max(1, min(4, int(room // column))), column


def _legend(names: Sequence[str], colours: Mapping[str, str], x0: float, y0: float, *,
            per_row: int = 4, column: float = 210) -> str:
    out = []
    for i, name in enumerate(names):
        x = x0 + (i % per_row) * column
        y = y0 + (i // per_row) * 22
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" '
                   f'fill="{colours[name]}"/><text x="{x + 18}" y="{y}" font-size="12" '
                   f'fill="{TEXT}">{escape(name)}</text>')
    return "".join(out)


def _ticks(peak: float) -> list[float]:
    if peak <= 0:
        return []
    raw = peak / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = max(1, round(raw / magnitude) * magnitude)
    ticks, value = [], float(step)
    while value <= peak:
        ticks.append(value)
        value += step
    return ticks
