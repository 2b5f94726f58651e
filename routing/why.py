"""The short reason shown with each route, in the question's language."""

from __future__ import annotations

from collections.abc import Sequence

from routing.model import LANGS, NATIONAL, Entry, KnowledgeMap

_CACHE_LIMIT = 20_000


def _join(parts: Sequence[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    word = " en " if lang == "nl" else " and "
    return ", ".join(parts[:-1]) + word + parts[-1]


class Explainer:
    """Writes each route's *why*, with the map's labels looked up once."""

    def __init__(self, kmap: KnowledgeMap) -> None:
        self._labels: dict[str, dict[str, str]] = {}
        for lang in LANGS:
            labels = {t.id: t.label.get(lang).lower() for t in kmap.themes}
            labels.update({n.id: n.label.get(lang).lower() for n in kmap.needs})
            self._labels[lang] = labels
        self._regions = {r.id: r.name for r in kmap.regions}
        # sentences already written, keyed by what they depend on (not by the question)
        self._cache: dict[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None,
                                str | None, bool], str] = {}

    def explain(self, entry: Entry, *, lang: str, themes: Sequence[str],
                needs: Sequence[str], region: str | None, municipality: str | None,
                named: bool = False) -> str:
        """One sentence naming the matched theme(s), need(s) and place."""
        key = (entry.id, lang, tuple(themes), tuple(needs), region, municipality, named)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._explain(entry, lang=lang, themes=themes, needs=needs,
                                   region=region, municipality=municipality, named=named)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _explain(self, entry: Entry, *, lang: str, themes: Sequence[str],
                 needs: Sequence[str], region: str | None, municipality: str | None,
                 named: bool) -> str:
        labels = self._labels["en" if lang == "en" else "nl"]
        matched = [labels[t] for t in themes if t in entry.themes and t in labels][:2]
        matched += [labels[n] for n in needs if n in entry.needs and n in labels][:2]
        if municipality is not None and municipality in entry.municipalities:
            place = municipality
        elif region is not None and region in entry.regions and region != NATIONAL:
            place = self._regions.get(region, region)
        elif NATIONAL in entry.regions:
            place = "heel Nederland" if lang == "nl" else "the whole country"
        else:
            place = ", ".join(self._regions.get(r, r) for r in entry.regions)
        what = _join(matched, lang)
        if lang == "nl":
            head = "Je noemde deze organisatie" if named else (
                f"Past bij {what}" if what else "Algemeen aanspreekpunt")
            return f"{head}; voor {place}."
        head = "You named this organisation" if named else (
            f"Matches {what}" if what else "General point of contact")
        return f"{head}; for {place}."
