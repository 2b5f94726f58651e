"""How the volunteer's conversation reads short free answers: "don't know", an answer with
no words at all, a skip, a command word typed without its slash, a question about who the
servant is, and whether a check-in answer says more than its choice word."""

from __future__ import annotations

import re

from bot.texts import t
from bot.wording import NO, PARTLY, YES

_WORD = re.compile(r"[a-zà-ÿ0-9']+")
_DONT_KNOW = re.compile(
    r"\b(weet (ik )?(het )?(nog )?niet|ik weet (het )?(nog )?niet|geen (idee|flauw idee)|"
    r"(nog )?geen naam|heeft (nog )?geen naam|don'?t know|do not know|not sure|no idea|"
    r"dunno|no name( yet)?|geen flauw|onbekend|unknown)\b")


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def is_dont_know(text: str) -> bool:
    """"weet ik niet", "geen idee", "don't know", "nog geen naam": no answer, short."""
    found = words(text)
    return 0 < len(found) <= 6 and _DONT_KNOW.search(" ".join(found)) is not None


_WITHDRAW = re.compile(r"^(nee\b|no\b|toch (maar )?niet|laat (maar|ook maar)|liever niet|"
                       r"never ?mind|forget it|don'?t share|niet delen)")
_NO_NAME = frozenset({"geen", "nvt", "n v t", "none", "n a", "na", "-"})


def withdraws(text: str) -> bool:
    """"nee", "toch maar niet", "laat maar", "never mind": consent taken back."""
    return _WITHDRAW.match(" ".join(words(text))) is not None


def is_no_name(text: str) -> bool:
    """"geen", "nvt", "n.v.t.", "-": there is no name to give."""
    return " ".join(words(text)) in _NO_NAME or text.strip() in _NO_NAME


_HEDGES = frozenset({"maybe", "misschien", "precies", "eigenlijk", "echt", "nog", "wel",
                     "maar", "but", "exactly", "really", "perhaps", "wellicht", "hoor", "ik", "i",
                     "het", "it", "dat", "that", "sure"})


def without_dont_know(text: str) -> str:
    """``text`` without its "weet ik niet (precies)" / "not sure": the rest when it says
    something ("geen idee, energie?" -> "energie?"), "" when nothing is left, and ``text``
    itself when it has no such phrase."""
    low = text.casefold()
    found = _DONT_KNOW.search(low)
    if found is None:
        return text
    rest = (text[:found.start()] + " " + text[found.end():]).strip(" ,.;:-!")
    return rest if any(w not in _HEDGES for w in words(rest)) else ""


def is_wordless(text: str) -> bool:
    """Emoji, punctuation only: nothing to read as an answer."""
    return bool(text.strip()) and not any(ch.isalnum() for ch in text)


def is_skip(text: str) -> bool:
    """The skip button's label typed (either language), or its number in the terminal."""
    wanted = text.strip().strip(".!").casefold()
    return wanted == "1" or wanted in {t("skip", lang).casefold() for lang in ("nl", "en")}


_WHO = frozenset({"wie", "who", "whom", "wiens", "who's", "whos"})


def asks_who(text: str) -> bool:
    """"wie is dat?", "who is that?", also without the question mark ("wie is dat", "who's
    that"): a short question about a person (a longer one, "wie kan ons helpen met
    subsidie?", is a question for routing)."""
    found = words(text)
    if not 0 < len(found) <= 4:
        return False
    if text.strip().endswith("?"):
        return any(w in _WHO for w in found)
    return asks_who_that(text)  # without "?" only the exact form: not "wie weet"


_WHY_ALONE = frozenset({"waarom", "hoezo", "waarvoor", "why", "hoe zo", "what for", "why so",
                        "why that", "waarom dat", "waarom dan", "why is that", "waarom is dat",
                        "wat", "what", "huh", "pardon", "sorry"})
_ABOUT_ASKING = re.compile(
    r"\b(waarom (wil|wilt|willen|vraag|vraagt|vragen|moet|moeten|heb|hebben|heeft|is dat|"
    r"zou|de naam|een naam|mijn|onze|die|dat)|"
    r"waar(om|voor) (is|heb|hebben|gebruik|gebruiken) (je|jij|jullie|u|dat|die|de naam)|"
    r"waar (is|heb|hebben|gebruik|gebruiken) (je |jij |jullie |u )?(dat|het|die|de naam) "
    r"(\w+ )?voor|"
    r"(wat|hoe) bedoel (je|jij|u)|wat moet ik (hier )?(invullen|typen|zeggen|antwoorden)|"
    r"is (dat|het) (nodig|verplicht|echt nodig|noodzakelijk)|moet (dat|ik dat|het)|"
    r"why (do|would|does|should|is|are|must|the|a|my|our)|what do you mean|"
    r"what (is|does) (that|it) (for|mean)|what should i (type|say|write|answer|fill)|"
    r"(is|it's|its) (that|it|this) (needed|necessary|required|mandatory)|"
    r"do (you|i) (need|have to)|must i)\b")
