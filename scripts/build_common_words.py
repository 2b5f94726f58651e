"""Rebuild routing/common_words.txt.gz (Dutch and English) from wordfreq (not a dependency of Wegwijs:
run it in a scratch virtualenv with ``pip install wordfreq``)."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

from wordfreq import get_frequency_dict  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from routing.normalize import tokens

MIN_FREQUENCY = 1e-6  # Zipf 3: once per million words
OUT = Path(__file__).resolve().parent.parent / "routing" / "common_words.txt.gz"


def main() -> None:
    words = set()
    for lang in ("nl", "en"):
        for word, freq in get_frequency_dict(lang, wordlist="best").items():
            folded = tokens(word)
            if freq >= MIN_FREQUENCY and len(folded) == 1 and folded[0].isalpha():
                words.add(folded[0])
    OUT.write_bytes(gzip.compress(("\n".join(sorted(words)) + "\n").encode("utf-8"), 9, mtime=0))
    print(f"{len(words)} words -> {OUT}")


if __name__ == "__main__":
    main()
