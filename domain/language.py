"""Victim-centred language: which flagged terms a message uses, and the words to suggest.

Whole words only: "prostitution" (a legal term) and words that merely contain a term get no
note. The longest term wins where two overlap ("child prostitute", not also "prostitute").
"""
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from domain.bounds import MESSAGE_TEXT
from storage import language


@dataclass(frozen=True)
class Term:
    key: str          # what is stored (never the message)
    suggest: str
    why: str


CHILD = Term("child prostitute", "child sex-trafficking victim (or survivor)",
             "A child cannot consent: there is no such thing as a child prostitute.")
PROSTITUTE = Term("prostitute", "person being exploited; potential victim; survivor",
                  "The word implies choice and blame.")
HOOKER = Term("hooker", PROSTITUTE.suggest, PROSTITUTE.why)
LOT_LIZARD = Term("lot lizard", PROSTITUTE.suggest, PROSTITUTE.why)
CSAM = Term("child pornography", "child sexual abuse material (CSAM)", "It is a record of abuse.")
SLAVE = Term("sex slave", "victim or survivor of trafficking", "Dignity: a person is not a slave.")

GAP = r"[\s\-]+"
PATTERNS = [   # longest first: the alternation takes the first that matches
    (CHILD, rf"(?:child|teen|teenage|underage|juvenile){GAP}prostitutes?"),
    (CSAM, rf"child{GAP}porn(?:ography)?"),
    (SLAVE, rf"sex{GAP}slaves?"),
    (LOT_LIZARD, rf"lot{GAP}lizards?"),
    (PROSTITUTE, r"prostitutes?"),
    (HOOKER, r"hookers?"),
]
FLAGGED = re.compile("|".join(rf"(?P<t{i}>(?<![\w-]){p}(?![\w-]))" for i, (_, p) in enumerate(PATTERNS)),
                     re.IGNORECASE)


def flagged_terms(text: str) -> list[Term]:
    """The flagged terms a message uses, each once, in the order they appear."""
    found: list[Term] = []
    for match in FLAGGED.finditer((text or "")[:MESSAGE_TEXT]):   # Slack sends no longer message
        term = PATTERNS[int(match.lastgroup[1:])][0]
        if term not in found:
            found.append(term)
    return found


def terms_to_note(session: Session, team_id: str, channel: str, user: str, text: str, day: date) -> list[Term]:
    """The terms this person gets a note about now: none where the channel has the note off, and
    each term at most once a person a day (a retried event finds it noted already)."""
    terms = flagged_terms(text)
    if not terms or not language.enabled(session, team_id, channel):
        return []
    return [t for t in terms if language.note_once(session, team_id, user, t.key, day)]


def set_enabled(session: Session, team_id: str, channel: str, enabled: bool, admin: str) -> None:
    language.set_enabled(session, team_id, channel, enabled, admin)
