"""Negation of codebook mentions: a small negspacy-like spaCy component for Norwegian.

``fritekst_negation`` reads ``doc.spans[span_key]`` and sets ``span._.negated``.

Rules (decided and tested in ``tests/test_tagging.py``):

* A **pre-negation cue** (``ikke``, ``ingen``, ``aldri``, ``uten``, ``verken``, ``ingen tegn
  til``, ``ikke meldt om`` ...) negates the mentions that start after it in the same clause,
  up to ``max_scope`` tokens. The scope ends at the end of the sentence, at punctuation
  (``,`` ``;`` ``:`` ``(``), at a **terminator** (``men``, ``mens``, ``selv om``,
  ``derimot``, ``likevel``, ``bortsett fra``, ``enn`` ...) and at ``og`` when it starts a
  new clause (``og`` followed by a pronoun or, with a tagger, a verb).
  "Ingen melder om tørke, men flere overdoser": tørke negated, overdoser asserted.
* A **post-negation cue** (``ikke sett``, ``ikke registrert``, ``ikke merket``, ``ikke et
  problem`` ...) also negates mentions just before it in the same clause:
  "Overdoser har vi ikke sett".
* **Pseudo cues** (``ikke bare``, ``ikke minst``, ``ikke uvanlig`` ...) negate nothing, and
  no cue starts inside one: in "ikke sluttet med matutdelingen" the measure goes on.
* A cue **inside** a mention negates nothing: phrases such as "får ikke tak i" or
  "følger ikke rådene" are themselves concerns ("får ikke tak i hasj": hasj asserted).
* A substance that follows a negated concern or measure in the same scope is its
  complement, not negated itself: "ingen tørke på hasj" negates the drought, while hasj is
  still a substance mentioned.
* **Planned and stopped measures** are not asserted either (the codebook counts measures
  "taken or recommended"). *Measure cues* act like negation cues on ``tiltak:`` mentions
  only: before the measure ``vurderer å``, ``planlegger å``, ``diskutert å``, ``kan bli
  aktuelt med``, ``sluttet med``, ``gått bort fra``; after it ``kan vurderes``, ``ble
  avsluttet``, ``er lagt ned``, ``er slutt`` ("Matutdelingen ble avsluttet i juni"). A
  substance or a concern in their scope stays asserted ("hasjen tok slutt" is scarcity).
  Such measures are marked ``negated`` like negated ones: recorded, not counted.
* Worried and conditional mentions are asserted: worry is the concern ("redd for å bli
  smittet" asserts bekymring:smitte), and "hvis"/"dersom" often qualify a measure that is in
  place ("isolasjonsenhet dersom noen blir smittet"), so they are no cue.
"""

from __future__ import annotations

from typing import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from fritekst.nlp.ruler import DEFAULT_SPAN_KEY  # also registers the span extensions

