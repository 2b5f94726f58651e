"""Tell Dutch from English by their most frequent function words."""

from __future__ import annotations

from collections.abc import Sequence

from routing.normalize import with_y_forms

# Words that are frequent in one language and rare in the other (folded, lower case).
_NL = frozenset(
    [
        "de", "het", "een", "en", "van", "ik", "je", "jij", "wij", "we", "ons", "onze", "mijn",
        "is", "zijn", "niet", "wat", "wie", "hoe", "waar", "voor", "met", "op", "aan", "er", "dat",
        "die", "dit", "deze", "ook", "maar", "nog", "kan", "kunnen", "moet", "moeten", "mag",
        "mogen", "willen", "wil", "heb", "hebben", "heeft", "om", "naar", "bij", "uit", "als",
        "dan", "wel", "geen", "iets", "iemand", "zoeken", "zoek", "hoi", "hallo", "graag",
        "ergens", "daar", "hier", "jullie", "zo'n", "zoiets", "gemeente", "buurt", "wijk",
        "straat", "subsidie", "geld"
    ]
)
_NL = with_y_forms(_NL)  # "ij" typed as "y": "myn", "wy"
_EN = frozenset(
    [
        "the", "a", "an", "and", "of", "i", "you", "we", "our", "my", "is", "are", "not", "what",
        "who", "how", "where", "for", "with", "on", "at", "there", "that", "this", "these", "also",
        "but", "can", "could", "must", "may", "want", "would", "have", "has", "to", "from", "if",
        "then", "any", "some", "someone", "something", "looking", "please", "hi", "hello",
        "thanks", "does", "do", "our", "us", "your", "their", "they", "it's", "neighbourhood",
        "neighborhood", "street", "city", "grant", "money", "help", "by"
    ]
)


def vote(token: str) -> int:
    """+1 for a word that points at Dutch, -1 for English, 0 for neither."""
    return int(token in _NL and token not in _EN) - int(token in _EN and token not in _NL)


def from_votes(total: int, default: str = "nl") -> str:
    """``detect`` from the sum of the tokens' ``vote``."""
    return default if total == 0 else "nl" if total > 0 else "en"


def detect(tokens: Sequence[str], default: str = "nl") -> str:
    """"nl" or "en" for a token list; ``default`` when there is no evidence either way."""
    nl = sum(1 for t in tokens if t in _NL and t not in _EN)
    en = sum(1 for t in tokens if t in _EN and t not in _NL)
    if nl == en:
        return default
    return "nl" if nl > en else "en"
