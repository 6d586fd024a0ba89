"""Redact personal data from free-text comments, so that quotes are safe to publish.

Detected items are replaced by a typed placeholder; the rest of the text is kept exactly
as it was (same characters, same spacing):

============== ================= ===========================================================
type           placeholder       how it is found
============== ================= ===========================================================
FØDSELSNUMMER  ``[FØDSELSNUMMER]`` 11 digits (``01019012345``, ``010190 12345``) whose two
                                 mod-11 check digits are valid. Eleven digits with invalid
                                 check digits are *not* a fødselsnummer and are left as
                                 they are (they are not a phone number either).
EPOST          ``[EPOST]``       e-mail addresses
TELEFON        ``[TELEFON]``     Norwegian 8-digit numbers that start with 2-9, written
                                 ``91234567``, ``912 34 567``, ``91 23 45 67``,
                                 ``9123 4567``, optionally after ``+47`` or ``0047``. Not:
                                 shorter numbers (``113``, ``2020``, ``uke 28``), longer
                                 digit runs, 8-digit dates (``24032020``, ``20200324``) or
                                 year ranges (``2019 2020``).
ADRESSE        ``[ADRESSE]``     a street name ending in a street word (``Storgata``,
                                 ``Kirkeveien``, ``Karl Johans gate``) followed by a house
                                 number, with an optional postcode and place
                                 (``Parkveien 3, 0350 Oslo``); a postcode followed by a
                                 known place name (``0350 Oslo``); ``Postboks 123``.
NAVN           ``[NAVN]``        the pipeline's NER (``PER`` entities) when the pipeline
                                 has one, and rules that work without it: a common
                                 Norwegian first name (``data/fornavn.txt``) with any
                                 capitalised surnames after it (``Kari``, ``Ola
                                 Nordmann``); a capitalised word after a cue word
                                 (``brukeren Per``, ``fastlegen Hansen``, ``hilsen Liv``).
                                 First names that are also common words (``Per``, ``Liv``,
                                 ``Dag``) need a surname or a cue word. In capitals
                                 (``ERIK JOHANSEN``) only unambiguous first names count,
                                 with up to two surnames after them. The same in lower
                                 case (``kari nordmann``), but only with the pipeline's
                                 Norsk Ordbank table: a first name that is also a word
                                 (``tone``, ``trine``) is left alone.
STED           ``[STED]``        only with ``places=True``: Norwegian municipality, county
                                 and town names (``data/kommuner.txt``), a capitalised word
                                 before ``kommune``, and the NER's place entities
                                 (``LOC``, ``GPE_LOC``, ``GPE_ORG``, ``GPE``).
============== ================= ===========================================================

Never redacted (``data/redact.yaml``, key ``keep``): services (NAV, LAR, DPS, legevakt,
Uteseksjonen ...), organisations (KoRus, Kirkens Bymisjon, Frelsesarmeen,
Helsedirektoratet, Fylkesmannen ...), substance and brand names (Rivotril, Subutex ...,
and every ``stoff`` term of the codebook with its compounds: Rivotril-tabletter),
countries, month and weekday names, and the survey's region names (Østlandet,
Nord-Norge ...) unless places are redacted. A name or place candidate that overlaps
such a term is trimmed to the part outside it.

When two detections overlap, the type listed earlier in the table wins (an e-mail
address is not also a name); within a type the longer one wins.

Entry points: :func:`redact_text` for one text (used for every quote in reports),
:class:`Redactor` for many texts (streams them through ``nlp.pipe``),
:func:`redact_record` to carry a redaction over to a tagged record (mention offsets
moved, mentions inside a redacted region dropped), and :func:`redact_file` behind
``fritekst redact``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from spacy.lang.nb.stop_words import STOP_WORDS as NB_STOP_WORDS
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from fritekst.errors import InputError
from fritekst.nlp import sentence_initial, with_genitives
from fritekst.nlp.lemma_exceptions import word_table
from fritekst.nlp.person_names import surname_forms
from fritekst.records import TaggedRecord

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "account_is_valid",
    "Redaction",
    "RedactResult",
    "RedactLexicon",
    "Redactor",
    "RedactSummary",
    "load_lexicon",
    "fnr_is_valid",
    "redact_text",
    "redact_record",
    "redact_file",
]

PathLike = str | Path

#: Redaction types, in priority order (an earlier type wins an overlap).
KINDS: tuple[str, ...] = ("FØDSELSNUMMER", "KONTONUMMER", "EPOST", "TELEFON", "ADRESSE", "NAVN", "STED")
#: The placeholder written for each type.
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}

#: NER labels that are person names / places (NorNE labels as used by nb_core_news_* and
#: fritekst's own pipeline, plus the generic GPE).
NER_PERSON_LABELS: frozenset[str] = frozenset({"PER", "PERSON"})
NER_PLACE_LABELS: frozenset[str] = frozenset({"LOC", "GPE_LOC", "GPE_ORG", "GPE"})

#: Pipeline components worth running for redaction; all others are disabled. That
#: includes ``fritekst_place_names``: it would re-type a lone "Hole" or "Moss" tagged PER
#: as a place, and Norwegian surnames are very often place names, so redaction keeps the
#: NER's person reading (over-redacting a place beats leaking a name).
#: ``fritekst_person_names`` stays: it only makes a lone surname a person.
_ENTITY_COMPONENTS: frozenset[str] = frozenset({"ner", "entity_ruler", "fritekst_person_names"})
_NER_COMPONENTS: frozenset[str] = _ENTITY_COMPONENTS | {"tok2vec", "transformer", "senter", "morphologizer", "tagger", "attribute_ruler"}

_KEEP_GROUPS: tuple[str, ...] = (
    "services", "organisations", "substances", "regions", "countries", "calendar",
)
_LEXICON_KEYS: tuple[str, ...] = (
    "keep", "name_cues", "street_suffixes", "place_cues", "place_cue_exceptions",
)

# --------------------------------------------------------------------------------------
# Patterns for the structured types (independent of any lexicon)
# --------------------------------------------------------------------------------------

# Not preceded by a word character, "+", or a digit and separator (part of a longer
# number); not followed by a word character or a separator and a digit.
_NUM_START = r"(?<![\w+])(?<!\d[ .,-])"
_NUM_END = r"(?!\w)(?![ .,-]\d)"

_FNR_RE = re.compile(_NUM_START + r"\d{6}[ -]?\d{5}" + _NUM_END)

# Norwegian bank account: 11 digits, written 1234.56.78903, 1234 56 78903 or plain.
_ACCOUNT_RE = re.compile(_NUM_START + r"\d{4}(?P<sep>[ .]?)\d{2}(?P=sep)\d{5}" + _NUM_END)
_ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_PHONE_RE = re.compile(
    _NUM_START
    + r"(?P<cc>(?:\+|00)\s?47[\s.-]?)?"
    + r"(?P<num>"
    + r"[2-9]\d{7}"  # 91234567
    + r"|[2-9]\d{2}[ .-]\d{2}[ .-]\d{3}"  # 912 34 567
    + r"|[2-9]\d[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}"  # 91 23 45 67
    + r"|[2-9]\d{3}[ .-]\d{4}"  # 9123 4567
    + r")"
    + _NUM_END
)

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[A-Za-z]{2,}(?![\w@])")

_POSTBOKS_RE = re.compile(r"(?<!\w)(?:[Pp]ostboks|[Pp]b\.)\s+\d{1,5}(?!\w)")

_YEAR_RE = re.compile(r"(?:19|20)\d\d")


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Redaction:
    """One redacted region.

    ``start``/``end`` are character offsets into the original text, ``new_start``/
    ``new_end`` the offsets of the placeholder in the redacted text. The original
    characters are not kept.
    """

    start: int
    end: int
    kind: str
    new_start: int
    new_end: int

    @property
    def placeholder(self) -> str:
        """The placeholder that replaced the region, e.g. ``[NAVN]``."""
        return PLACEHOLDERS[self.kind]


@dataclass(frozen=True)
class RedactResult:
    """A redacted text, the number of items per type and where they were."""

    text: str
    counts: dict[str, int]
    redactions: tuple[Redaction, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything was redacted."""
        return bool(self.redactions)

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Move a span of the original text to the redacted text.

        Returns:
            The span's offsets in the redacted text, or ``None`` when the span overlaps a
            redacted region (it no longer exists).
        """
        shift = 0
        for r in self.redactions:
            if r.end <= start:
                shift += (r.new_end - r.new_start) - (r.end - r.start)
            elif r.start < end and start < r.end:
                return None
        return start + shift, end + shift


def _empty_counts() -> dict[str, int]:
    return {kind: 0 for kind in KINDS}


# --------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RedactLexicon:
    """The word lists behind the rules, validated on load (see :func:`load_lexicon`)."""

    first_names: frozenset[str]
    ambiguous_names: frozenset[str]
    places: tuple[str, ...]
    ambiguous_places: frozenset[str]
    keep: dict[str, tuple[str, ...]]
    name_cues: frozenset[str]
    street_suffixes: tuple[str, ...]
    place_cues: frozenset[str]
    place_cue_exceptions: frozenset[str] = frozenset()
    sha256: str = ""

    def name_kind(self, word: str) -> str | None:
        """``"name"``, ``"ambiguous"`` or ``None`` for a capitalised word.

        Genitives (``Olas``) and hyphenated first names (``Anne-Lise``, ``Per-Erik``)
        count; a hyphenated name is never ambiguous.
        """
        for form in (word, word[:-1] if len(word) > 2 and word.endswith("s") else ""):
            if form in self.first_names:
                return "ambiguous" if form in self.ambiguous_names else "name"
        if "-" in word:
            parts = word.split("-")
            if len(parts) > 1 and all(p in self.first_names for p in parts):
                return "name"
        return None

    def is_patronymic(self, word: str) -> bool:
        """Whether a capitalised word is a surname made of a listed first name and -sen/-son.

        "Eriksen" (Erik), "Hansen" and "Larsen" (Hans, Lars: the s is shared), "Olsen"
        (Ole), "Thomassen", "Karlsson". These are the most common Norwegian surnames and
        no common word, so they are redacted on their own ("Bruker (Hansen)"), where the
        NER often misses a lone surname. Common words of that shape ("Person", "Linsen",
        "Trinsen": Norsk Ordbank's forms checked against the name list) are not.
        """
        if len(word) < 5 or not (word[0].isupper() and word[1:].islower() and word.isalpha()):
            return False
        low = word.lower()
        if low in _PATRONYMIC_LOOKALIKES:
            return False
        for ending in ("ssen", "sson", "sen", "son"):
            if low.endswith(ending):
                stem = low[: -len(ending)]
                for name in (stem, stem + "s", stem + "e"):
                    if len(name) >= 2 and name.capitalize() in self.first_names:
                        return True
        return False


#: Common words that look like a first name + -sen/-son: every such form of Norsk Ordbank
#: (via the shipped pipeline's lemma table) that is not a surname.
_PATRONYMIC_LOOKALIKES = frozenset(
    {"ansen", "bossen", "lensen", "linsen", "lissen", "maisen", "person", "runsen", "sirissen", "trinsen", "åssen"}
)


def _data_file(name: str) -> Path:
    return Path(str(resources.files("fritekst"))) / "data" / name


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None


def _read_list(path: Path, data: bytes) -> tuple[list[str], set[str]]:
    """Parse a one-entry-per-line list read from ``path``: (entries in order, entries
    marked with `` *``)."""
    name = str(path)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    entries: list[str] = []
    marked: set[str] = set()
    seen: set[str] = set()
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        ambiguous = line.endswith(" *")
        entry = line[:-2].strip() if ambiguous else line
        if not entry or "*" in entry or not entry[0].isupper():
            raise InputError(
                f"{name}: line {line_no}: {raw!r} is not a capitalised name "
                f"(optionally followed by ' *')"
            )
        if entry in seen:
            raise InputError(f"{name}: line {line_no}: duplicate entry {entry!r}")
        seen.add(entry)
        entries.append(entry)
        if ambiguous:
            marked.add(entry)
    if not entries:
        raise InputError(f"{name}: no entries")
    return entries, marked


def _check_keys(keys: Iterable[Any], allowed: Sequence[str], where: str, what: str) -> None:
    """InputError naming the first key (in sorted order) that is not in ``allowed``."""
    unknown = sorted(set(keys) - set(allowed))
    if unknown:
        raise InputError(f"{where}: unknown {what} {unknown[0]!r} (allowed: {', '.join(allowed)})")


def _string_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{where}: expected a non-empty list of strings")
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise InputError(f"{where}: entry {i} ({item!r}) is not a non-empty string")
        out.append(item.strip())
    return tuple(out)


def load_lexicon(
    names_path: PathLike | None = None,
    places_path: PathLike | None = None,
    rules_path: PathLike | None = None,
) -> RedactLexicon:
    """Load and validate the redaction lexicon (the packaged files when paths are None).

    Args:
        names_path: first names, one per line (``data/fornavn.txt``).
        places_path: place names, one per line (``data/kommuner.txt``).
        rules_path: keep lists, name cues, street suffixes, place cues and their
            exceptions (``data/redact.yaml``).

    Raises:
        InputError: a file is missing or an entry is invalid; the message names the file
            and the line or key.
    """
    npath = Path(names_path) if names_path else _data_file("fornavn.txt")
    ppath = Path(places_path) if places_path else _data_file("kommuner.txt")
    rpath = Path(rules_path) if rules_path else _data_file("redact.yaml")
    raw_names = _read_bytes(npath)
    names, ambiguous_names = _read_list(npath, raw_names)
    raw_places = _read_bytes(ppath)
    places, ambiguous_places = _read_list(ppath, raw_places)

    rname = str(rpath)
    raw_rules = _read_bytes(rpath)
    try:
        rules = yaml.safe_load(raw_rules)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise InputError(f"{rname}: {line}invalid YAML") from None
    if not isinstance(rules, dict):
        raise InputError(f"{rname}: expected a mapping with keys {', '.join(_LEXICON_KEYS)}")
    _check_keys(rules, _LEXICON_KEYS, rname, "key")
    missing = [k for k in _LEXICON_KEYS if k not in rules]
    if missing:
        raise InputError(f"{rname}: missing key {missing[0]!r}")
    keep_raw = rules["keep"]
    if not isinstance(keep_raw, dict):
        raise InputError(f"{rname}: keep: expected a mapping of groups to lists")
    _check_keys(keep_raw, _KEEP_GROUPS, f"{rname}: keep", "group")
    keep = {g: _string_list(keep_raw[g], f"{rname}: keep.{g}") for g in _KEEP_GROUPS if g in keep_raw}

    def words(key: str) -> tuple[str, ...]:
        return _string_list(rules[key], f"{rname}: {key}")

    def lowered(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in words(key))

    digest = hashlib.sha256()
    for raw in (raw_names, raw_places, raw_rules):
        digest.update(raw)
    return RedactLexicon(
        first_names=frozenset(names),
        ambiguous_names=frozenset(ambiguous_names),
        places=tuple(places),
        ambiguous_places=frozenset(ambiguous_places),
        keep=keep,
        name_cues=lowered("name_cues"),
        street_suffixes=words("street_suffixes"),
        place_cues=lowered("place_cues"),
        place_cue_exceptions=lowered("place_cue_exceptions"),
        sha256=digest.hexdigest(),
    )


@lru_cache(maxsize=1)
def _default_lexicon() -> RedactLexicon:
    return load_lexicon()


@lru_cache(maxsize=1)
def _codebook_substances() -> tuple[str, ...]:
    """Single-word codebook terms that are never redacted: every ``stoff`` term (substance
    names), and terms of 7+ letters of the other families ("naloksonspray", which the NER
    model can take for a name at the start of a sentence)."""
    from fritekst.codebook import iter_terms, load_codebook

    return tuple(
        spec.text for entry, spec in iter_terms(load_codebook())
        if " " not in spec.text and (entry.label.startswith("stoff:") or len(spec.text) >= 7)
    )


# --------------------------------------------------------------------------------------
# Fødselsnummer
# --------------------------------------------------------------------------------------

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _mod11(digits: Sequence[int], weights: Sequence[int]) -> int | None:
    rest = 11 - sum(d * w for d, w in zip(digits, weights)) % 11
    if rest == 11:
        return 0
    return None if rest == 10 else rest


def fnr_is_valid(number: str) -> bool:
    """Whether ``number`` (11 digits; spaces and hyphens ignored) has valid check digits.

    Only the two mod-11 check digits (k1, k2) are checked, not the birth date, so
    D-numbers and synthetic test numbers count too.
    """
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 11 or len(re.sub(r"[\s-]", "", number)) != 11:
        return False
    k1 = _mod11(digits[:9], _K1_WEIGHTS)
    if k1 is None or k1 != digits[9]:
        return False
    k2 = _mod11(digits[:10], _K2_WEIGHTS)
    return k2 is not None and k2 == digits[10]


def account_is_valid(number: str) -> bool:
    """Whether ``number`` (11 digits; spaces and periods ignored) is a Norwegian bank
    account number with a valid mod-11 check digit."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 11 or len(re.sub(r"[\s.]", "", number)) != 11:
        return False
    check = _mod11(digits[:10], _ACCOUNT_WEIGHTS)
    return check is not None and check == digits[10]


def _is_date_digits(digits: str) -> bool:
    """An 8-digit run that reads as a date, ``DDMMYYYY`` or ``YYYYMMDD`` (1900-2099)."""
    for fmt in ("%d%m%Y", "%Y%m%d"):
        try:
            day = dt.datetime.strptime(digits, fmt)
        except ValueError:
            continue
        if 1900 <= day.year <= 2099:
            return True
    return False


# --------------------------------------------------------------------------------------
# The redactor
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    start: int  # character offsets
    end: int
    kind: str


class Redactor:
    """Finds and replaces personal data in Norwegian free text.

    Args:
        nlp: the spaCy pipeline; its tokenizer is always used and its ``ner`` or
            ``entity_ruler`` (if any) finds person names (and places when ``places``);
            other components are disabled while redacting. ``None`` loads the default
            base pipeline (:func:`fritekst.nlp.base.load_base`).
        places: also redact place names ([STED]).
        lexicon: the word lists (:func:`load_lexicon`; the packaged default when None).
        substance_terms: words that are never redacted, and (those of 5 or more letters)
            their compounds (``Rivotril-tabletter``, ``Buprenorfinbruk``); lower-case.
            ``None`` takes the ``stoff`` terms of the packaged codebook.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        *,
        places: bool = False,
        lexicon: RedactLexicon | None = None,
        substance_terms: Iterable[str] | None = None,
    ) -> None:
        if nlp is None:
            from fritekst.nlp.base import load_base

            nlp = load_base()
        self.nlp = nlp
        self.places = places
        self.lexicon = lexicon or _default_lexicon()
        self.has_ner = bool(_ENTITY_COMPONENTS & set(nlp.pipe_names))
        self._disable = [p for p in nlp.pipe_names if p not in _NER_COMPONENTS or not self.has_ner]
        # Norwegian common words (Norsk Ordbank, shipped in the pipeline's lemma exception
        # component): a lone capitalised one is not taken for a name.
        self._lemma_table = word_table(nlp)
        self._keep_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._keep_orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        for group, terms in self.lexicon.keep.items():
            if group == "regions" and places:
                continue
            matcher = self._keep_orth if group == "calendar" else self._keep_lower
            matcher.add(group, [nlp.make_doc(t) for t in terms])
        self._places = PhraseMatcher(nlp.vocab, attr="ORTH")
        if places:
            # the places, the genitives of the one-word ones ("Bodøs"), and the regions
            names = sorted(set(self.lexicon.places) | with_genitives(p for p in self.lexicon.places if " " not in p))
            names += list(self.lexicon.keep.get("regions", ()))
            self._places.add("STED", [nlp.make_doc(t) for t in names])
        substances = _codebook_substances() if substance_terms is None else substance_terms
        self._substances = frozenset(t.lower().rstrip("-") for t in substances if t.strip())
        self._substance_prefixes = tuple(sorted(t for t in self._substances if len(t) >= 5))
        self._address_re = _address_regex(self.lexicon.street_suffixes)
        self._place_names = frozenset(self.lexicon.places)

    # ---- public API ------------------------------------------------------------------

    def redact(self, text: str) -> RedactResult:
        """Redact one text."""
        return self._apply(self.nlp(text, disable=self._disable))

    def redact_many(self, texts: Iterable[str], *, batch_size: int = 256) -> Iterator[RedactResult]:
        """Redact a stream of texts (``nlp.pipe``), yielding one result per text."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size, disable=self._disable):
            yield self._apply(doc)

    def redact_records(
        self, records: Iterable[TaggedRecord], *, batch_size: int = 256
    ) -> Iterator[tuple[TaggedRecord, RedactResult]]:
        """Redact tagged records (see :func:`redact_record`), streaming."""
        pairs = ((r.text, r) for r in records)
        for doc, record in self.nlp.pipe(
            pairs, as_tuples=True, batch_size=batch_size, disable=self._disable
        ):
            result = self._apply(doc)
            yield redact_record(record, result), result

    def meta(self) -> dict[str, Any]:
        """What did the redaction, for output metadata."""
        from fritekst.nlp.base import pipeline_info

        return {
            "pipeline": pipeline_info(self.nlp),
            "ner": self.has_ner,
            "places": self.places,
            "lexicon_sha256": self.lexicon.sha256,
            "first_names": len(self.lexicon.first_names),
            "place_names": len(self.lexicon.places),
            "substance_terms": len(self._substances),
        }

    # ---- detection -------------------------------------------------------------------

    def _apply(self, doc: Doc) -> RedactResult:
        text = doc.text
        chosen = _resolve(self._candidates(doc))
        if not chosen:
            return RedactResult(text=text, counts=_empty_counts())
        counts = _empty_counts()
        parts: list[str] = []
        redactions: list[Redaction] = []
        pos = 0
        out_len = 0
        for c in chosen:
            kept = text[pos:c.start]
            parts.append(kept)
            out_len += len(kept)
            ph = PLACEHOLDERS[c.kind]
            parts.append(ph)
            redactions.append(Redaction(c.start, c.end, c.kind, out_len, out_len + len(ph)))
            out_len += len(ph)
            counts[c.kind] += 1
            pos = c.end
        parts.append(text[pos:])
        return RedactResult(text="".join(parts), counts=counts, redactions=tuple(redactions))

    def _candidates(self, doc: Doc) -> list[_Candidate]:
        text = doc.text
        out: list[_Candidate] = []
        for m in _FNR_RE.finditer(text):
            if fnr_is_valid(m.group()):
                out.append(_Candidate(m.start(), m.end(), "FØDSELSNUMMER"))
        for m in _ACCOUNT_RE.finditer(text):
            if account_is_valid(m.group()):  # a valid fødselsnummer wins the overlap (KINDS order)
                out.append(_Candidate(m.start(), m.end(), "KONTONUMMER"))
        for m in _EMAIL_RE.finditer(text):
            out.append(_Candidate(m.start(), m.end(), "EPOST"))
        for m in _PHONE_RE.finditer(text):
            if not _phone_is_other_number(m):
                out.append(_Candidate(m.start(), m.end(), "TELEFON"))
        for m in self._address_re.finditer(text):
            out.append(_Candidate(m.start(), m.end(), "ADRESSE"))
        for m in _POSTBOKS_RE.finditer(text):
            out.append(_Candidate(m.start(), m.end(), "ADRESSE"))
        for m in _POSTCODE_PLACE_RE.finditer(text):
            if m.group("place") in self._place_names:
                out.append(_Candidate(m.start(), m.end(), "ADRESSE"))

        protected = self._protected(doc)
        spans: list[tuple[int, int, str]] = list(self._name_rules(doc, protected))
        has_pos = doc.has_annotation("POS")
        surnames = surname_forms(doc)  # "Giske" after "Trond Giske" is a name, known word or not
        for ent in doc.ents:
            end = ent.end
            while end > ent.start and doc[end - 1].is_space:  # "Storgata\n": never take the line break
                end -= 1
            ent = Span(doc, ent.start, end, label=ent.label_)
            if not len(ent) or not any(_capitalised(t) for t in ent):
                continue  # names and places are capitalised; "NAV", "hasj" are not
            if ent.label_ in NER_PERSON_LABELS:
                if ent.text in surnames or self._is_person_name(ent, has_pos):
                    spans.append((ent.start, ent.end, "NAVN"))
            elif self.places and ent.label_ in NER_PLACE_LABELS:
                spans.append((ent.start, ent.end, "STED"))
        if self.places:
            spans.extend(self._place_rules(doc, protected))
        for start, end, kind in spans:
            trimmed = _trim(start, end, protected)
            if trimmed is not None:
                s, e = trimmed
                out.append(_Candidate(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), kind))
        return out

    def _is_person_name(self, ent: Span, has_pos: bool) -> bool:
        """Whether a capitalised person entity of the NER is taken as a name."""
        lex = self.lexicon
        if ent[-1].lower_.endswith(lex.street_suffixes):
            return False  # a street name the model took for a person ("Storgata")
        if has_pos and any(t.is_alpha and t.pos_ != "PROPN" for t in ent):
            return False  # "Stengte tilbud", "Naloksonspray deles ut": a capitalised common word
        if len(ent) == 1:
            kind = lex.name_kind(ent.text)
            if (kind is None and self._lemma_table is not None and self._lemma_table.knows(ent.text)
                    and sentence_initial(ent[0])):
                # "Høyere priser" at the start of a line: a common word, not a name. Inside a
                # sentence a capitalised "Berg" or "Haugen" is a name (UD dev: 124 such PER
                # entities are names, 26 are not).
                return False
            cue = ent.start > 0 and ent.doc[ent.start - 1].lower_ in lex.name_cues
            if kind == "ambiguous" and not cue:
                return False  # "Liv og helse": the same rule as for the gazetteer
        return True

    def _lower_first_name(self, tok: Token) -> bool:
        """A lower-case unambiguous first name ("kari", "ola") that is not also a word.

        Needs the pipeline's Norsk Ordbank table, which lists first names as nouns only:
        "tone" (also a verb) or "rune" (also an adjective form) are words, and the
        ambiguous names ("per", "liv", "dag") never count in lower case.
        """
        t = tok.text
        if self._lemma_table is None or len(t) < 3 or not (t.isalpha() and t.islower()):
            return False
        return self.lexicon.name_kind(t.title()) == "name" and self._may_be_surname(t)

    def _may_be_surname(self, word: str) -> bool:
        """Whether a lower-cased word may be a name: no function word, and a noun only in the
        word table (which lists names as nouns) when there is one."""
        if word in NB_STOP_WORDS:
            return False
        return self._lemma_table is None or self._lemma_table.classes(word) <= {"noun"}

    def _protected(self, doc: Doc) -> set[int]:
        protected: set[int] = set()
        for matcher in (self._keep_lower, self._keep_orth):
            for _, start, end in matcher(doc):
                protected.update(range(start, end))
        for tok in doc:
            low = tok.lower_
            if low in self._substances or (
                tok.text[:1].isupper() and low.startswith(self._substance_prefixes)
            ):
                protected.add(tok.i)
        return protected

    def _name_rules(self, doc: Doc, protected: set[int]) -> Iterator[tuple[int, int, str]]:
        lex = self.lexicon
        n = len(doc)
        i = 0
        while i < n:
            tok = doc[i]
            if i in protected:
                i += 1
                continue
            if _capitalised(tok):  # "Kari Nordmann", "fastlegen Hansen": any number of surnames
                kind = lex.name_kind(tok.text) or ("name" if lex.is_patronymic(tok.text) else None)
                cue = i > 0 and doc[i - 1].lower_ in lex.name_cues and bool(doc[i - 1].whitespace_)
                follows, most = _surname_like, n
            elif _all_caps(tok) and lex.name_kind(tok.text.title()) == "name":  # "ERIK JOHANSEN"; never "LIV"
                kind, cue = "name", False
                follows, most = (lambda t: _all_caps(t, 2) and self._may_be_surname(t.lower_)), 2
            elif self._lower_first_name(tok):  # "kari nordmann"
                kind, cue = "name", False
                follows, most = (lambda t: t.is_lower and t.is_alpha and self._may_be_surname(t.lower_)), 2
            else:
                kind, cue = None, False
            if kind is None and not cue:
                i += 1
                continue
            # in capitals or lower case up to two surnames: a function word or a word known as
            # other than a noun ends the name (a comment in capitals: "ERIK MELDER OM ...")
            j = i + 1
            while j < n and j - i <= most and j not in protected and doc[j - 1].whitespace_ and follows(doc[j]):
                j += 1
            if kind == "ambiguous" and not cue and j == i + 1:
                i += 1
                continue
            yield i, j, "NAVN"
            i = j

    def _place_rules(self, doc: Doc, protected: set[int]) -> Iterator[tuple[int, int, str]]:
        lex = self.lexicon
        cues = lex.place_cues
        for _, start, end in self._places(doc):
            span_text = doc[start:end].text
            base = span_text[:-1] if span_text not in self._place_names else span_text
            if base in lex.ambiguous_places:
                followed = end < len(doc) and doc[end].lower_ in cues
                if sentence_initial(doc[start]) and not followed:
                    continue
            yield start, end, "STED"
        # "Snillfjord kommune": a capitalised word before a place cue, unless it is a word
        # that is only capitalised because it starts the sentence ("Vår kommune ...").
        for tok in doc[1:]:
            prev = doc[tok.i - 1]
            if (
                tok.lower_ in cues
                and prev.whitespace_
                and _capitalised(prev)
                and prev.i not in protected
                and not (sentence_initial(prev) and prev.lower_ in lex.place_cue_exceptions)
            ):
                yield prev.i, prev.i + 1, "STED"