_WHO_THAT = re.compile(r"^((en|and|maar|but) )?(wie is|who is|who's|whos) (dat|die|dit|het|hij|"
                       r"zij|ze|that|this|it|he|she|they)( dan| then)?$")


def asks_who_that(text: str) -> bool:
    """"wie is dat?", "who's that": who the servant is, never an initiative's name (a name
    like "Wie helpt wie?" names no one)."""
    return _WHO_THAT.match(" ".join(words(text))) is not None


#: Only in a text that ends in a question mark ("verplicht?"); in a name they are names.
_ABOUT_ASKING_WORDS = re.compile(r"\b(verplicht|mandatory|required|necessary)\b")


def asks_about_the_name(text: str) -> bool:
    """A question about the name question itself ("waarom wil je dat weten?", "hoezo?",
    "wat bedoel je?", "is dat nodig?", "why?"), not a name that ends in a question mark
    ("Wie helpt wie?", "Waarom niet?")."""
    found = " ".join(words(text))
    if found in _WHY_ALONE:
        return True
    if text.strip().endswith("?"):
        return (_ABOUT_ASKING.search(found) is not None
                or _ABOUT_ASKING_WORDS.search(found) is not None)
    return _ABOUT_ASKING.match(found) is not None  # "waarom wil je dat weten" without "?"


def is_question_not_name(text: str) -> bool:
    """A text at the name question that asks something rather than names the initiative:
    a question about the name question, or a question that is not written as a name (a
    name is short and starts with a capital: "Wie helpt wie?" is a name, "wie helpt er
    mee?" a question)."""
    stripped = text.strip()
    if asks_about_the_name(stripped):
        return True
    if not stripped.endswith("?"):
        return False
    found = words(stripped)
    if _PERSONAL.intersection(found):
        return True  # "Wordt mijn naam gedeeld?": about the speaker or the desk, no name
    first = next((c for c in stripped if c.isalpha()), "")  # "🌳 Groen Zeist?"
    return not (first.isupper() and 0 < len(found) <= 6)


#: Personal pronouns: a text ending in "?" with one of them asks something of the desk.
_PERSONAL = frozenset({"ik", "mij", "me", "mijn", "je", "jij", "jou", "jouw", "jullie", "u",
                       "uw", "we", "wij", "ons", "onze", "i", "my", "you", "your", "our", "us"})


_PASS_ON = re.compile(r"^((ja|yes|graag|ok|oke|please)\s+)*(door ?sturen|stuur (het |maar |'t )*"
                      r"door|doorgeven|geef (het |maar )*door|pass (it )?on|forward( it)?|"
                      r"send it( on)?)\b")


def means_pass_on(text: str) -> bool:
    """"doorsturen", "ja, stuur maar door", "pass it on": the held message may go to the
    servant of the open case (the choice's label typed, in short)."""
    found = words(text)
    return 0 < len(found) <= 6 and _PASS_ON.match(" ".join(found)) is not None


#: Words typed without a slash that mean a command, when they are the whole message.
COMMAND_WORDS: dict[str, str] = {
    "stop": "stop", "stoppen": "stop", "status": "status", "contact": "contact",
    "nieuw": "nieuw", "nieuwe vraag": "nieuw", "new question": "new",
    "vergeet mij": "vergeet", "vergeet me": "vergeet", "forget me": "forget",
}


def command_word(text: str) -> str | None:
    """The command a bare "stop", "status", "nieuwe vraag" or "vergeet mij" stands for."""
    return COMMAND_WORDS.get(" ".join(words(text.strip().strip(".!"))))


#: The words around a place name in "we zitten in Zeist", "we are based in Deventer".
PLACE_SENTENCE = frozenset({"we", "wij", "ik", "zitten", "zit", "in", "wonen", "woon", "komen",
                            "kom", "uit", "te", "are", "am", "based", "located", "from", "our",
                            "ons", "onze", "het", "is", "initiatief", "initiative", "it", "i",
                            "bij", "near", "at", "gemeente", "municipality", "de", "the"})

_FILLER = frozenset({"wel", "niet", "nog", "helaas", "een", "echt", "zeker", "hoor", "graag",
                     "dank", "je", "bedankt", "thanks", "thank", "you", "not", "yet", "really",
                     "a", "bit", "little", "please", "ok", "oké", "oke", "zo", "so"})


def says_more(text: str) -> bool:
    """A check-in answer with more in it than "ja", "deels", "nee, nog niet"."""
    return any(w not in YES and w not in NO and w not in PARTLY and w not in _FILLER
               for w in words(text))
