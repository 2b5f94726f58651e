"""The short reason shown with each route, in the question's language."""

from __future__ import annotations

from collections.abc import Sequence

from routing.model import LANGS, NATIONAL, Entry, KnowledgeMap

_CACHE_LIMIT = 20_000
_CONTEXT_LIMIT = 2_000  # questions' contexts kept, each with at most a few sentences


def _join(parts: Sequence[str], lang: str) -> str:
    """"a en b"; with commas only when a label has its own "en" ("groen en
    biodiversiteit, water"), so that the list reads unambiguously."""
    if len(parts) <= 1:
        return "".join(parts)
    word = " en " if lang == "nl" else " and "
    if any(word in p for p in parts):
        return ", ".join(parts)
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
        # the same sentences grouped by what a question decides, then by (entry, named)
        self._by_context: dict[tuple[str, tuple[str, ...], tuple[str, ...], str | None,
                                     str | None], dict[tuple[str, bool], str]] = {}

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

    def explain_all(self, picked: Sequence[tuple[Entry, bool]], *, lang: str,
                    themes: tuple[str, ...], needs: tuple[str, ...], region: str | None,
                    municipality: str | None) -> list[str]:
        """``explain`` for several (entry, named) pairs of one question, with what they
        share looked up once."""
        context = (lang, themes, needs, region, municipality)
        known = self._by_context.get(context)
        if known is None:
            if len(self._by_context) >= _CONTEXT_LIMIT:
                self._by_context.clear()
            known = self._by_context[context] = {}
        out = []
        for entry, named in picked:
            why = known.get((entry.id, named))
            if why is None:
                why = known[(entry.id, named)] = self._explain(
                    entry, lang=lang, themes=themes, needs=needs, region=region,
                    municipality=municipality, named=named)
            out.append(why)
        return out

    def _explain(self, entry: Entry, *, lang: str, themes: Sequence[str],
                 needs: Sequence[str], region: str | None, municipality: str | None,
                 named: bool) -> str:
        labels = self._labels["en" if lang == "en" else "nl"]
        on = _join([labels[t] for t in themes if t in entry.themes and t in labels][:2], lang)
        helps = _join([labels[n] for n in needs if n in entry.needs and n in labels][:2], lang)
        if municipality is not None and municipality in entry.municipalities:
            place = municipality
        elif region is not None and region in entry.regions and region != NATIONAL:
            place = self._regions.get(region, region)
        elif NATIONAL in entry.regions:
            place = "heel Nederland" if lang == "nl" else "the whole country"
        else:
            place = ", ".join(self._regions.get(r, r) for r in entry.regions)
        if lang == "nl":
            parts = ["Je noemde deze organisatie"] if named else [
                *([f"Past bij {on}"] if on else []),
                *([f"helpt met {helps}" if on else f"Helpt met {helps}"] if helps else [])]
            return "; ".join(parts or ["Algemeen aanspreekpunt"]) + f"; voor {place}."
        parts = ["You named this organisation"] if named else [
            *([f"Matches {on}"] if on else []),
            *([f"helps with {helps}" if on else f"Helps with {helps}"] if helps else [])]
        return "; ".join(parts or ["General point of contact"]) + f"; for {place}."
