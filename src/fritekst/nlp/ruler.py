"""The codebook ruler: a spaCy component that tags codebook terms, phrases and patterns.

It writes to ``doc.spans[span_key]`` (default ``"fritekst"``) one span per mention with
``span.label_`` = label id, ``span.id_`` (and ``span._.term``) = the lexicon entry that
matched, ``span.kb_id_`` (and ``span._.substance``) = canonical substance for ``stoff``
labels, and ``span._.negated`` (set by the negation component).

Single terms are matched on the lower-case token (and on the lemma, when the pipeline has
one), so the ruler works on ``spacy.blank("nb")``. Norwegian compounds and inflections
are handled by string rules rather than lemmas: a term with an inflectional ending
(``amfetaminen``, ``benzoer``), a term as the first part of a compound with an optional
linking element (``hasjtørke``, ``GHB-bruk``, ``Rivotril-tabletter``), a term as the last
part (``rusmiddeltørke``), hyphenated parts (``LAR-pasienter``) and small typos
(Damerau-Levenshtein distance 1 for terms of 6+ letters, 2 for 12+, same first letter,
never for stop words). Phrases and raw patterns run through spaCy's ``Matcher``.

Within one family, overlapping mentions are resolved by ``_resolve_overlaps`` (longest
wins); mentions of different families may overlap (``hasjtørke`` is cannabis and drought).
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import Pipe
from spacy.tokens import Doc, Span, Token

from fritekst.codebook import (
    FAMILIES,
    Codebook,
    Entry,
    TermSpec,
    WordSpec,
    codebook_from_text,
    load_codebook,
    parse_phrase,
    parse_term,
)
from fritekst.nlp.lemma_exceptions import word_table

DEFAULT_SPAN_KEY = "fritekst"
STOFF_FLAG = "fritekst_stoff"

#: Inflectional endings accepted after a term (nouns, adjectives and verbs, bokmål and nynorsk).
ENDINGS: tuple[str, ...] = (
    "", "s", "e", "en", "et", "er", "ene", "a", "ar", "ane", "r", "ne", "n", "t", "te",
    "de", "es", "ens", "ets", "enes", "ende", "ast", "me",
)
#: Endings allowed after very short terms (3 letters or fewer), to keep ``vin`` from ``vinne``.
SHORT_ENDINGS: tuple[str, ...] = ("", "s", "en", "et", "er", "ene", "a")
#: Minimum length of the rest of a compound after a prefix term (``hasj`` + ``bruk``).
MIN_COMPOUND_REST = 3
#: Minimum length of the first part of a compound before a suffix term.
MIN_COMPOUND_HEAD = 2
#: Minimum length of a non-substance term for typo tolerance (substances: 6).
FUZZY_MIN_OTHER = 8
#: Words never corrected to a lexicon term, in addition to spaCy's Norwegian stop words.
FUZZY_GUARD: frozenset[str] = frozenset(
    {
        "isolere", "isoleres", "metoden", "metoder", "kodene", "testet", "vinter", "heroisk",
        "hvilke", "sprite", "koden", "spiste", "speedy", "ensomt", "angstfri", "tilbake",
        "samtidig", "samtidige", "spørsmål", "tilstand", "fremover", "behandlet", "behandle",
        "forandring", "forandringer", "endringen", "endringer", "kontakten", "kontakter",
        "tjenesten", "ansatte", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag",
        "søndag", "kommunen", "kommuner", "kommunene", "brukere", "brukerne", "brukeren",
        "rusbruk", "rusbruken", "rusbruker", "rusbrukere", "rusbrukerne", "rusbrukeren",
        "rusbrukers", "rusbrukernes", "overnatte", "overnatter", "overnattet", "overnatting",
        "ambulanse", "ambulansen", "ambulanser", "ambulansene",
    }
)



def _get_negated(span: Span) -> bool:
    return bool(span.doc.user_data.get(("fritekst.negated", span.start_char, span.end_char, span.label), False))


def _set_negated(span: Span, value: bool) -> None:
    span.doc.user_data[("fritekst.negated", span.start_char, span.end_char, span.label)] = bool(value)


# Span extensions are keyed by character offsets only, and two mentions of different labels
# may share a span ("hasjtørke"), so the values live on the span itself (kb_id_, id_) or
# are keyed by label as well.
Span.set_extension("substance", getter=lambda sp: sp.kb_id_ or None, force=True)
Span.set_extension("term", getter=lambda sp: sp.id_ or None, force=True)
Span.set_extension("negated", getter=_get_negated, setter=_set_negated, force=True)
if not Token.has_extension(STOFF_FLAG):
    Token.set_extension(STOFF_FLAG, default=False)


# --------------------------------------------------------------------------- string rules


def _endings_for(spec: TermSpec) -> tuple[str, ...]:
    if not spec.inflect:
        return ("",)
    return SHORT_ENDINGS if len(spec.text) <= 3 else ENDINGS


def _damerau(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance, stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


def _max_typos(length: int) -> int:
    return 2 if length >= 12 else 1 if length >= 6 else 0


class TermIndex:
    """Lookup of single-token terms: exact forms, compound parts, hyphen parts and typos."""

    def __init__(self, fuzzy: bool = True) -> None:
        self.fuzzy = fuzzy
        self.exact: dict[str, list[Any]] = {}
        self.exact_cs: dict[str, list[Any]] = {}
        self.prefix: dict[str, list[Any]] = {}
        self.prefix_cs: dict[str, list[Any]] = {}
        self.suffix: dict[str, list[Any]] = {}
        self.fuzzy_cores: dict[str, list[Any]] = {}
        self.fuzzy_deletes: dict[str, set[str]] = {}
        self._cache: dict[tuple[str, str], tuple[tuple[Any, int, int], ...]] = {}
        self._guard: frozenset[str] = frozenset()
        #: Whether a lower-case word is a known word of the language (never a typo).
        self.known_word: Callable[[str], bool] | None = None

    def add(self, spec: TermSpec, payload: Any) -> None:
        """Index a term with an arbitrary payload returned by ``lookup``."""
        ends = _endings_for(spec)
        exact = self.exact_cs if spec.case else self.exact
        for e in ends:
            exact.setdefault(spec.text + e, []).append(payload)
        if spec.prefix:
            (self.prefix_cs if spec.case else self.prefix).setdefault(spec.text, []).append(payload)
        if spec.suffix and not spec.case:
            for e in ends:
                self.suffix.setdefault(spec.text + e, []).append(payload)

    def add_fuzzy(self, spec: TermSpec, payload: Any) -> None:
        """Also find this term with small typos (see ``_max_typos``)."""
        if self.fuzzy and not spec.case and spec.inflect and spec.text.isalpha() and _max_typos(len(spec.text)):
            self.fuzzy_cores.setdefault(spec.text, []).append(payload)
            for d in _deletes(spec.text, _max_typos(len(spec.text))):
                self.fuzzy_deletes.setdefault(d, set()).add(spec.text)

    def set_guard(self, words: Iterable[str]) -> None:
        self._guard = frozenset(words)

    def lookup(self, lower: str, text: str) -> tuple[tuple[Any, int, int], ...]:
        """Return ``(payload, start, length)`` for every term found in a token string."""
        key = (lower, text)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        found: list[tuple[Any, int, int]] = []
        self._word(lower, text, 0, found)
        if "-" in lower.strip("-"):
            offset = 0
            for part_text in text.split("-"):
                if part_text and len(part_text) < len(text):
                    self._word(part_text.lower(), part_text, offset, found)
                offset += len(part_text) + 1
        if (not found and self.fuzzy and len(lower) >= 6 and lower.isalpha() and lower not in self._guard
                and not (self.known_word is not None and self.known_word(lower))):
            self._fuzzy(lower, found)
        result = tuple(found)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _word(self, w: str, text: str, offset: int, found: list[tuple[Any, int, int]]) -> None:
        n = len(w)
        for p in self.exact.get(w, ()):
            found.append((p, offset, n))
        for p in self.exact_cs.get(text, ()):
            found.append((p, offset, n))
        if self.prefix:
            for i in range(2, n - MIN_COMPOUND_REST + 1):
                ps = self.prefix.get(w[:i])
                if ps:
                    for p in ps:
                        found.append((p, offset, i))
        if self.prefix_cs:
            for i in range(2, n - 1):
                ps = self.prefix_cs.get(text[:i])
                if ps and (text[i] == "-" or n - i >= MIN_COMPOUND_REST):
                    for p in ps:
                        found.append((p, offset, i))
        if self.suffix:
            for j in range(MIN_COMPOUND_HEAD, n - 2):
                ps = self.suffix.get(w[j:])
                if ps:
                    for p in ps:
                        found.append((p, offset + j, n - j))

    def _fuzzy(self, w: str, found: list[tuple[Any, int, int]]) -> None:
        seen: set[str] = set()
        for e in ENDINGS:
            if e and not w.endswith(e):
                continue
            stem = w[: len(w) - len(e)] if e else w
            if len(stem) < 6:
                continue
            for d in _deletes(stem, _max_typos(len(stem))):
                for core in self.fuzzy_deletes.get(d, ()):
                    if core in seen or core[0] != stem[0]:
                        continue
                    limit = _max_typos(len(core))
                    if limit and _damerau(stem, core, limit) <= limit:
                        seen.add(core)
                        for p in self.fuzzy_cores[core]:
                            found.append((p, 0, len(w)))


# --------------------------------------------------------------------------- phrases -> Matcher


def _phrase_endings(spec: TermSpec) -> tuple[str, ...]:
    """Endings of a word inside a phrase: none for very short words (3 letters or fewer)."""
    return ("",) if len(spec.text) <= 3 else _endings_for(spec)


def _regex_for(spec: TermSpec) -> str:
    core = re.escape(spec.text)
    ends = _phrase_endings(spec)
    end_re = "(?:" + "|".join(re.escape(e) for e in ends if e) + ")?" if len(ends) > 1 else ""
    head = r"[\w-]*" if spec.suffix else ""
    tail = r"[\w-]*" if spec.prefix else end_re
    body = f"{head}{core}{tail}"
    return body if spec.case else f"(?i:{body})"


def _token_dict(alts: list[TermSpec], attr: str) -> dict[str, Any] | None:
    """One Matcher token dict matching any of the single-token alternatives."""
    plain: set[str] = set()
    regex: list[str] = []
    for alt in alts:
        if alt.case or alt.prefix or alt.suffix:
            regex.append(_regex_for(alt))
        else:
            plain.update(alt.text + e for e in _phrase_endings(alt))
    if regex:
        # matched against the text as written: plain alternatives ignore case, as they do
        # with LOWER ("Poliklinikken" next to "^DPS")
        regex.extend(f"(?i:{re.escape(p)})" for p in sorted(plain))
        text_attr = "TEXT" if attr == "LOWER" else attr
        return {text_attr: {"REGEX": "^(?:" + "|".join(f"(?:{r})" for r in regex) + ")$"}}
    if plain:
        return {attr: {"IN": sorted(plain)}}
    return None


#: Tokens a phrase's gap ("...") never spans: a negation ("Prisen har ikke økt" is no price
#: rise; a negation before or after a match is the negation component's job) and the end
#: of a sentence.
GAP_BLOCKERS: list[str] = ["ikke", "ikkje", "ingen", "inga", "intet", "ingenting", "aldri", "verken", "hverken",
                           "korkje", ".", "!", "?", ";"]


def _word_choices(word: WordSpec, attr: str) -> list[list[dict[str, Any]]]:
    """Token-dict sequences, each matching one alternative of a phrase word."""
    if word.gap:
        return [[{"LOWER": {"NOT_IN": GAP_BLOCKERS}, "OP": "{0,3}"}]]
    choices: list[list[dict[str, Any]]] = []
    single = [alt[0] for alt in word.alternatives if len(alt) == 1]
    one = _token_dict(single, attr)
    if one is not None:
        choices.append([one])
    for alt in word.alternatives:
        if len(alt) > 1:
            choices.append([d for d in (_token_dict([part], attr) for part in alt) if d is not None])
    if word.token_class == "stoff":
        choices.append([{"_": {STOFF_FLAG: True}}])
    return choices


def phrase_anchors(phrase: str) -> list[frozenset[str]]:
    """Form sets of which each must meet a doc's forms for the phrase to possibly match.

    One set per phrase word whose alternatives are all plain words (no wildcard, no
    case-sensitive term, no ``<stoff>``): every lower-case form of the word's first token.
    The content-richest set comes first (it is used as the index key).
    """
    sets: list[tuple[int, frozenset[str]]] = []
    for word in parse_phrase(phrase):
        if word.gap or word.token_class or not word.alternatives:
            continue
        forms: set[str] = set()
        for alt in word.alternatives:
            first = alt[0]
            if first.case or first.prefix or first.suffix:
                break
            forms.update(first.text + e for e in _phrase_endings(first))
        else:
            shortest = min(len(alt[0].text) for alt in word.alternatives)
            sets.append((shortest, frozenset(forms)))
    sets.sort(key=lambda x: (-x[0], len(x[1])))
    return [fs for _, fs in sets]


class PhraseIndex:
    """Phrase matching with spaCy's ``Matcher``, one small matcher per entry.

    A doc only runs the matchers whose anchor words (``phrase_anchors``) all occur in it,
    so hundreds of phrases cost little per comment; entries without anchors always run.
    """

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab
        self._matchers: list[tuple[str, Matcher, list[frozenset[str]]]] = []
        self._by_form: dict[str, list[int]] = {}
        self._always: list[int] = []

    def __len__(self) -> int:
        return len(self._matchers)

    def add(self, key: str, patterns: list[list[dict[str, Any]]], anchors: list[frozenset[str]]) -> None:
        matcher = Matcher(self.vocab)
        matcher.add(key, patterns)
        idx = len(self._matchers)
        self._matchers.append((key, matcher, anchors[1:]))
        if not anchors:
            self._always.append(idx)
        else:
            for form in anchors[0]:
                self._by_form.setdefault(form, []).append(idx)

    def __call__(self, doc: Doc, use_lemma: bool = False) -> list[tuple[str, int, int]]:
        forms = {t.lower_ for t in doc}
        if use_lemma:
            forms |= {t.lemma_.lower() for t in doc}
        selected = set(self._always)
        for form in forms:
            ids = self._by_form.get(form)
            if ids:
                selected.update(ids)
        out: list[tuple[str, int, int]] = []
        for idx in sorted(selected):
            key, matcher, rest = self._matchers[idx]
            if any(fs.isdisjoint(forms) for fs in rest):
                continue
            out.extend((key, start, end) for _, start, end in matcher(doc))
        return out


def phrase_patterns(phrase: str, lemma: bool) -> list[list[dict[str, Any]]]:
    """Compile a codebook phrase into Matcher patterns (lower-case forms; lemmas if asked)."""
    words = parse_phrase(phrase)
    attrs = ["LOWER", "LEMMA"] if lemma else ["LOWER"]
    patterns: list[list[dict[str, Any]]] = []
    for attr in attrs:
        per_word = [_word_choices(w, attr) for w in words]
        for combo in itertools.product(*per_word):
            patterns.append([dict(t) for seq in combo for t in seq])
    return patterns


# --------------------------------------------------------------------------- the component


def _resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Resolve overlapping mentions of one family.

    The longest mention wins over a mention of the same label it overlaps, and over a
    shorter phrase of another label inside it ("dårligere tilgang til behandling" is
    tilgang_hjelp, not tilgang_rusmidler). Single words of another label inside a longer
    phrase are kept ("medisiner, mat og brukerutstyr kjøres ut" keeps mat).
    """
    kept: list[Span] = []
    for sp in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.label_)):
        drop = False
        for other in kept:
            if sp.start < other.end and other.start < sp.end:
                if sp.label_ == other.label_:
                    drop = True
                elif sp.end - sp.start > 1 and other.start <= sp.start and sp.end <= other.end:
                    drop = True
            if drop:
                break
        if not drop:
            kept.append(sp)
    return kept