def _capitalised(tok: Token) -> bool:
    """A word that starts with a capital letter and is not all capitals (``NAV``)."""
    t = tok.text
    return (
        len(t) >= 2
        and t[0].isupper()
        and t[0].isalpha()
        and not t.isupper()
        and all(ch.isalpha() or ch in "-'" for ch in t)
    )


def _all_caps(tok: Token, min_len: int = 3) -> bool:
    """A word in capitals only (``ERIK``, ``BAKKE-HANSEN``), at least ``min_len`` long."""
    t = tok.text
    return len(t) >= min_len and t.isupper() and t[0].isalpha() and all(ch.isalpha() or ch in "-'" for ch in t)


def _surname_like(tok: Token) -> bool:
    """A capitalised word or an initial (``N.``) that may continue a name."""
    t = tok.text
    if len(t) == 2 and t[0].isupper() and t[1] == ".":
        return True
    return _capitalised(tok)


def _trim(start: int, end: int, protected: set[int]) -> tuple[int, int] | None:
    while start < end and start in protected:
        start += 1
    while end > start and (end - 1) in protected:
        end -= 1
    return (start, end) if start < end else None


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates, by type priority then length; sorted by position."""
    rank = {kind: i for i, kind in enumerate(KINDS)}
    ordered = sorted(candidates, key=lambda c: (rank[c.kind], -(c.end - c.start), c.start))
    chosen: list[_Candidate] = []
    for c in ordered:
        if all(c.end <= k.start or k.end <= c.start for k in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def _phone_is_other_number(m: re.Match[str]) -> bool:
    """An 8-digit match that is a date or a year range, not a phone number."""
    if m.group("cc"):
        return False
    num = m.group("num")
    digits = re.sub(r"\D", "", num)
    if num.isdigit():
        return _is_date_digits(digits)
    halves = re.split(r"[ .-]", num)
    return len(halves) == 2 and all(_YEAR_RE.fullmatch(h) for h in halves)


_POSTCODE_PLACE_RE = re.compile(r"(?<![\w.,-])\d{4}\s+(?P<place>[A-ZÆØÅ][\w-]*)(?!\w)")


def _address_regex(suffixes: Sequence[str]) -> re.Pattern[str]:
    """Street name + house number (+ optional ``, postcode place``)."""
    ordered = sorted({s.lower() for s in suffixes}, key=len, reverse=True)
    lower = "|".join(re.escape(s) for s in ordered)
    upper = "|".join(re.escape(s[:1].upper() + s[1:]) for s in ordered)
    word = r"[A-ZÆØÅ][\w.'-]*"
    street = (
        rf"(?:(?:{word} ){{1,3}}(?:{lower})"  # Karl Johans gate
        rf"|[A-ZÆØÅ][\w-]*?(?:{lower})"  # Storgata, Kirkeveien
        rf"|(?:{upper}))"  # Torget
    )
    # House numbers have 1-3 digits (a 4-digit number after "Torget" is a year); an
    # address does not run across a line break.
    number = r"\d{1,3}[A-Za-z]?(?![\w.,]\d|\w)"
    tail = r"(?:,?[ \t]+\d{4}[ \t]+[A-ZÆØÅ][\w-]*)?"
    return re.compile(rf"(?<!\w){street}[ \t]+{number}{tail}")


@lru_cache(maxsize=8)
def _redactor_for(nlp: Language | None, places: bool) -> Redactor:
    return Redactor(nlp, places=places)


def redact_text(text: str, *, nlp: Language | None = None, places: bool = False) -> RedactResult:
    """Redact personal data in one text (see the module docstring for what is found).

    Args:
        text: the text.
        nlp: the spaCy pipeline whose tokenizer and NER are used; ``None`` loads the
            default base pipeline. The redactor built for a pipeline is cached.
        places: also replace place names with ``[STED]``.

    Returns:
        A :class:`RedactResult` with the redacted ``text`` and ``counts`` per type.
    """
    return _redactor_for(nlp, places).redact(text)


def redact_record(record: TaggedRecord, result: RedactResult) -> TaggedRecord:
    """Carry a redaction of ``record.text`` over to the record.

    The text becomes ``result.text``; mentions inside a redacted region are dropped and
    the others get offsets into the redacted text. Labels, negated labels and sources are
    kept: they describe the comment, not the characters.
    """
    if not result.changed:
        return record
    mentions = []
    for m in record.mentions:
        moved = result.map_span(m.start, m.end)
        if moved is not None:
            mentions.append(replace(m, start=moved[0], end=moved[1]))
    return replace(record, text=result.text, mentions=tuple(mentions))


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


@dataclass
class RedactSummary:
    """What :func:`redact_file` did."""

    input: str
    output: str
    kind: str  # "tagged" (fritekst tag JSONL) or the export format: "csv", "xlsx", "jsonl"
    records: int = 0  # records (tagged) or text cells (export) looked at
    changed: int = 0  # of those, how many had something redacted
    counts: dict[str, int] = field(default_factory=_empty_counts)
    text_columns: list[str] = field(default_factory=list)
    mentions_dropped: int = 0

    def add(self, result: RedactResult) -> None:
        """Count one redacted text."""
        self.records += 1
        self.changed += result.changed
        for kind, n in result.counts.items():
            self.counts[kind] = self.counts.get(kind, 0) + n

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the metadata sidecar."""
        return {
            "input": self.input,
            "kind": self.kind,
            "records": self.records,
            "changed": self.changed,
            "counts": dict(self.counts),
            "text_columns": list(self.text_columns),
            "mentions_dropped": self.mentions_dropped,
        }


