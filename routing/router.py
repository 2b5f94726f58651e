"""The router: from a volunteer's question to themes, needs, place, routes and a servant.

Everything it knows comes from the knowledge map given to ``Router``; the indexes are
built once there and ``route`` does no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from routing.index import NEED, THEME, BoolArray, EntryArrays, FloatArray, TermIndex
from routing.lang import detect
from routing.model import GENERAL_THEME, STAGES, KnowledgeMap, Servant
from routing.normalize import STOPWORDS, canonical_stem, cased_tokens, tokens, truncate
from routing.places import PlaceIndex
from routing.result import Clarify, Hints, Route, RouteResult, ServantRef
from routing.scope import classify, is_lexicon_word, redirect
from routing.servant import order_servants, servant_tiers
from routing.why import Explainer

# Tuning constants (dimensionless weights; see benchmarks/ROUTING.md for how they were set).
THEME_MIN = 0.5  # evidence needed to call a theme
NEED_MIN = 0.45  # evidence needed to call a need
SECONDARY_SHARE = 0.3  # a further theme/need must reach this share of the first one
REPEAT_SHARE = 0.3  # further mentions of the same theme or need count this much
EARLY_BONUS = 0.3  # a theme named early in the text is more likely the subject
TEXT_THEME_WEIGHT = 0.2  # theme evidence from words of the entries' texts
ENTRY_THEME_SHARE = 0.3  # an entry named by name or terms speaks for its first theme
NAMED_SCALE = 1.5  # evidence at which an entry's own name or terms count fully
_ANY_THEME = 0.7  # how well an entry for any theme fits a themed question
_EXTRA_SHARE = 0.25  # weight of further matched themes/needs beyond the best one
_W_THEME, _W_NEED, _W_TEXT, _W_NAMED = 1.0, 0.8, 0.35, 1.0
_LOCAL_MUNICIPALITY, _LOCAL_PROVINCE = 0.35, 0.3
_SCORE_SCALE = 3.0
_MASK_CACHE_LIMIT = 1024
_MAX_SPANS = 8  # mentions of one theme or need counted at most
SETTING_CONTEXT = 0.6  # a theme word in a phrase of place ("bij de vijver") says less

# General words that show a volunteer asks for help of some kind (not tied to any map).
_HELP_CUES = frozenset(
    [
        "wie", "hoe", "waar", "welke", "welk", "wat", "help", "helpen", "hulp", "tips", "tip",
        "advies", "iemand", "ergens", "who", "how", "where", "which", "what", "someone", "anyone",
        "anybody", "advice", "ideas"
    ]
)
# General prepositions of place and the short words that may follow them before a noun
# ("bij de vijver", "langs de gracht", "next to the park").
_LOCATIVE = frozenset(["in", "op", "bij", "naast", "langs", "rond", "rondom", "nabij",
                       "vlakbij", "achter", "tegenover", "at", "near", "around", "along",
                       "beside", "on"])
_DETERMINERS = frozenset(["de", "het", "een", "onze", "ons", "mijn", "hun", "die", "dat",
                          "deze", "dit", "the", "a", "an", "our", "my", "their", "this",
                          "that"])
# General wording for an initiative's stage, keyed by the format's stage ids.
_STAGE_CUES: dict[str, tuple[str, ...]] = {
    "idea": ("idee", "idea", "denken erover", "thinking about"),
    "starting": ("beginnen", "starten", "opzetten", "oprichten", "set up", "starting",
                 "in oprichting", "just started", "net begonnen"),
    "running": ("draaien al", "al jaren", "lopen al", "already running", "for years",
                "is running", "loopt al"),
    "scaling": ("opschalen", "scale up", "scaling up", "roll out", "uitrollen"),
}


@dataclass(frozen=True, slots=True)
class _Analysis:
    lang: str
    toks: list[str]
    themes: list[tuple[str, float]]
    weak_themes: frozenset[str]  # themes with some evidence below THEME_MIN
    evidence: float  # best specific theme score from words outside the out-of-scope lexicon
    needs: list[tuple[str, float]]
    named: dict[int, float]  # entry row -> weight of its name or terms in the question
    region: str | None
    municipality: str | None
    stage: str | None
    skip: frozenset[int]
    bag: tuple[str, ...]  # distinct canonical keys of the content words outside places


def _best_cover(spans: list[tuple[int, int, float]], repeat: float = 1.0) -> float:
    """The heaviest non-overlapping spans: the best counts fully, the others by ``repeat``.

    A longer phrase is not counted twice through its parts.
    """
    taken: list[tuple[int, int]] = []
    total = 0.0
    for start, end, weight in sorted(spans, key=lambda s: -s[2]):
        if len(taken) >= _MAX_SPANS:
            break
        if any(start < e and s < end for s, e in taken):
            continue
        total += weight if not taken else repeat * weight
        taken.append((start, end))
    return total


def _setting_positions(toks: Sequence[str]) -> frozenset[int]:
    """Positions of the noun right after a preposition of place (and a determiner)."""
    out: set[int] = set()
    for i, t in enumerate(toks):
        if t in _LOCATIVE:
            j = i + 1
            while j < len(toks) and j <= i + 2 and toks[j] in _DETERMINERS:
                j += 1
            out.add(j)
    return frozenset(out)


def _rank(scores: dict[str, float], first_pos: dict[str, int], minimum: float,
          demote: str | None = None) -> list[tuple[str, float]]:
    ranked = sorted(((k, v) for k, v in scores.items() if v >= minimum),
                    key=lambda kv: (kv[0] == demote,
                                    -(kv[1] + EARLY_BONUS / (1 + first_pos[kv[0]])),
                                    first_pos[kv[0]], kv[0]))
    if not ranked:
        return []
    top = ranked[0][1]
    return [ranked[0]] + [kv for kv in ranked[1:] if kv[1] >= SECONDARY_SHARE * top]


class Router:
    """Routes questions against one knowledge map."""

    def __init__(self, kmap: KnowledgeMap) -> None:
        self.kmap = kmap
        place_words = {t for r in kmap.regions for name in (r.name, *r.municipalities,
                                                            *r.aliases,
                                                            *r.municipality_aliases)
                       for t in tokens(name)}
        self.index = TermIndex(kmap, exclude_words=place_words)
        self.places = PlaceIndex(kmap.regions, common_words=self.index.vocab)
        self.arrays = EntryArrays(kmap, self.index)
        self.arrays.build_theme_text(kmap, self.index.theme_ids)
        self.explainer = Explainer(kmap)
        a = self.arrays
        self._region_masks: dict[str, BoolArray] = {
            r.id: a.national | a.mask_rows(a.region_rows.get(r.id, [])) for r in kmap.regions
        }
        self._muni_masks: dict[str, BoolArray] = {
            m: ~a.has_municipalities | a.mask_rows(rows)
            for m, rows in a.municipality_rows.items()
        }
        self._muni_rows = {m: a.mask_rows(rows) for m, rows in a.municipality_rows.items()}
        self._province_rows = {
            r.id: a.mask_rows(a.region_rows.get(r.id, [])) & ~a.national for r in kmap.regions
        }
        self._stage_masks = {s: ~a.has_stages | a.mask_rows(a.stage_rows.get(s, []))
                             for s in STAGES}
        self._no_muni = ~a.has_municipalities
        self._mask_cache: dict[tuple[dt.date, str | None, str | None, str | None],
                               BoolArray] = {}
        self._any_fit = np.full(a.size, _ANY_THEME, dtype=np.float32)
        self._open_cache: dict[dt.date, BoolArray] = {}
        self._servant_cache: dict[tuple[str | None, str | None],
                                  list[tuple[int, Servant]]] = {}
        self.local_needs, self.theme_free_needs = self._need_kinds()
        self._need_pos = {n: i for i, n in enumerate(self.index.need_ids)}
        self._free_fit: dict[str, FloatArray] = {}
        for need in self.theme_free_needs & set(self._need_pos):
            fit = self._any_fit.copy()
            fit[a.need_cols[self._need_pos[need]] > 0] = 1.0
            self._free_fit[need] = fit
        counts = {n.id: sum(1 for e in kmap.entries if n.id in e.needs) for n in kmap.needs}
        self.default_need = max(counts, key=lambda n: (counts[n], n)) if counts else None
        self._theme_pos = {t: i for i, t in enumerate(self.index.theme_ids)}
        self._has_general = any(t.id == GENERAL_THEME for t in kmap.themes)
        self._stage_phrases = {s: [f" {' '.join(tokens(c))} " for c in cues]
                               for s, cues in _STAGE_CUES.items()}

    def _servants(self, theme: str | None, region: str | None, today: dt.date,
                  open_cases: Mapping[str, int]) -> list[Servant]:
        """``rank_servants``, with the theme and region filter worked out once per pair."""
        key = (theme, region)
        tiers = self._servant_cache.get(key)
        if tiers is None:
            tiers = servant_tiers(self.kmap, theme=theme, region=region)
            if len(self._servant_cache) < 4096:
                self._servant_cache[key] = tiers
        return order_servants(tiers, today=today, open_cases=open_cases)

    def _need_kinds(self) -> tuple[frozenset[str], frozenset[str]]:
        """Needs answered mostly by municipal entries (local: a permit, a space) and needs
        answered mostly by entries for any theme (theme-free: legal help)."""
        local, free = set(), set()
        for need in self.kmap.needs:
            answering = [e for e in self.kmap.entries if need.id in e.needs]
            if not answering:
                continue
            regional = sum(1 for e in answering if e.municipalities)
            anytheme = sum(1 for e in answering
                           if not e.themes or GENERAL_THEME in e.themes)
            if regional / len(answering) > 0.5:
                local.add(need.id)
            if anytheme / len(answering) >= 0.5:
                free.add(need.id)
        return frozenset(local), frozenset(free)

    # ------------------------------------------------------------------ analysis
    def _analyse(self, text: str) -> _Analysis:
        cased = cased_tokens(truncate(text))
        toks = [t for t, _ in cased]
        caps = [c for _, c in cased]
        lang = detect(toks)
        found = self.places.find(toks, caps)
        region = municipality = None
        skip: set[int] = set()
        for m in found:
            skip.update(range(m.position, m.position + m.length))
        munis = [m for m in found if m.municipality is not None]
        if munis:
            region, municipality = munis[0].region, munis[0].municipality
        elif found:
            region = found[0].region
        theme_spans: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        need_spans: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        named_spans: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
        first: dict[tuple[int, int], int] = {}
        setting = _setting_positions(toks) if SETTING_CONTEXT < 1.0 else frozenset()
        in_context: set[int] = set()  # themes with a mention in a phrase of place
        softened: set[tuple[int, int, int]] = set()  # (theme, start, end) weighed down
        for match in self.index.match(toks, frozenset(skip), lang):
            end = match.start + match.length
            in_setting = match.start in setting and not match.phrase.setting
            for kind, idx, weight in match.phrase.targets:
                if kind == THEME and in_setting:
                    weight *= SETTING_CONTEXT
                    in_context.add(idx)
                    softened.add((idx, match.start, end))
                spans = (theme_spans if kind == THEME else need_spans if kind == NEED
                         else named_spans)
                spans[idx].append((match.start, end, weight * match.factor))
                first[(kind, idx)] = min(first.get((kind, idx), 10**9), match.start)
        theme_ids, need_ids = self.index.theme_ids, self.index.need_ids
        bag = self._bag(toks, skip)
        covers = {i: _best_cover(s, REPEAT_SHARE) for i, s in theme_spans.items()}
        theme_scores = {theme_ids[i]: c for i, c in covers.items()}
        if ENTRY_THEME_SHARE:
            # an entry named by its name or terms speaks for its first theme
            for row, entry_spans in named_spans.items():
                entry_themes = self.kmap.entries[row].themes
                if entry_themes and entry_themes[0] in self._theme_pos:
                    t = entry_themes[0]
                    theme_scores[t] = theme_scores.get(t, 0.0) + ENTRY_THEME_SHARE * min(
                        1.0, _best_cover(entry_spans))
                    first.setdefault((THEME, self._theme_pos[t]),
                                     min(sp[0] for sp in entry_spans))
                    theme_spans.setdefault(self._theme_pos[t], [])
        if TEXT_THEME_WEIGHT and theme_scores:
            text_evidence = self._theme_text(bag)
            top_text = max(text_evidence.values(), default=0.0)
            if top_text > 0:
                for i, v in text_evidence.items():
                    t = theme_ids[i]
                    if t in theme_scores:
                        theme_scores[t] += TEXT_THEME_WEIGHT * v / top_text
        need_scores = {need_ids[i]: _best_cover(s, REPEAT_SHARE)
                       for i, s in need_spans.items()}
        themes = _rank(theme_scores, {theme_ids[i]: first[(THEME, i)] for i in theme_spans},
                       THEME_MIN, demote=GENERAL_THEME)
        if in_context:
            # the setting context decides the order only; the routes weigh every theme
            # by its full evidence
            full = {theme_ids[i]: _best_cover(
                [(a, b, w / SETTING_CONTEXT if (i, a, b) in softened else w)
                 for a, b, w in theme_spans[i]], REPEAT_SHARE) - covers[i]
                for i in in_context}
            themes = [(t, v + full.get(t, 0.0)) for t, v in themes]
        needs = _rank(need_scores, {need_ids[i]: first[(NEED, i)] for i in need_spans},
                      NEED_MIN)
        named = {i: _best_cover(s) for i, s in named_spans.items()}
        general = theme_ids.index(GENERAL_THEME) if GENERAL_THEME in theme_ids else -1
        lexicon = [i for i, t in enumerate(toks) if is_lexicon_word(t)]
        if lexicon:  # words of the out-of-scope lexicon are no evidence of scope
            evidence = max((_best_cover([sp for sp in spans if not any(
                sp[0] <= j < sp[1] for j in lexicon)], REPEAT_SHARE)
                for i, spans in theme_spans.items() if i != general), default=0.0)
        else:
            evidence = max((c for i, c in covers.items() if i != general), default=0.0)
        stage = self._stage(toks)
        weak = frozenset(theme_scores) - {t for t, _ in themes}
        return _Analysis(lang, toks, themes, weak, evidence, needs, named, region,
                         municipality, stage, frozenset(skip), bag)

    def _theme_text(self, bag: Sequence[str]) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        table = self.arrays.theme_text
        for key in bag:
            for idx, v in table.get(key, ()):
                out[idx] += v
        return out

    @staticmethod
    def _bag(toks: Sequence[str], skip: set[int]) -> tuple[str, ...]:
        """The question's distinct canonical word keys for the bag-of-words lookups."""
        out: dict[str, None] = {}
        for i, t in enumerate(toks):
            if i in skip or t in STOPWORDS or len(t) < 3 or t.isdigit():
                continue
            out[canonical_stem(t)] = None
        return tuple(out)

    def _stage(self, toks: Sequence[str]) -> str | None:
        joined = f" {' '.join(toks)} "
        found = [s for s, phrases in self._stage_phrases.items()
                 if any(p in joined for p in phrases)]
        return found[-1] if len(found) == 1 else None

    # ------------------------------------------------------------------ routing
    def route(self, text: str, *, today: dt.date, hints: Hints | None = None,
              open_cases: Mapping[str, int] | None = None,
              max_routes: int = 10) -> RouteResult:
        """Route one question; never raises on odd text."""
        hints = hints or Hints()
        an = self._analyse(text or "")
        lang = hints.lang if hints.lang in ("nl", "en") else an.lang
        themes = list(hints.themes) or [t for t, _ in an.themes]
        needs = list(hints.needs) or [n for n, _ in an.needs]
        region = hints.region or an.region
        municipality = hints.municipality
        if municipality is None and an.municipality is not None and (
                hints.region is None or hints.region == an.region):
            municipality = an.municipality
        stage = hints.stage or an.stage
        hinted = bool(hints.themes or hints.needs or hints.region or hints.municipality)
        kind = None if hinted else classify(an.toks, an.evidence)
        if kind is not None:
            return RouteResult(lang=lang, out_of_scope=True, redirect=redirect(kind, lang),
                               region=region, municipality=municipality,
                               extra={"scope": kind})
        if not an.toks and not hinted:
            return RouteResult(lang=lang, clarify=("theme", "need"),
                               extra={"empty": True})

        clarify: list[Clarify] = []
        if not themes:
            general_said = GENERAL_THEME in an.weak_themes
            if needs and (needs[0] in self.theme_free_needs or general_said) \
                    and self._has_general:
                themes = [GENERAL_THEME]
            else:
                clarify.append("theme")
        assumed_need = False
        if not needs:
            specific = bool(themes) and themes[0] != GENERAL_THEME
            if not (specific and set(an.toks) & _HELP_CUES):
                clarify.append("need")
            elif self.default_need is not None:
                # asked for help without saying what kind: the most common kind of help
                needs, assumed_need = [self.default_need], True
        if region is None and needs and needs[0] in self.local_needs and not assumed_need:
            clarify.append("region")

        routes, top = self._routes(an, themes, needs, region, municipality, stage, today,
                                   lang, max_routes)
        primary = themes[0] if themes else None
        servants = self._servants(primary, region, today, open_cases or {})
        servant = ServantRef(servants[0].id, servants[0].name) if servants else None
        confidence = min(1.0, top / _SCORE_SCALE)
        if clarify:
            confidence *= 0.5
        return RouteResult(
            lang=lang, themes=tuple(themes), needs=tuple(needs), region=region,
            municipality=municipality, stage=stage, clarify=tuple(clarify),
            routes=tuple(routes), servant=servant, confidence=round(confidence, 4),
            extra={"theme_scores": dict(an.themes), "need_scores": dict(an.needs),
                   "need_assumed": assumed_need},
        )

    def _weights(self, ranked: Sequence[str], pos: Mapping[str, int],
                 scores: Mapping[str, float]) -> FloatArray:
        w = np.zeros(max(1, len(pos)), dtype=np.float32)
        top = max((scores.get(x, 0.0) for x in ranked[:1]), default=0.0)
        for rank, x in enumerate(ranked):
            if x not in pos:
                continue
            share = 1.0 if rank == 0 or top <= 0 else min(1.0, scores.get(x, top) / top)
            if x == GENERAL_THEME and rank > 0:
                share *= 0.5
            w[pos[x]] = share
        return w

    def _routes(self, an: _Analysis, themes: Sequence[str], needs: Sequence[str],
                region: str | None, municipality: str | None, stage: str | None,
                today: dt.date, lang: str, max_routes: int) -> tuple[list[Route], float]:
        a = self.arrays
        if a.size == 0 or not (themes or needs or an.named):
            return [], 0.0
        mask = self._filter_mask(today, region, municipality, stage)
        if not mask.any():
            return [], 0.0
        theme_w = self._weights(themes, self._theme_pos, dict(an.themes))
        need_w = self._weights(needs, self._need_pos, dict(an.needs))
        score = np.zeros(a.size, dtype=np.float32)
        relevant = np.zeros(a.size, dtype=np.bool_)
        if themes:
            best, total = self._fit(a.theme_cols, theme_w)
            s_theme = best + _EXTRA_SHARE * (total - best)
            any_fit = self._any_fit
            if needs and needs[0] in self._free_fit:
                # legal help and the like: the kind of help matters more than the theme
                any_fit = self._free_fit[needs[0]]
            s_theme = np.where(a.any_theme, any_fit, s_theme)
            score += _W_THEME * s_theme
            relevant |= best > 0
        if needs:
            best_n, total_n = self._fit(a.need_cols, need_w)
            score += _W_NEED * (best_n + _EXTRA_SHARE * (total_n - best_n))
            relevant |= (best_n > 0) & (a.any_theme | relevant | (not themes))
        for row, weight in an.named.items():
            score[row] += _W_NAMED * min(1.0, weight / NAMED_SCALE)
            relevant[row] = True
        score += _W_TEXT * self._text_scores(an)
        if municipality is not None and municipality in self._muni_rows:
            score += _LOCAL_MUNICIPALITY * self._muni_rows[municipality]
        if region is not None and region in self._province_rows:
            score += _LOCAL_PROVINCE * self._province_rows[region]
        rows = np.flatnonzero(relevant & mask)
        if rows.size == 0:
            return [], 0.0
        picked = rows[np.argsort(-score[rows], kind="stable")[:max_routes]]
        picked_scores = score[picked].tolist()
        routes = []
        entries = self.kmap.entries
        for row, value in zip(picked.tolist(), picked_scores, strict=True):
            entry = entries[row]
            why = self.explainer.explain(entry, lang=lang, themes=themes, needs=needs,
                                         region=region, municipality=municipality,
                                         named=an.named.get(row, 0.0) >= 3.0)
            routes.append(Route(entry.id, entry.kind, entry.name,
                                min(1.0, value / _SCORE_SCALE), why))
        return routes, picked_scores[0]

    def _filter_mask(self, today: dt.date, region: str | None, municipality: str | None,
                     stage: str | None) -> BoolArray:
        """Entries open on the day, for the place and the stage (worked out once per
        combination: a handful of days, places and stages)."""
        key = (today, region, municipality, stage)
        cached = self._mask_cache.get(key)
        if cached is not None:
            return cached
        a = self.arrays
        mask = self._open_mask(today)
        if region is not None and region in self._region_masks:
            mask = mask & self._region_masks[region]
        else:
            mask = mask & a.national
        if municipality is not None and municipality in self._muni_masks:
            mask &= self._muni_masks[municipality]
        else:
            mask &= self._no_muni
        if stage is not None:
            mask &= self._stage_masks.get(stage, mask)
        if len(self._mask_cache) >= _MASK_CACHE_LIMIT:
            self._mask_cache.clear()
        self._mask_cache[key] = mask
        return mask

    def _fit(self, cols: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per entry: the best weight among its matched themes (or needs), and their sum."""
        idx = np.flatnonzero(weights)
        if idx.size == 0:
            zero = np.zeros(self.arrays.size, dtype=np.float32)
            return zero, zero
        if idx.size == 1:
            column = cols[idx[0]] * weights[idx[0]]
            return column, column
        weighted = cols[idx] * weights[idx, None]
        return weighted.max(axis=0), weighted.sum(axis=0)

    def _text_scores(self, an: _Analysis) -> FloatArray:
        """tf-idf of the question's words over the entries' texts, scaled to [0, 1]."""
        text = self.arrays.text
        postings = [p for p in (text.get(key) for key in an.bag) if p is not None]
        if not postings:
            return np.zeros(self.arrays.size, dtype=np.float32)
        if len(postings) == 1:
            rows, weights = postings[0]
        else:  # one accumulation instead of one fancy-indexed add per word
            rows = np.concatenate([p[0] for p in postings])
            weights = np.concatenate([p[1] for p in postings])
        out = np.bincount(rows, weights=weights, minlength=self.arrays.size)
        top = float(out.max())
        return (out / top if top > 0 else out).astype(np.float32)

    def _open_mask(self, today: dt.date) -> BoolArray:
        cached = self._open_cache.get(today)
        if cached is None:
            day = today.toordinal()
            cached = (self.arrays.start <= day) & (day <= self.arrays.until)
            if len(self._open_cache) > 16:
                self._open_cache.clear()
            self._open_cache[today] = cached
        return cached