PRE_CUES: tuple[str, ...] = (
    "ikke", "ikkje", "ikkje noko", "ingen", "inga", "intet", "ingenting", "aldri", "uten", "utan",
    "verken", "hverken", "korkje", "null", "ikke lenger", "ingen tegn til", "ikke tegn til",
    "ikke meldt om", "ingen melder om", "ingen har meldt om", "har ikke registrert",
    "ingen endring i", "ingen økning i", "ikke noe", "ikke noen", "ikke opplevd",
    "ikke sett", "ikke merket", "ikke observert", "ikke registrert", "fravær av",
    "ikke fått meldinger om", "ikke hørt om", "ikke kjent med",
)
#: Measures considered, planned or stopped: not "taken or recommended". Cues before the
#: measure; they negate ``tiltak:`` mentions only.
MEASURE_PRE_CUES: tuple[str, ...] = (
    "vurderer å", "vurdere å", "vurderte å", "planlegger å", "planlegger", "har planer om",
    "diskutert å", "diskuterer å", "diskutere å", "snakk om å", "tenker på å", "kan bli aktuelt med",
    "kan bli aktuelt å", "sluttet med", "slutta med", "slutter med", "gått bort fra", "har avsluttet",
    "har avviklet", "har lagt ned",
)
#: The same after the measure: "Matutdelingen ble avsluttet".
MEASURE_POST_CUES: tuple[str, ...] = (
    "kan vurderes", "skal vurderes", "vurderes", "er under vurdering", "planlegges", "ikke avklart",
    "ikke bestemt", "ble avsluttet", "er avsluttet", "avsluttes", "ble avviklet", "er avviklet",
    "ble lagt ned", "er lagt ned", "legges ned", "er slutt", "tok slutt", "er over", "opphørte",
    "har opphørt",
)
POST_CUES: tuple[str, ...] = (
    "ikke sett", "ikke registrert", "ikke opplevd", "ikke merket", "ikke merkbart", "ikke observert",
    "ikke meldt", "ikke kjent", "ikke rapportert", "ikke noe problem", "ikke et problem",
    "ikke noe tema", "ikke et tema", "ikke aktuelt", "ikke noe stort problem", "ikkje sett",
    "ikkje registrert", "ikkje merka", "ikke hørt", "ikke fått meldinger",
)
PSEUDO_CUES: tuple[str, ...] = (
    "ikke bare", "ikke minst", "ikke uvanlig", "ikke sjelden", "ikke utenkelig", "ingen tvil",
    "uten tvil", "ikke usannsynlig", "ikke lenge siden", "ikkje berre", "ikke kun", "ikke helt",
    "ikke like", "ikke unaturlig", "ikke overraskende",
    # a measure not stopped goes on: "Vi har ikke sluttet med matutdelingen"
    "ikke sluttet med", "ikke slutta med", "ikkje slutta med", "ikke gått bort fra", "ikke avsluttet",
    "ikke avviklet", "ikke lagt ned",
)
TERMINATORS: tuple[str, ...] = (
    "men", "mens", "selv om", "derimot", "likevel", "bortsett fra", "unntatt", "utenom",
    "imidlertid", "samtidig", "fordi", "siden", "dog", "enn", "når", "hvis", "dersom",
    "så", "da", "etter at", "følgelig", "dessuten", "i tillegg", "men at",
)
PUNCT_TERMINATORS: frozenset[str] = frozenset({",", ";", ":", "(", ")", "–", "—", "/", "+", "•"})
SENTENCE_END: frozenset[str] = frozenset({".", "!", "?", "…"})
#: Tokens after a pre-negation cue that it can negate, at most.
MAX_SCOPE = 12
#: Tokens before a post-negation cue that it can negate, at most.
POST_WINDOW = 5
CLAUSE_STARTERS: frozenset[str] = frozenset(
    {"vi", "de", "det", "man", "han", "hun", "dette", "noen", "flere", "mange", "brukerne",
     "brukere", "samtidig", "jeg", "dem", "enkelte", "alle", "andre", "her", "der", "nå"}
)


def _may_negate(span: Span, measures_only: bool) -> bool:
    """Whether a cue may negate ``span``: measure cues negate measures only."""
    return not measures_only or span.label_.startswith("tiltak:")


