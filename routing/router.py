"""The router: from a volunteer's question to themes, needs, place, routes and a servant.

Everything it knows comes from the knowledge map given to ``Router``; the indexes are
built once there and ``route`` does no I/O. This module analyses the question and applies
the clarify policy; ``routing.score`` filters and scores the entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.index import NEED, THEME, EntryArrays, TermIndex
from routing.lang import from_votes, vote
from routing.model import GENERAL_THEME, KnowledgeMap, Servant
from routing.normalize import (
    STOPWORDS,
    canonical_stem,
    cased_tokens,
    speaker_age_as_word,
    tokens,
    truncate,
)
from routing.places import PlaceIndex
from routing.result import Clarify, Hints, Route, RouteResult, ServantRef
from routing.scope import classify, is_lexicon_word, redirect
from routing.score import SPARSE_MAX_ROWS, EntryScorer
from routing.servant import order_present, present_tiers, servant_tiers
from routing.why import Explainer

# Tuning constants (dimensionless weights; see benchmarks/ROUTING.md for how they were set).
THEME_MIN = 0.5  # evidence needed to call a theme
NEED_MIN = 0.45  # evidence needed to call a need
SECONDARY_SHARE = 0.3  # a further theme/need must reach this share of the first one
REPEAT_SHARE = 0.3  # further mentions of the same theme or need count this much
EARLY_BONUS = 0.3  # a theme named early in the text is more likely the subject
TEXT_THEME_WEIGHT = 0.2  # theme evidence from words of the entries' texts
ENTRY_THEME_SHARE = 0.3  # an entry named by name or terms speaks for its first theme
_SCORE_SCALE = 3.0
_WORD_CACHE_LIMIT = 50_000
_MAX_SPANS = 8  # mentions of one theme or need counted at most
PEERS_WEIGHT = 0.8  # "andere <theme word>": wanting to meet peers, a little less sure
_OTHER = frozenset(["andere", "ander", "other", "others"])
SETTING_CONTEXT = 0.6  # a theme word in a phrase of place ("bij de vijver") says less

# General words that show a volunteer asks for help of some kind (not tied to any map).
_HELP_CUES = frozenset(
    [
        "wie", "hoe", "waar", "welke", "welk", "wat", "tips", "tip",
        "advies", "iemand", "ergens", "who", "how", "where", "which", "what", "someone", "anyone",
        "anybody", "advice", "ideas"
    ]
)
_WHAT = frozenset(["wat", "what"])
_DESK = frozenset(["jullie", "you", "u"])
# General prepositions of place and the short words that may follow them before a noun
# ("bij de vijver", "langs de gracht", "next to the park").
_LOCATIVE = frozenset(["in", "op", "bij", "naast", "langs", "rond", "rondom", "nabij",
                       "vlakbij", "achter", "tegenover", "at", "near", "around", "along",
                       "beside", "on"])
# Words that introduce a cause or source: what it comes from is not what the initiative works on.
_CAUSE = frozenset(["door", "vanwege", "from", "by"])
_OF = frozenset(["van", "of"])
_REPLACED = ("vervang", "replac")  # "vervangen door groen": the new thing, not a cause
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
class _Word:
    """What the analysis needs of one query token besides phrase matching (once per token)."""

    bag_key: str | None  # its canonical key for the bag-of-words lookups, if it counts
    lexicon: bool  # a word of the out-of-scope lexicon (no evidence of scope)
    vote: int  # +1 Dutch, -1 English, 0 neither


_NO_HINTS = Hints()


@dataclass(slots=True)  # not frozen: made once per question, and a frozen one costs more
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
    if len(spans) == 1:
        return 0.0 + spans[0][2]
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


def _after(toks: Sequence[str], i: int) -> int:
    """The position of the noun after position ``i`` and at most two determiners."""
    j = i + 1
    while j < len(toks) and j <= i + 2 and toks[j] in _DETERMINERS:
        j += 1
    return j


def _setting_positions(toks: Sequence[str]) -> frozenset[int]:
    """Positions of the noun right after a preposition of place (and a determiner), and of
    a cause ("door de uitstoot van de fabriek", "a hum from a factory")."""
    out: set[int] = set()
    if not _LOCATIVE.isdisjoint(toks):
        out.update(_after(toks, i) for i, t in enumerate(toks) if t in _LOCATIVE)
    if not _CAUSE.isdisjoint(toks):
        for i, t in enumerate(toks):
            if t in _CAUSE and not (i and toks[i - 1].startswith(_REPLACED)):
                j = _after(toks, i)
                out.add(j)
                while j + 1 < len(toks) and toks[j + 1] in _OF:  # "... van de fabriek"
                    j = _after(toks, j + 1)
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

    def __init__(self, kmap: KnowledgeMap, *, sparse_max_rows: int = SPARSE_MAX_ROWS) -> None:
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
        self._servant_cache: dict[tuple[str | None, str | None, dt.date],
                                  list[tuple[int, Servant]]] = {}
        self.local_needs, self.theme_free_needs = self._need_kinds()
        self.scorer = EntryScorer(kmap, self.arrays, theme_ids=self.index.theme_ids,
                                  need_ids=self.index.need_ids,
                                  theme_free_needs=self.theme_free_needs,
                                  sparse_max_rows=sparse_max_rows)
        counts = {n.id: sum(1 for e in kmap.entries if n.id in e.needs) for n in kmap.needs}
        self.default_need = max(counts, key=lambda n: (counts[n], n)) if counts else None
        self._theme_pos = {t: i for i, t in enumerate(self.index.theme_ids)}
        self._has_general = any(t.id == GENERAL_THEME for t in kmap.themes)
        self._general_pos = self._theme_pos.get(GENERAL_THEME, -1)
        # the need of the map's own "andere groepen" / "other initiatives": meeting peers
        peers = [i for i, n in enumerate(kmap.needs) for term in n.terms.all()
                 if (w := tokens(term)) and len(w) == 2 and w[0] in _OTHER]
        self._peers_need = self.index.need_ids.index(kmap.needs[peers[0]].id) \
            if peers else None
        self._stage_phrases = {s: [f" {' '.join(tokens(c))} " for c in cues]
                               for s, cues in _STAGE_CUES.items()}
        self._words: dict[str, _Word] = {}
        # per stage cue: its words (all must be in the question before it is looked for)
        self._stage_words = {p: frozenset(p.split()) for ps in self._stage_phrases.values()
                             for p in ps}
        # each cue under its longest word, the one least likely to be in a question
        self._stage_keys: dict[str, list[str]] = defaultdict(list)
        for p in self._stage_words:
            if p.split():
                self._stage_keys[max(p.split(), key=len)].append(p)

    @property
    def sparse_max_rows(self) -> int:
        """See ``routing.score.SPARSE_MAX_ROWS``; tests compare both ways."""
        return self.scorer.sparse_max_rows

    def _servants(self, theme: str | None, region: str | None, today: dt.date,
                  open_cases: Mapping[str, int], lang: str) -> list[Servant]:
        """``rank_servants``, with the theme, region and absence filter worked out once per
        (theme, region, day)."""
        key = (theme, region, today)
        tiers = self._servant_cache.get(key)
        if tiers is None:
            tiers = present_tiers(servant_tiers(self.kmap, theme=theme, region=region),
                                  today=today)
            if len(self._servant_cache) >= 4096:
                self._servant_cache.clear()
            self._servant_cache[key] = tiers
        return order_present(tiers, open_cases=open_cases, lang=lang)

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
        toks = speaker_age_as_word([t for t, _ in cased])
        caps = [c for _, c in cased]
        known = self._words
        words = [known.get(t) or self._word(t) for t in toks]
        lang = from_votes(sum([w.vote for w in words]))
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
        if self._peers_need is not None and not _OTHER.isdisjoint(toks):
            # "andere repaircafés", "other energy co-ops": peers of a kind the map knows
            peers = self._peers_need
            for start in {a for found in theme_spans.values() for a, _, _ in found}:
                if start > 0 and toks[start - 1] in _OTHER and (
                        start < 2 or toks[start - 2] != "een"):  # "een andere fabriek": one
                    need_spans[peers].append((start - 1, start + 1, PEERS_WEIGHT))
                    first[(NEED, peers)] = min(first.get((NEED, peers), 10**9), start - 1)
        theme_ids, need_ids = self.index.theme_ids, self.index.need_ids
        bag = self._bag(words, skip)
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
                for t in theme_scores:
                    v = text_evidence.get(self._theme_pos[t])
                    if v is not None:
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
        general = self._general_pos
        lexicon = [i for i, w in enumerate(words) if w.lexicon]
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
        out: dict[int, float] = {}
        table = self.arrays.theme_text
        get = out.get
        for key in bag:
            for idx, v in table.get(key, ()):
                out[idx] = get(idx, 0.0) + v
        return out

    def _word(self, token: str) -> _Word:
        cached = self._words.get(token)
        if cached is None:
            counts = not (token in STOPWORDS or len(token) < 3 or token.isdigit())
            cached = _Word(canonical_stem(token) if counts else None, is_lexicon_word(token),
                           vote(token))
            if len(self._words) < _WORD_CACHE_LIMIT:
                self._words[token] = cached
        return cached

    @staticmethod
    def _bag(words: Sequence[_Word], skip: set[int]) -> tuple[str, ...]:
        """The question's distinct canonical word keys for the bag-of-words lookups."""
        out: dict[str, None] = {}
        for i, w in enumerate(words):
            if w.bag_key is not None and i not in skip:
                out[w.bag_key] = None
        return tuple(out)

    def _stage(self, toks: Sequence[str]) -> str | None:
        present = frozenset(toks)
        if not any(self._stage_words[p] <= present
                   for w in present.intersection(self._stage_keys) for p in self._stage_keys[w]):
            return None  # no cue has all its words in the question
        joined = f" {' '.join(toks)} "
        found = [s for s, phrases in self._stage_phrases.items()
                 if any(p in joined for p in phrases)]
        return found[-1] if len(found) == 1 else None

    # ------------------------------------------------------------------ routing
    def route(self, text: str, *, today: dt.date, hints: Hints | None = None,
              open_cases: Mapping[str, int] | None = None,
              max_routes: int = 10) -> RouteResult:
        """Route one question; never raises on odd text."""
        hints = hints or _NO_HINTS
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
                weak = sorted(an.weak_themes - {GENERAL_THEME})
                if len(weak) == 1 and needs[0] in self.local_needs:
                    # a space for "onze buurtkamer": the one theme hinted at decides who
                    # locally helps, before the general theme
                    themes.insert(0, weak[0])
            else:
                clarify.append("theme")
        assumed_need = False
        if not needs:
            specific = bool(themes) and themes[0] != GENERAL_THEME
            cues = set(an.toks) & _HELP_CUES
            if cues <= _WHAT and not _DESK.isdisjoint(an.toks):
                cues = set()  # "wat kunnen jullie voor ons betekenen?": any help at all
            if not (specific and cues):
                clarify.append("need")
            elif self.default_need is not None:
                # asked for help without saying what kind: the most common kind of help
                needs, assumed_need = [self.default_need], True
        if region is None and needs and needs[0] in self.local_needs and not assumed_need:
            clarify.append("region")

        routes, top = self._routes(an, themes, needs, region, municipality, stage, today,
                                   lang, max_routes, say_needs=not assumed_need)
        primary = themes[0] if themes else None
        servants = self._servants(primary, region, today, open_cases or {}, lang)
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

    def _routes(self, an: _Analysis, themes: Sequence[str], needs: Sequence[str],
                region: str | None, municipality: str | None, stage: str | None,
                today: dt.date, lang: str, max_routes: int,
                say_needs: bool = True) -> tuple[list[Route], float]:
        """The best entries as routes with their *why*, and the best raw score. An assumed
        need (``say_needs=False``) orders the routes but is not given as their reason."""
        ranked = self.scorer.rank(themes=themes, needs=needs, theme_scores=dict(an.themes),
                                  need_scores=dict(an.needs), named=an.named, bag=an.bag,
                                  region=region, municipality=municipality, stage=stage,
                                  today=today, limit=max_routes)
        if not ranked:
            return [], 0.0
        entries = self.kmap.entries
        picked = [(entries[row], an.named.get(row, 0.0) >= 3.0) for row, _ in ranked]
        whys = self.explainer.explain_all(picked, lang=lang, themes=tuple(themes),
                                          needs=tuple(needs) if say_needs else (),
                                          region=region,
                                          municipality=municipality)
        routes = [Route(entry.id, entry.kind, entry.name, min(1.0, value / _SCORE_SCALE), why)
                  for (entry, _), (_, value), why in zip(picked, ranked, whys, strict=True)]
        return routes, ranked[0][1]
