"""The free-text guard on a written justification for not arresting.

DOMAIN.md, positive action: "victim does not support a prosecution" is never on its own an
acceptable reason. The structured necessity assessment is the first guard; this reading of the
officer's words is the second, for every caller. It normalises contractions ("won't",
"doesn't", "dont"), recognises the usual ways of writing non-support ("declined to provide a
statement", "reluctant to make a complaint", "wants the matter dropped"), and measures what is
left by its distinct words of substance, so padding ("nothing further to add at this time...")
does not count as grounds.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

POSITIVE_ACTION_POLICY = (
    "Positive action policy: where a power of arrest exists, the decision to arrest is the "
    "officer's and does not depend on the victim's willingness to support a prosecution. "
    "'Victim does not support a prosecution' is never on its own a reason not to arrest: "
    "record the real grounds."
)

_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_CONTRACTIONS = (
    (re.compile(r"\bwon'?t\b", re.I), "will not"),
    (re.compile(r"\bcan'?t\b|\bcannot\b", re.I), "can not"),
    (re.compile(r"\bshan'?t\b", re.I), "shall not"),
    (
        re.compile(
            r"\b(do|does|did|is|was|are|were|would|will|could|should|has|have|had|must|need)"
            r"n'?t\b",
            re.I,
        ),
        r"\1 not",
    ),
)

_SUBJECT = r"(victim|complainant|informant|injured party|ip|ip's|v|she|he|they|her|him|them)"
_NEGATION = r"(not|never|no longer|unwilling to|refus\w* to|declin\w* to|reluctant to|not willing to|not prepared to|not keen to)"  # noqa: E501
_SUPPORT_VERB = (
    r"(support\w*|want\w*|wish\w*|assist\w*|co-?operat\w*|engag\w*|provid\w*|giv\w*|mak\w*|"
    r"attend\w*|pursu\w*|proceed\w*|press\w*|sign\w*|substantiat\w*|help\w*)"
)
_OBJECT = (
    r"(prosecution|statement|complaint|allegation|charges?|evidence|police action|police "
    r"involvement|court|action|further action|the police|police|investigation|case|matter)"
)
_REFUSAL = (
    r"(declin\w*|refus\w*|reluctant\w*|unwilling\w*|withdr[ae]w\w*|retract\w*|not supportive|"
    r"non-?supportive|hostile)"
)
# Each recognises one way of saying only that the victim does not support a prosecution.
_NON_SUPPORT = [
    re.compile(p, re.I)
    for p in (
        # "the victim does not want to support a prosecution", "she will not give a statement"
        rf"\b{_SUBJECT}\b.*?\b{_NEGATION}\b(\s+\S+){{0,4}}?\s+{_SUPPORT_VERB}\b",
        # "declined to provide a statement", "reluctant to make a complaint", "refused to engage"
        rf"\b{_REFUSAL}\b(\s+\S+){{0,6}}?\s+{_OBJECT}\b",
        rf"\b{_SUBJECT}\b.*?\b{_REFUSAL}\b",
        # "wants the matter dropped", "asked for the charges to be dropped", "no complaint made"
        r"\b(matter|case|charges?|complaint|allegation)\b(\s+\S+){0,3}?\s+"
        r"(dropped|closed|withdrawn|forgotten)\b",
        r"\bdrop(ped|ping)?\s+(the\s+)?(matter|case|charges?|complaint|allegation)\b",
        r"\bno\s+(complaint|allegation|statement|further police action|police action)\b",
        r"\b(no|without)\s+(victim\s+)?(support|co-?operation|engagement)\b",
        r"\bnot\s+(support\w*|co-?operative|engaging)\b",
    )
]
_SENTENCE = re.compile(r"[^.;:!?\n]+[.;:!?\n]?")
_WORD = re.compile(r"[A-Za-z0-9']+")

# Words that carry no grounds: function words and the usual padding.
_EMPTY_TEXT = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each etc few for
    from further had has have having he her here hers him his how i if in into is it its just
    me more most my no nor not now of off on once only or other our out over own per same she
    should so some such than that the their them then there these they this those through to
    too under until up upon very was we were what when where which while who whom why will
    with would you your yes nil none n/a na nothing anything something everything add added
    adding note noted notes see seen refer above below previous previously time times today
    now later currently info information detail details update updated updates matter matters
    reason reasons various stuff things thing etcetera blah lorem ipsum dolor sit amet xxx
    xx x test testing text word words filler padding same again more less really just also
    please okay ok well basically actually literally generally usually regarding concerning
    re misc general situation circumstances aforementioned said stated states state relevant
    appropriate necessary considered consider considering decision decided officer officers
"""
_EMPTY_WORDS = frozenset(_EMPTY_TEXT.split())


# Letters of other scripts drawn like Latin ones (Cyrillic, Greek): "nоt" with a Cyrillic "о"
# reads as "not" to the supervisor but was two fragments to the guard, which then neither saw
# the non-support nor measured the words right. Folded to the Latin letter before reading.
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕһԁԛԝАВЕКМНОРСТХІЈЅοαεικνρτυχΑΒΕΗΙΚΜΝΟΡΤΥΧΖ",
    "aeopcyxijshdqwABEKMHOPCTXIJSoaeikvptuxABEHIKMNOPTYXZ",
)


def _without_disguise(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded (full-width letters, ligatures),
    invisible format characters removed (zero-width spaces and joiners, soft hyphens, which
    split a word for the guard but not for the eye), look-alike letters made Latin."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.translate(_LOOK_ALIKES)


def _normalised(text: str) -> str:
    text = _without_disguise(text)
    text = _APOSTROPHES.sub("'", text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return text


def says_victim_does_not_support(text: str) -> bool:
    """Whether the text says the victim does not support a prosecution, however written."""
    text = _normalised(text)
    return any(p.search(text) for p in _NON_SUPPORT)


def _substance(words: list[str]) -> set[str]:
    """The distinct words that can carry grounds (not function words, not padding)."""
    return {
        w.lower().strip("'")
        for w in words
        if len(w.strip("'")) >= 3 and w.lower().strip("'") not in _EMPTY_WORDS
    }


def justification_problem(justification: str) -> str | None:
    """Why a written justification for not arresting is not acceptable, or None.

    Refused with the positive action policy when, once every sentence that only says the
    victim does not support a prosecution is set aside, what remains is not a justification of
    substance: fewer than ARREST_JUSTIFICATION_MIN_WORDS words, or fewer than half that many
    distinct words of substance."""
    minimum = settings.ARREST_JUSTIFICATION_MIN_WORDS
    needed_substance = max(1, minimum // 2)
    text = _normalised(justification.strip())
    sentences = [s for s in _SENTENCE.findall(text) if s.strip()]
    grounds = [s for s in sentences if not says_victim_does_not_support(s)]
    remaining = _WORD.findall(" ".join(grounds))
    if len(grounds) < len(sentences) and (
        len(remaining) < minimum or len(_substance(remaining)) < needed_substance
    ):
        return POSITIVE_ACTION_POLICY
    words = _WORD.findall(text)
    if len(words) < minimum or len(_substance(words)) < needed_substance:
        return (
            f"Write a justification of substance (at least {minimum} words): the grounds you "
            "considered and why you decided not to arrest."
        )
    return None
