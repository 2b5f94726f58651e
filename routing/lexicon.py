"""Everyday Dutch and English words, so that typo correction leaves real words alone
("kleuren" is not a slip for the map's "kleren", nor "seniors" for "sensors").

The list (``common_words.txt.gz``, folded like the router's tokens) holds the Dutch and
the English words with a frequency of at least one per million in wordfreq 3.1 (Zipf >= 3;
data CC BY-SA 4.0, Robyn Speer et al., https://github.com/rspeer/wordfreq), made by
``scripts/build_common_words.py``. Read once per process, like the map."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    data = resources.files("routing").joinpath("common_words.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())