def _is_tagged_jsonl(path: Path) -> bool:
    """A JSONL file whose first record looks like ``fritekst tag`` output."""
    try:
        with path.open("r", encoding="utf-8-sig") as fh:
            for line in fh:
                if line.strip():
                    data = json.loads(line)
                    return isinstance(data, dict) and "labels" in data and "mentions" in data
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return False


def redact_file(
    input_path: PathLike,
    output_path: PathLike,
    *,
    redactor: Redactor | None = None,
    places: bool = False,
    text_cols: Sequence[str] | None = None,
) -> RedactSummary:
    """Redact a tagged JSONL file or a survey export into a file of the same shape.

    * Tagged JSONL (``fritekst tag`` output): every record's ``text`` is redacted, its
      mentions moved or dropped (:func:`redact_record`); written as tagged JSONL.
    * A survey export (CSV, XLSX, JSONL) as read by :func:`fritekst.read.read_comments`:
      the free-text columns (recognised by ``read_comments`` or given as ``text_cols``)
      are redacted cell by cell and every other column, sheet, row and (XLSX) format is
      kept. CSV keeps its delimiter and encoding.

    The output is written atomically, with a ``<output>.meta.json`` sidecar.

    Raises:
        InputError: the input cannot be read, a named column does not exist, or the
            output would overwrite the input.
    """
    from fritekst.write import atomic_path, write_jsonl, write_meta

    src = Path(input_path)
    dst = Path(output_path)
    if src.exists() and dst.exists() and src.resolve() == dst.resolve():
        raise InputError(f"{output_path}: the output would overwrite the input")
    redactor = redactor or Redactor(places=places)

    if src.suffix.casefold() in {".jsonl", ".ndjson", ".json"} and _is_tagged_jsonl(src):
        from fritekst.read import read_tagged

        summary = RedactSummary(str(input_path), str(output_path), "tagged")
        summary.text_columns = ["text"]

        n_mentions: deque[int] = deque()

        def redacted() -> Iterator[TaggedRecord]:
            for new, result in redactor.redact_records(_counting(read_tagged(src), n_mentions)):
                summary.add(result)
                summary.mentions_dropped += n_mentions.popleft() - len(new.mentions)
                yield new

        write_jsonl(dst, redacted())
    else:
        from fritekst.read import read_comments

        # Only the column mapping is used here; the year merely keeps bare week numbers
        # ("28") from being an error, since weeks do not matter for redaction.
        read = read_comments(
            src, text_col=list(text_cols) if text_cols else None, year=dt.date.today().year
        )
        columns = read.questions if read.layout == "wide" else [read.columns["text"]]
        summary = RedactSummary(str(input_path), str(output_path), read.format)
        summary.text_columns = list(columns)
        with atomic_path(dst) as tmp:
            if read.format == "xlsx":
                _redact_xlsx(src, tmp, columns, redactor, summary)
            elif read.format == "csv":
                _redact_csv(src, tmp, columns, redactor, summary, read.encoding or "utf-8",
                            read.delimiter or ",")
            else:
                _redact_jsonl(src, tmp, columns, redactor, summary, read.encoding or "utf-8")
    write_meta(dst, {"redaction": redactor.meta(), "summary": summary.to_dict()})
    return summary