class CodebookRuler(Pipe):
    """Tag codebook labels in ``doc.spans[span_key]`` (see module docstring)."""

    def __init__(
        self,
        nlp: Language,
        name: str = "fritekst_codebook",
        *,
        span_key: str = DEFAULT_SPAN_KEY,
        fuzzy: bool = True,
        lemma_patterns: bool = False,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.span_key = span_key
        self.fuzzy = fuzzy
        self.lemma_patterns = lemma_patterns
        self.codebook: Codebook | None = None
        self._terms = TermIndex(fuzzy)
        self._excl_terms = TermIndex(False)
        self._phrases = PhraseIndex(nlp.vocab)
        self._excl_phrases = PhraseIndex(nlp.vocab)
        self._entries: dict[str, Entry] = {}
        self._family: dict[str, str] = {}

    # -- setup ---------------------------------------------------------------
    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        codebook: Codebook | str | Path | None = None,
    ) -> None:
        """Load the codebook (a ``Codebook``, a path, or the packaged default)."""
        if nlp is not None and not self.lemma_patterns:
            self.lemma_patterns = any("lemmatizer" in n for n in nlp.pipe_names)
        cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
        self.set_codebook(cb)

    def set_codebook(self, codebook: Codebook) -> None:
        """(Re)build the term index and matchers from a codebook."""
        from spacy.lang.nb.stop_words import STOP_WORDS

        self.codebook = codebook
        self._terms = TermIndex(self.fuzzy)
        self._excl_terms = TermIndex(False)
        self._phrases = PhraseIndex(self.nlp.vocab)
        self._excl_phrases = PhraseIndex(self.nlp.vocab)
        self._entries = {}
        self._family = {lab.id: lab.family for lab in codebook.labels}
        for lab in codebook.labels:
            for e in lab.entries:
                self._entries[e.key] = e
                if e.kind == "term":
                    spec = parse_term(e.value)
                    self._terms.add(spec, e)
                    # typo tolerance for substances and long (specific) words only
                    if self.fuzzy and (lab.family == "stoff" or len(spec.text) >= FUZZY_MIN_OTHER):
                        self._terms.add_fuzzy(spec, e)
                elif e.kind == "phrase":
                    self._phrases.add(e.key, phrase_patterns(e.value, self.lemma_patterns), phrase_anchors(e.value))
                else:
                    self._phrases.add(e.key, [e.value], [])
            for e in lab.exclude:
                if e.kind == "term":
                    self._excl_terms.add(parse_term(e.value), e.label)
                else:
                    self._excl_phrases.add(lab.id, phrase_patterns(e.value, self.lemma_patterns), phrase_anchors(e.value))
        self._terms.set_guard(set(STOP_WORDS) | FUZZY_GUARD | set(self._excl_terms.exact))
        # A word Norsk Ordbank knows is no typo ("overnatte" is not "oversatt", "abstrakt" not
        # "Abstral"), when the pipeline has the word table; its lemma finds the inflections.
        table = word_table(self.nlp)
        self._terms.known_word = table.knows if table is not None else None

    # -- tagging -------------------------------------------------------------
    def _require(self) -> None:
        if self.codebook is None:
            from fritekst.errors import ModelError

            raise ModelError(f"component {self.name!r} has no codebook: call initialize(codebook=...)")

    def __call__(self, doc: Doc) -> Doc:
        self._require()
        has_lemma = doc.has_annotation("LEMMA")
        spans: list[Span] = []
        for token in doc:
            if token.is_punct or token.is_space or token.like_num and not token.text[:1].isalpha() and "-" not in token.text:
                continue
            hits = list(self._terms.lookup(token.lower_, token.text))
            if has_lemma:
                lemma = token.lemma_.lower()
                if lemma and lemma != token.lower_:
                    hits.extend(self._terms.lookup(lemma, lemma))
            if not hits:
                continue
            excluded = {p for p, _, _ in self._excl_terms.lookup(token.lower_, token.text)}
            best: dict[str, tuple[int, int]] = {}
            for entry, start, length in hits:
                if entry.label in excluded:
                    continue
                fam = self._family[entry.label]
                cur = best.get(fam)
                if cur is None or (start, -length) < cur:
                    best[fam] = (start, -length)
            seen: set[str] = set()
            for entry, start, length in hits:
                if entry.label in excluded or entry.label in seen:
                    continue
                if best.get(self._family[entry.label]) != (start, -length):
                    continue
                seen.add(entry.label)
                spans.append(self._span(doc, token.i, token.i + 1, entry))
                if self._family[entry.label] == "stoff":
                    token._.set(STOFF_FLAG, True)
        use_lemma = has_lemma and self.lemma_patterns
        for key, start, end in self._phrases(doc, use_lemma):
            spans.append(self._span(doc, start, end, self._entries[key]))
        if len(self._excl_phrases):
            blocked = self._excl_phrases(doc, use_lemma)
            if blocked:
                spans = [
                    sp
                    for sp in spans
                    if not any(lab == sp.label_ and s < sp.end and sp.start < e for lab, s, e in blocked)
                ]
        result: list[Span] = []
        for fam in FAMILIES:
            result.extend(_resolve_overlaps([sp for sp in spans if self._family[sp.label_] == fam]))
        result.sort(key=lambda sp: (sp.start, sp.end, sp.label_))
        doc.spans[self.span_key] = result
        return doc

    def _span(self, doc: Doc, start: int, end: int, entry: Entry) -> Span:
        substance = entry.substance if self._family[entry.label] == "stoff" else None
        return Span(doc, start, end, label=entry.label, kb_id=substance or "", span_id=entry.key)

    # -- serialization -------------------------------------------------------
    def _cfg(self) -> dict[str, Any]:
        return {"span_key": self.span_key, "fuzzy": self.fuzzy, "lemma_patterns": self.lemma_patterns}

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        self._require()
        assert self.codebook is not None
        return json.dumps({"cfg": self._cfg(), "codebook": self.codebook.text, "source": self.codebook.source}).encode("utf-8")

    def from_bytes(self, bytes_data: bytes, *, exclude: Iterable[str] = ()) -> "CodebookRuler":
        data = json.loads(bytes_data.decode("utf-8"))
        self.span_key = data["cfg"]["span_key"]
        self.fuzzy = data["cfg"]["fuzzy"]
        self.lemma_patterns = data["cfg"]["lemma_patterns"]
        self.set_codebook(codebook_from_text(data["codebook"], data.get("source", "<saved>")))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._require()
        assert self.codebook is not None
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "codebook.yaml").write_text(self.codebook.text, encoding="utf-8")
        (path / "cfg.json").write_text(json.dumps(self._cfg(), indent=2), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "CodebookRuler":
        path = Path(path)
        cfg = json.loads((path / "cfg.json").read_text(encoding="utf-8"))
        self.span_key, self.fuzzy, self.lemma_patterns = cfg["span_key"], cfg["fuzzy"], cfg["lemma_patterns"]
        self.set_codebook(codebook_from_text((path / "codebook.yaml").read_text(encoding="utf-8"), str(path / "codebook.yaml")))
        return self


@Language.factory(
    "fritekst_codebook",
    default_config={"span_key": DEFAULT_SPAN_KEY, "fuzzy": True, "lemma_patterns": False},
    requires=["token.lower"],
    assigns=[f"doc.spans"],
)
def make_codebook_ruler(
    nlp: Language, name: str, span_key: str, fuzzy: bool, lemma_patterns: bool
) -> CodebookRuler:
    """Factory of the ``fritekst_codebook`` component; call ``initialize(codebook=...)``."""
    return CodebookRuler(nlp, name, span_key=span_key, fuzzy=fuzzy, lemma_patterns=lemma_patterns)
