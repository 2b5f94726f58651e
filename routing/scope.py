"""Out-of-scope detection: messages that are not an initiative's question about its work.

Out of scope is by definition what the map does not cover, so this module holds a small
general lexicon of *kinds* of such messages (personal matters, neighbour quarrels, job
applications, spam, bare greetings) in Dutch and English, and a polite redirect per kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from routing.lexicon import common_words
from routing.normalize import STOPWORDS, canonical_stem, with_y_forms

Kind = Literal["personal", "consumer", "neighbour", "job", "spam", "greeting", "general"]

# Words that point at a personal matter for a government office, the police or a company.
_PERSONAL = [
    "belasting", "belastingdienst", "belastingaangifte", "aangifte", "toeslag", "huurtoeslag",
    "zorgtoeslag", "kinderbijslag", "uitkering", "bijstand", "pensioen", "aow", "paspoort",
    "rijbewijs", "identiteitskaart", "idkaart", "digid", "verblijfsvergunning", "boete",
    "parkeerboete", "bekeuring", "verkeersboete", "gestolen", "diefstal", "inbraak", "ingebroken",
    "hypotheek", "huurachterstand", "tax", "taxes", "passport", "visa", "pension", "fined",
    "stolen", "theft", "burglary", "mortgage"
]
_PERSONAL_PHRASES = ("tax return", "parking ticket", "speeding ticket", "id card",
                     "driving licence", "driver s license", "driving license",
                     "housing benefit", "child benefit", "unemployment benefit")
# Words of a household's own dealings with a company: a supplier, a bill, customer service.
_CONSUMER = [
    "leverancier", "klantenservice", "maandbedrag", "termijnbedrag", "abonnement", "webshop",
    "bestelling", "garantie", "terugbetaling", "provider", "refund", "warranty"
]
_CONSUMER_PHRASES = ("customer service", "my bill", "my contract", "mijn contract",
                     "mijn rekening")
_NEIGHBOUR = [
    "buurman", "buurvrouw", "buren", "bovenburen", "onderburen", "neighbour", "neighbor",
    "neighbours"
]
# A quarrel: with a neighbour word and no theme of the map, a neighbour quarrel, whoever
# tells it (a quarrel about the neighbours' wood stove is still the map's wood smoke).
_QUARREL = frozenset(["ruzie", "burenruzie", "burenconflict", "conflict", "quarrel",
                      "quarrelling", "argument", "dispute", "feud"])
_JOB = [
    "sollicitatie", "solliciteren", "sollicitatiebrief", "vacature", "vacatures", "salaris", "cv",
    "baan", "job", "jobs", "vacancy", "resume", "salary", "hiring"
]
_JOB_PHRASES = ("apply for a job", "looking for a job", "op zoek naar werk", "betaald werk")
_SPAM = [
    "congratulations", "gefeliciteerd", "winner", "winnaar", "won", "gewonnen", "prize", "claim",
    "giftcard", "cadeaubon", "followers", "volgers", "crypto", "bitcoin", "casino", "viagra", "dm",
    "discount", "korting", "unsubscribe", "offer", "aanbieding", "buy", "koop", "gratis", "free",
    "click", "klik", "selected", "geselecteerd", "cheap", "goedkoop", "goedkope", "only",
    "earn", "lottery", "www", "http", "https",
    "loterij", "jackpot", "inheritance", "password", "wachtwoord", "verify", "verifieer",
    "bankgegevens", "investment", "rendement", "guaranteed", "gegarandeerd"
]
_SPAM_PHRASES = ("click here", "klik hier", "gift card", "dm us", "dm me", "act now",
                 "limited time", "bank details", "klik op de link", "click the link")
# Everyday information the desk has no part in: the weather, the time.
_GENERAL = ["weerbericht", "weersverwachting", "weerman", "weervrouw", "weerapp", "forecast"]
_GENERAL_PHRASES = ("het weer morgen", "het weer vandaag", "het weer dit weekend",
                    "het weer zaterdag", "het weer zondag", "hoe is het weer",
                    "wat is het weer", "wat voor weer", "wat wordt het weer",
                    "hoe wordt het weer", "the weather", "what time is it",
                    "hoe laat is het", "will it rain", "is it going to rain",
                    "gaat het regenen", "gaat het morgen regenen", "regent het morgen")
_GREETING = [
    "hoi", "hallo", "hi", "hello", "hey", "hee", "hoihoi", "goedemorgen", "goedemiddag",
    "goedenavond", "morning", "test", "testing", "testen", "ping", "yo", "dag", "doei", "bye",
    "thanks", "bedankt", "dank", "ok", "oke", "okay",
    # small talk and bare answers: "hoi, hoe gaat het?", "alles goed?", "yes", "nee hoor"
    "gaat", "alles", "goed", "going", "doing", "dankjewel", "dankuwel", "thank", "goedendag",
    "groetjes", "cheers", "ja", "yes", "nee", "yep", "nope", "prima", "hoor",
]
_COLLECTIVE = with_y_forms(frozenset([
    "wij", "we", "ons", "onze", "our", "us", "ours", "groep", "group", "groepje", "stichting",
    "vereniging", "initiatief", "initiative", "collectief", "club", "buurtgroep", "bewonersgroep",
    "project", "buurtproject", "actie", "campagne", "campaign", "activiteit", "activity",
    "initiatieven", "initiatives", "vrijwilligers", "volunteers"
]))
_GREETINGS = frozenset(_GREETING)
_SINGULAR = with_y_forms(frozenset(["ik", "mijn", "mij", "me", "i", "my", "mine"]))

_STEMS = {kind: frozenset(canonical_stem(w) for w in words) for kind, words in (
    ("personal", _PERSONAL), ("consumer", _CONSUMER), ("neighbour", _NEIGHBOUR), ("job", _JOB),
    ("spam", _SPAM), ("general", _GENERAL))}

REDIRECTS: dict[Kind, dict[str, str]] = {
    "personal": {
        "nl": "Dit lijkt een persoonlijke vraag (bijvoorbeeld over belasting, toeslagen, een "
              "paspoort, een boete of aangifte). Daarvoor kun je het beste terecht bij je "
              "gemeente, de Belastingdienst of de politie. Wegwijs helpt initiatieven uit de "
              "buurt op weg naar fondsen, loketten en netwerken.",
        "en": "This looks like a personal matter (such as taxes, benefits, a passport, a fine "
              "or reporting a crime). Your municipality, the tax office or the police can help "
              "you best. Wegwijs helps community initiatives find funds, desks and networks.",
    },
    "consumer": {
        "nl": "Een klacht of vraag over je eigen leverancier, abonnement of aankoop kun je het "
              "beste eerst bij de klantenservice van dat bedrijf melden; kom je er niet uit, "
              "dan wijst ConsuWijzer je de weg. Wegwijs helpt initiatieven uit de buurt op weg "
              "naar fondsen, loketten en netwerken.",
        "en": "A complaint or question about your own supplier, subscription or purchase is "
              "best raised with that company's customer service first; if that does not "
              "help, ConsuWijzer shows the way. Wegwijs helps community initiatives find "
              "funds, desks and networks.",
    },
    "neighbour": {
        "nl": "Vervelend dat je last hebt van je buren. Bij een burenruzie kan buurtbemiddeling "
              "of je gemeente helpen. Wegwijs helpt initiatieven die samen iets voor hun buurt "
              "willen doen.",
        "en": "Sorry to hear about the trouble with your neighbours. Community mediation or your "
              "municipality can help with that. Wegwijs helps initiatives that want to do "
              "something for their neighbourhood together.",
    },
    "job": {
        "nl": "Wegwijs is geen vacaturebank. We helpen initiatieven uit de buurt op weg naar "
              "fondsen, loketten en netwerken.",
        "en": "Wegwijs is not a job board. We help community initiatives find funds, desks "
              "and networks.",
    },
    "spam": {
        "nl": "Dit bericht lijkt geen vraag van een initiatief. Wegwijs helpt initiatieven "
              "uit de buurt op weg naar fondsen, loketten en netwerken.",
        "en": "This message does not look like a question from an initiative. Wegwijs helps "
              "community initiatives find funds, desks and networks.",
    },
    "general": {
        "nl": "Daar kan ik je helaas niet mee helpen: voor het weer, de tijd of andere "
              "algemene vragen kun je beter elders kijken. Wegwijs helpt initiatieven uit de "
              "buurt op weg naar fondsen, loketten en netwerken.",
        "en": "I can't help with that, sorry: for the weather, the time or other general "
              "questions, please look elsewhere. Wegwijs helps community initiatives find "
              "funds, desks and networks.",
    },
    "greeting": {
        "nl": "Hoi! Ik ben Wegwijs. Vertel in een paar zinnen wat jullie initiatief doet en "
              "waar je hulp bij zoekt, dan zoek ik de juiste plek voor je.",
        "en": "Hi! I'm Wegwijs. Tell me in a few sentences what your initiative does and what "
              "help you are looking for, and I'll find the right place for you.",
    },
}


_WORDS = {"personal": _PERSONAL, "consumer": _CONSUMER, "neighbour": _NEIGHBOUR, "job": _JOB,
          "spam": _SPAM, "general": _GENERAL}
# Words that mean something else at the end of a compound ("geluidsbelasting" is noise load).
_NOT_AS_HEAD = frozenset(["belasting"])


_SLIP_MIN = 6  # shorter words are too close to other words for a one-letter slip
_SLIP_POOL = {kind: [w for w in words if len(w) >= _SLIP_MIN] for kind, words in _WORDS.items()}


@lru_cache(maxsize=65_536)
def _token_kinds(token: str) -> frozenset[str]:
    """The lexicon kinds one token points at (compounds count: "parkeerboete")."""
    stem = canonical_stem(token)
    found = set()
    for kind, words in _WORDS.items():
        if stem in _STEMS[kind] or any(
            len(w) >= 5 and len(token) > len(w) and (
                token.startswith(w) or (token.endswith(w) and w not in _NOT_AS_HEAD))
            for w in words
        ):
            found.add(kind)
    if not found and len(token) >= _SLIP_MIN and token.isalpha() \
            and token not in common_words():
        # a slip in a lexicon word ("pasoort", "parkeerboee") is the word
        found.update(kind for kind, words in _SLIP_POOL.items()
                     if process.extractOne(token, words, scorer=OSA.distance,
                                           score_cutoff=1) is not None)
    return frozenset(found)


def is_lexicon_word(token: str) -> bool:
    """Whether a token is one of the out-of-scope words (it is no evidence of scope)."""
    return bool(_token_kinds(token))


def _cues(phrases: Sequence[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each phrase padded with spaces for a whole-word search, with its words."""
    return tuple((f" {p} ", frozenset(p.split())) for p in phrases)