def _counting(records: Iterable[TaggedRecord], sink: deque[int]) -> Iterator[TaggedRecord]:
    """Pass records through, noting each one's number of mentions in ``sink``."""
    for r in records:
        sink.append(len(r.mentions))
        yield r


def _redact_values(
    values: list[str], redactor: Redactor, summary: RedactSummary
) -> list[str]:
    out = []
    for result in redactor.redact_many(values):
        summary.add(result)
        out.append(result.text)
    return out


def _redact_xlsx(
    src: Path, dst: Path, columns: Sequence[str], redactor: Redactor, summary: RedactSummary
) -> None:
    """Redact text cells in place in every sheet whose header row names a text column."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(src)
    except Exception as err:  # openpyxl raises many types for a broken file
        raise InputError(f"{src}: not a valid XLSX file ({err})") from None
    wanted = set(columns)
    for ws in wb.worksheets:
        header_row = None
        for row in ws.iter_rows():
            if any(c.value not in (None, "") for c in row):
                header_row = row
                break
        if header_row is None:
            continue
        cols = [c.column for c in header_row if isinstance(c.value, str) and c.value.strip() in wanted]
        if not cols:
            continue
        cells = [
            ws.cell(row=r, column=col)
            for col in cols
            for r in range(header_row[0].row + 1, ws.max_row + 1)
        ]
        cells = [c for c in cells if isinstance(c.value, str) and c.value.strip()]
        for cell, text in zip(cells, _redact_values([c.value for c in cells], redactor, summary)):
            cell.value = text
    wb.save(dst)


def _redact_csv(
    src: Path,
    dst: Path,
    columns: Sequence[str],
    redactor: Redactor,
    summary: RedactSummary,
    encoding: str,
    delimiter: str,
) -> None:
    raw = src.read_bytes()
    text = raw.decode(encoding)
    newline = "\r\n" if "\r\n" in text[:65536] else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_i = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_i is not None:
        wanted = set(columns)
        idx = [j for j, h in enumerate(rows[header_i]) if h.strip() in wanted]
        where = [
            (i, j) for i in range(header_i + 1, len(rows)) for j in idx
            if j < len(rows[i]) and rows[i][j].strip()
        ]
        new = _redact_values([rows[i][j] for i, j in where], redactor, summary)
        for (i, j), value in zip(where, new):
            rows[i][j] = value
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    dst.write_bytes(buf.getvalue().encode(encoding))


def _redact_jsonl(
    src: Path,
    dst: Path,
    columns: Sequence[str],
    redactor: Redactor,
    summary: RedactSummary,
    encoding: str,
) -> None:
    lines = src.read_bytes().decode(encoding).splitlines()
    objects: list[dict[str, Any] | None] = [json.loads(line) if line.strip() else None for line in lines]
    where = [
        (i, key) for i, obj in enumerate(objects) if obj is not None
        for key in columns if isinstance(obj.get(key), str) and obj[key].strip()
    ]
    new = _redact_values([objects[i][key] for i, key in where], redactor, summary)  # type: ignore[index]
    for (i, key), value in zip(where, new):
        objects[i][key] = value  # type: ignore[index]
    with dst.open("w", encoding="utf-8", newline="\n") as fh:
        for obj in objects:
            if obj is not None:
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