class NegationTagger:
    """Mark ``span._.negated`` on the mentions in ``doc.spans[span_key]`` (see module doc)."""

    def __init__(
        self,
        nlp: Language,
        name: str = "fritekst_negation",
        *,
        span_key: str = DEFAULT_SPAN_KEY,
        max_scope: int = MAX_SCOPE,
        post_window: int = POST_WINDOW,
        pre_cues: Iterable[str] = PRE_CUES,
        post_cues: Iterable[str] = POST_CUES,
        measure_pre_cues: Iterable[str] = MEASURE_PRE_CUES,
        measure_post_cues: Iterable[str] = MEASURE_POST_CUES,
        pseudo_cues: Iterable[str] = PSEUDO_CUES,
        terminators: Iterable[str] = TERMINATORS,
    ) -> None:
        self.name = name
        self.span_key = span_key
        self.max_scope = max_scope
        self.post_window = post_window
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._kinds: dict[int, str] = {}
        tokenizer = nlp.tokenizer
        kinds = (("pre", pre_cues), ("post", post_cues), ("pseudo", pseudo_cues), ("term", terminators),
                 ("measure_pre", measure_pre_cues), ("measure_post", measure_post_cues))
        for kind, phrases in kinds:
            key = f"fritekst_neg_{kind}"
            self._matcher.add(key, [tokenizer(p.lower()) for p in phrases])
            self._kinds[nlp.vocab.strings[key]] = kind

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans[self.span_key]) if self.span_key in doc.spans else []
        if not spans:
            return doc
        matches = sorted(self._matcher(doc), key=lambda m: (m[1], -m[2]))
        # cues as (start, end, measures only)
        pre: list[tuple[int, int, bool]] = []
        post: list[tuple[int, int, bool]] = []
        stop = [False] * (len(doc) + 1)
        in_pseudo: set[int] = set()  # tokens of a pseudo cue: no cue starts there
        for key, start, end in matches:
            if self._kinds[key] == "pseudo":
                in_pseudo.update(range(start, end))
        for key, start, end in matches:
            kind = self._kinds[key]
            if kind == "term":
                stop[start] = True
            elif start in in_pseudo:
                continue
            elif kind in ("pre", "measure_pre"):
                if pre and pre[-1][0] <= start < pre[-1][1]:
                    continue
                pre.append((start, end, kind == "measure_pre"))
            elif kind in ("post", "measure_post"):
                post.append((start, end, kind == "measure_post"))
        has_sents = doc.has_annotation("SENT_START")
        has_pos = doc.has_annotation("POS")
        for tok in doc:
            if tok.text in PUNCT_TERMINATORS or tok.text in SENTENCE_END or "\n" in tok.text:
                stop[tok.i] = True
            elif has_sents and tok.is_sent_start and tok.i > 0:
                stop[tok.i] = True
            elif tok.lower_ == "og" and tok.i + 1 < len(doc):
                nxt = doc[tok.i + 1]
                if nxt.lower_ in CLAUSE_STARTERS or (has_pos and nxt.pos_ in ("VERB", "AUX")):
                    stop[tok.i] = True

        # A cue inside a mention belongs to it ("får ikke hjelp") and negates nothing else.
        def inside(start: int) -> bool:
            return any(sp.start <= start < sp.end for sp in spans)

        pre = [c for c in pre if not inside(c[0])]
        post = [c for c in post if not inside(c[0])]
        negated: set[int] = set()

        for cue_start, cue_end, measures_only in pre:
            limit = min(len(doc), cue_end + self.max_scope)
            end = cue_end
            while end < limit and not stop[end]:
                end += 1
            seen_concept = False
            for idx, sp in enumerate(spans):
                if sp.start <= cue_start < sp.end:
                    continue
                if cue_start < sp.start < end and _may_negate(sp, measures_only):
                    is_stoff = sp.label_.startswith("stoff:")
                    if is_stoff and seen_concept:
                        continue
                    negated.add(idx)
                    if not is_stoff:
                        seen_concept = True
        for cue_start, cue_end, measures_only in post:
            begin = cue_start
            lower = max(0, cue_start - self.post_window)
            while begin > lower and not stop[begin - 1] and doc[begin - 1].lower_ != "og":
                begin -= 1
            for idx, sp in enumerate(spans):
                if sp.start <= cue_start < sp.end:
                    continue
                if begin <= sp.start and sp.end <= cue_start and _may_negate(sp, measures_only):
                    negated.add(idx)
        for idx, sp in enumerate(spans):
            sp._.negated = idx in negated
        return doc

    # The component holds no data beyond its settings.
    def to_disk(self, path: str, *, exclude: Iterable[str] = ()) -> None:  # noqa: D102
        return None

    def from_disk(self, path: str, *, exclude: Iterable[str] = ()) -> "NegationTagger":  # noqa: D102
        return self


@Language.factory(
    "fritekst_negation",
    default_config={"span_key": DEFAULT_SPAN_KEY, "max_scope": MAX_SCOPE, "post_window": POST_WINDOW},
    requires=["doc.spans"],
)
def make_negation(nlp: Language, name: str, span_key: str, max_scope: int, post_window: int) -> NegationTagger:
    """Factory of the ``fritekst_negation`` component (cue lists: module constants)."""
    return NegationTagger(nlp, name, span_key=span_key, max_scope=max_scope, post_window=post_window)
