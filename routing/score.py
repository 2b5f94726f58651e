"""Entry scoring: which entries of the map answer what a question asks, best first.

``EntryScorer`` is built once per map. Its ``rank`` takes what the analysis found (themes,
needs, named entries, words, place, stage) and filters the entries (open on the day, for
the place and the stage) and scores them. A question that touches few entry rows is scored
row by row in Python floats rounded to float32 as numpy rounds them; other questions score
every entry at once with arrays. Both give the same scores and order, bit for bit.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Mapping, Sequence

import numpy as np

from routing.index import BoolArray, EntryArrays, FloatArray
from routing.model import GENERAL_THEME, STAGES, KnowledgeMap

# Tuning constants (dimensionless weights; see benchmarks/ROUTING.md for how they were set).
NAMED_SCALE = 1.5  # evidence at which an entry's own name or terms count fully
_ANY_THEME = 0.7  # how well an entry for any theme fits a themed question
_EXTRA_SHARE = 0.25  # weight of further matched themes/needs beyond the best one
_W_THEME, _W_NEED, _W_TEXT, _W_NAMED = 1.0, 0.8, 0.35, 1.0
_LOCAL_MUNICIPALITY, _LOCAL_PROVINCE = 0.35, 0.3
_MASK_CACHE_LIMIT = 1024
_WORD_CACHE_LIMIT = 50_000
# A question whose themes, needs and names touch at most this many entry rows is scored
# row by row in Python (numpy's per-operation cost dominates on small maps); otherwise
# every entry is scored at once with arrays. Both give the same scores, bit for bit.
SPARSE_MAX_ROWS = 256
_SPARSE_MAX_POSTINGS = 512  # beyond this many (word, entry) pairs text is summed with numpy

_F32 = array("f", [0.0])


def _f32(x: float) -> float:
    """``x`` rounded to float32, as numpy stores it: the row-by-row scoring repeats the
    array scoring's float32 arithmetic exactly (each operation in double, then rounded)."""
    _F32[0] = x
    return _F32[0]


def _sparse_fit(weights: Sequence[float]) -> float:
    """``best + _EXTRA_SHARE * (total - best)`` of ``EntryScorer._fit`` for one entry, in
    float32: ``total`` is summed in order, as numpy reduces the rows of a matrix."""
    best = weights[0]
    if len(weights) == 1:
        return best
    total = best
    for w in weights[1:]:
        total = _f32(total + w)
    best = max(weights)
    return _f32(best + _f32(_EXTRA_SHARE * _f32(total - best)))


def _shares(ranked: Sequence[str], pos: Mapping[str, int],
            scores: Mapping[str, float]) -> dict[int, float]:
    """Per asked theme (or need) position: its weight, relative to the first."""
    out: dict[int, float] = {}
    top = max((scores.get(x, 0.0) for x in ranked[:1]), default=0.0)
    for rank, x in enumerate(ranked):
        if x not in pos:
            continue
        share = 1.0 if rank == 0 or top <= 0 else min(1.0, scores.get(x, top) / top)
        if x == GENERAL_THEME and rank > 0:
            share *= 0.5
        out[pos[x]] = share
    return out


def _weights(shares: Mapping[int, float], size: int) -> FloatArray:
    w = np.zeros(max(1, size), dtype=np.float32)
    for i, share in shares.items():
        w[i] = share
    return w


def _weighted_sets(shares: Mapping[int, float], sets: Sequence[frozenset[int]]
                   ) -> list[tuple[float, frozenset[int]]]:
    """The asked themes (or needs) with a weight: float32 weight and rows, in the order
    ``EntryScorer._fit`` sums them."""
    out = []
    for i in sorted(shares):
        w = _f32(shares[i])
        if w:
            out.append((w, sets[i]))
    return out