_SPAM_CUES, _PERSONAL_CUES, _CONSUMER_CUES, _JOB_CUES, _GENERAL_CUES = (
    _cues(_SPAM_PHRASES), _cues(_PERSONAL_PHRASES), _cues(_CONSUMER_PHRASES),
    _cues(_JOB_PHRASES), _cues(_GENERAL_PHRASES))


def _phrase_hits(joined: str, present: frozenset[str],
                 cues: Sequence[tuple[str, frozenset[str]]]) -> int:
    """How many of the phrases occur in ``joined`` (only looked for when all their words
    are ``present``)."""
    return sum(1 for padded, words in cues if words <= present and padded in joined)


def classify(toks: Sequence[str], in_scope_evidence: float) -> Kind | None:
    """The out-of-scope kind of a message, or None when it may be an initiative's question.

    ``in_scope_evidence`` is how strongly the map's own themes were recognised (0 = none);
    it keeps a real question that mentions the neighbours from being sent away.
    """
    if all(t.isdigit() for t in toks):
        return None  # no words at all
    if all(t.isdigit() or t in _GREETINGS or (t in STOPWORDS and len(t) <= 3) for t in toks):
        return "greeting"
    hits = dict.fromkeys(_WORDS, 0)
    for t in toks:  # the lexicon kinds of every word, looked up once
        for kind in _token_kinds(t):
            hits[kind] += 1
    joined = f" {' '.join(toks)} "
    present = frozenset(toks)
    spam = hits["spam"] + 2 * _phrase_hits(joined, present, _SPAM_CUES)
    if spam >= 3:
        return "spam"
    collective = bool(present & _COLLECTIVE)
    singular = bool(present & _SINGULAR)
    personal = hits["personal"] + _phrase_hits(joined, present, _PERSONAL_CUES)
    if personal and not collective:
        return "personal"
    consumer = hits["consumer"] + _phrase_hits(joined, present, _CONSUMER_CUES)
    if consumer and not collective and in_scope_evidence < 1.0:
        return "consumer"
    job = hits["job"] + _phrase_hits(joined, present, _JOB_CUES)
    if job and not collective and in_scope_evidence < 1.0:
        return "job"
    neighbour = hits["neighbour"]
    if neighbour and not _QUARREL.isdisjoint(present) and in_scope_evidence < 1.0:
        return "neighbour"  # "ruzie met de buren over de heg", told by anyone
    if neighbour and singular and not collective and in_scope_evidence < 1.0:
        return "neighbour"
    if in_scope_evidence < 1.0 and (
            hits["general"] or _phrase_hits(joined, present, _GENERAL_CUES)):
        return "general"
    return None


def redirect(kind: Kind, lang: str) -> str:
    """A polite out-of-scope answer in ``lang`` (Dutch when unknown)."""
    texts = REDIRECTS[kind]
    return texts.get(lang, texts["nl"])