class EntryScorer:
    """Filters and scores the entries of one map (rows of its ``EntryArrays``)."""

    def __init__(self, kmap: KnowledgeMap, arrays: EntryArrays, *,
                 theme_ids: Sequence[str], need_ids: Sequence[str],
                 theme_free_needs: frozenset[str],
                 sparse_max_rows: int = SPARSE_MAX_ROWS) -> None:
        self.arrays = a = arrays
        self.sparse_max_rows = sparse_max_rows  # see SPARSE_MAX_ROWS; tests compare both ways
        self._theme_pos = {t: i for i, t in enumerate(theme_ids)}
        self._need_pos = {n: i for i, n in enumerate(need_ids)}
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
        self._free_fit: dict[str, FloatArray] = {}
        for need in theme_free_needs & set(self._need_pos):
            fit = self._any_fit.copy()
            fit[a.need_cols[self._need_pos[need]] > 0] = 1.0
            self._free_fit[need] = fit
        # the same entry data as row lists and sets, for scoring only the rows a question
        # touches (see ``_routes_sparse``)
        self._theme_sets = [frozenset(np.flatnonzero(col).tolist()) for col in a.theme_cols]
        self._need_sets = [frozenset(np.flatnonzero(col).tolist()) for col in a.need_cols]
        self._any_theme_set = frozenset(np.flatnonzero(a.any_theme).tolist())
        self._any_value = float(self._any_fit[0]) if a.size else _ANY_THEME
        self._free_rows = {need: self._need_sets[self._need_pos[need]]
                           for need in self._free_fit}
        self._muni_sets = {m: frozenset(np.flatnonzero(v).tolist())
                           for m, v in self._muni_rows.items()}
        self._province_sets = {r: frozenset(np.flatnonzero(v).tolist())
                               for r, v in self._province_rows.items()}
        self._text_pairs: dict[str, tuple[tuple[int, float], ...]] = {}  # filled on use
        self._mask_rows_cache: dict[tuple[dt.date, str | None, str | None, str | None],
                                    frozenset[int]] = {}

    def rank(self, *, themes: Sequence[str], needs: Sequence[str],
             theme_scores: Mapping[str, float], need_scores: Mapping[str, float],
             named: Mapping[int, float], bag: Sequence[str], region: str | None,
             municipality: str | None, stage: str | None, today: dt.date,
             limit: int) -> list[tuple[int, float]]:
        """The best ``limit`` entries as (row, score), best first.

        ``themes`` and ``needs`` are the asked ones in order, weighed by their evidence in
        ``theme_scores``/``need_scores``; ``named`` maps an entry row to the weight of its
        name or terms in the question; ``bag`` holds the question's canonical word keys.
        """
        a = self.arrays
        if a.size == 0 or not (themes or needs or named):
            return []
        theme_shares = _shares(themes, self._theme_pos, theme_scores)
        need_shares = _shares(needs, self._need_pos, need_scores)
        touched = (sum(len(self._theme_sets[i]) for i in theme_shares)
                   + sum(len(self._need_sets[i]) for i in need_shares) + len(named))
        if touched <= self.sparse_max_rows:
            passing = self._filter_rows(today, region, municipality, stage)
            if not passing:
                return []
            ranked = self._routes_sparse(named, bag, bool(themes), needs, theme_shares,
                                         need_shares, region, municipality, passing)
        else:
            mask = self._filter_mask(today, region, municipality, stage)
            if not mask.any():
                return []
            ranked = self._routes_dense(named, bag, bool(themes), needs, theme_shares,
                                        need_shares, region, municipality, mask, limit)
        return ranked[:limit]

    def _routes_dense(self, named: Mapping[int, float], bag: Sequence[str], themed: bool,
                      needs: Sequence[str], theme_shares: Mapping[int, float],
                      need_shares: Mapping[int, float], region: str | None,
                      municipality: str | None, mask: BoolArray,
                      limit: int) -> list[tuple[int, float]]:
        """Every entry scored at once; the best ``limit`` relevant ones that pass ``mask``."""
        a = self.arrays
        theme_w = _weights(theme_shares, len(self._theme_pos))
        need_w = _weights(need_shares, len(self._need_pos))
        score = np.zeros(a.size, dtype=np.float32)
        relevant = np.zeros(a.size, dtype=np.bool_)
        if themed:
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
            relevant |= (best_n > 0) & (a.any_theme | relevant | (not themed))
        for row, weight in named.items():
            score[row] += _W_NAMED * min(1.0, weight / NAMED_SCALE)
            relevant[row] = True
        score += _W_TEXT * self._text_scores(bag)
        if municipality is not None and municipality in self._muni_rows:
            score += _LOCAL_MUNICIPALITY * self._muni_rows[municipality]
        if region is not None and region in self._province_rows:
            score += _LOCAL_PROVINCE * self._province_rows[region]
        rows = np.flatnonzero(relevant & mask)
        if rows.size == 0:
            return []
        picked = rows[np.argsort(-score[rows], kind="stable")[:limit]]
        return list(zip(picked.tolist(), score[picked].tolist(), strict=True))

    def _routes_sparse(self, named: Mapping[int, float], bag: Sequence[str], themed: bool,
                       needs: Sequence[str], theme_shares: Mapping[int, float],
                       need_shares: Mapping[int, float], region: str | None,
                       municipality: str | None,
                       mask: frozenset[int]) -> list[tuple[int, float]]:
        """``_routes_dense`` for only the rows the question touches, in Python floats
        rounded to float32 after every operation as numpy does: the same scores."""
        f32 = _f32
        theme_sets = _weighted_sets(theme_shares, self._theme_sets) if themed else []
        need_sets = _weighted_sets(need_shares, self._need_sets) if needs else []
        themed_rows = frozenset().union(*(rows for _, rows in theme_sets))
        need_rows = frozenset().union(*(rows for _, rows in need_sets))
        # a need alone makes an entry relevant when it is for any theme or a named theme
        need_relevant = need_rows & (self._any_theme_set | themed_rows) if themed else need_rows
        relevant = (themed_rows | need_relevant).union(named) & mask
        if not relevant:
            return []
        free = self._free_rows.get(needs[0]) if needs else None
        w_need, w_text = f32(_W_NEED), f32(_W_TEXT)
        text = {row: f32(w_text * f32(t)) for row, t in self._sparse_text(bag).items()
                if row in relevant}
        muni = self._muni_sets.get(municipality) if municipality is not None else None
        province = self._province_sets.get(region) if region is not None else None
        any_theme, any_value = self._any_theme_set, self._any_value
        named_get, text_get = named.get, text.get
        # the theme fit, and the need term, per combination of matched weights
        theme_fit: dict[tuple[float, ...], float] = {}
        need_term: dict[tuple[float, ...], float] = {}
        one_theme = theme_sets[0][0] if len(theme_sets) == 1 else None  # its own fit
        one_need = f32(w_need * need_sets[0][0]) if len(need_sets) == 1 else None
        scored = []
        for row in relevant:
            value = 0.0
            if themed:
                if row in any_theme:
                    value = 1.0 if free is not None and row in free else any_value
                elif row in themed_rows:
                    if one_theme is not None:
                        value = one_theme
                    else:
                        hit = tuple([w for w, rows in theme_sets if row in rows])
                        value = theme_fit.get(hit, -1.0)
                        if value < 0:
                            value = theme_fit[hit] = _sparse_fit(hit)
            if row in need_rows:
                if one_need is not None:
                    term = one_need
                else:
                    hit = tuple([w for w, rows in need_sets if row in rows])
                    term = need_term.get(hit, -1.0)
                    if term < 0:
                        term = need_term[hit] = f32(w_need * _sparse_fit(hit))
                value = f32(value + term)
            named_weight = named_get(row)
            if named_weight is not None:
                value = f32(value + f32(_W_NAMED * min(1.0, named_weight / NAMED_SCALE)))
            text_term = text_get(row)
            if text_term is not None:
                value = f32(value + text_term)
            if muni is not None and row in muni:
                value = f32(value + _LOCAL_MUNICIPALITY)
            if province is not None and row in province:
                value = f32(value + _LOCAL_PROVINCE)
            scored.append((-value, row))
        scored.sort()
        return [(row, -neg) for neg, row in scored]

    def _sparse_text(self, bag: Sequence[str]) -> dict[int, float]:
        """``_text_scores`` before the float32 rounding, for the rows where it is not 0."""
        text = self.arrays.text
        postings = [key for key in bag if key in text]
        if sum(len(text[key][0]) for key in postings) > _SPARSE_MAX_POSTINGS:
            # common words of a large map: one array accumulation is cheaper
            scores = self._text_scores(bag)
            rows = np.flatnonzero(scores)
            return dict(zip(rows.tolist(), scores[rows].tolist(), strict=True))
        acc: dict[int, float] = {}
        get = acc.get
        for key in postings:
            for row, w in self._text_pairs.get(key) or self._pairs(key):
                acc[row] = get(row, 0.0) + w
        if not acc:
            return acc
        top = max(acc.values())
        if top <= 0:
            return {}
        return {row: v / top for row, v in acc.items()}

    def _pairs(self, key: str) -> tuple[tuple[int, float], ...]:
        """One word's postings as (row, weight) pairs, made when first needed."""
        rows, weights = self.arrays.text[key]
        pairs = tuple(zip(rows.tolist(), weights.tolist(), strict=True))
        if len(self._text_pairs) < _WORD_CACHE_LIMIT:
            self._text_pairs[key] = pairs
        return pairs

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

    def _filter_rows(self, today: dt.date, region: str | None, municipality: str | None,
                     stage: str | None) -> frozenset[int]:
        """``_filter_mask`` as the set of rows that pass."""
        key = (today, region, municipality, stage)
        cached = self._mask_rows_cache.get(key)
        if cached is None:
            mask = self._filter_mask(today, region, municipality, stage)
            cached = frozenset(np.flatnonzero(mask).tolist())
            if len(self._mask_rows_cache) >= _MASK_CACHE_LIMIT:
                self._mask_rows_cache.clear()
            self._mask_rows_cache[key] = cached
        return cached

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

    def _text_scores(self, bag: Sequence[str]) -> FloatArray:
        """tf-idf of the question's words over the entries' texts, scaled to [0, 1]."""
        text = self.arrays.text
        postings = [p for p in (text.get(key) for key in bag) if p is not None]
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
