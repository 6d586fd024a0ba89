"""Representative quotes per theme (label) and week, redacted, with the mention highlighted.

A quote is an answer that *asserts* the label (a negated mention never makes a quote),
preferably of medium length (``min_chars``..``max_chars``), focused on few themes and with a
matched mention to highlight. Long answers are cut to the sentences around the mention.
Quotes of one theme and week are not near-duplicates of each other (character n-gram TF-IDF
cosine below ``max_similarity``).

Redaction is on by default: every quote goes through ``fritekst.redact.redact_text``; the
highlight offsets are carried over to the redacted text with ``RedactResult.map_span``, and
a highlight inside a redacted region is dropped, so none points into a placeholder.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fritekst.records import TaggedRecord

MIN_CHARS = 40
MAX_CHARS = 250
MAX_SIMILARITY = 0.7
PER_LABEL = 3
IDEAL_CHARS = 120

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Quote:
    """One quotable answer for one label.

    ``text`` is what may be shown (an excerpt when the answer was long, redacted unless
    redaction was switched off); ``highlights`` are ``(start, end)`` offsets into ``text``.
    """

    id: str
    label: str
    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    week: str | None = None
    region: str | None = None
    question: str | None = None
    excerpt: bool = False
    redactions: dict[str, int] = field(default_factory=dict)

    def segments(self) -> list[tuple[str, bool]]:
        """Split ``text`` into ``(piece, highlighted)`` pieces, for templates."""
        out: list[tuple[str, bool]] = []
        pos = 0
        for start, end in self.highlights:
            if start > pos:
                out.append((self.text[pos:start], False))
            out.append((self.text[start:end], True))
            pos = end
        if pos < len(self.text):
            out.append((self.text[pos:], False))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for JSON or tables)."""
        return {
            "id": self.id,
            "label": self.label,
            "week": self.week,
            "region": self.region,
            "question": self.question,
            "text": self.text,
            "highlights": [list(h) for h in self.highlights],
            "excerpt": self.excerpt,
            "redactions": dict(self.redactions),
        }


@dataclass
class _Candidate:
    record: TaggedRecord
    text: str
    spans: list[tuple[int, int]]
    excerpt: bool
    score: float


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _mention_spans(record: TaggedRecord, label: str) -> list[tuple[int, int]]:
    """Offsets of the asserted mentions of ``label`` that really point at their text."""
    spans = []
    for m in record.mentions:
        if m.label != label or m.negated:
            continue
        if 0 <= m.start < m.end <= len(record.text) and record.text[m.start : m.end] == m.text:
            spans.append((m.start, m.end))
    return _merge(spans)


def _excerpt(
    text: str, spans: list[tuple[int, int]], max_chars: int
) -> tuple[str, list[tuple[int, int]], bool] | None:
    """Cut ``text`` to at most ``max_chars`` around the first span, on sentence boundaries.

    Returns ``(excerpt, shifted spans, was_cut)`` or None when no sensible excerpt exists.
    """
    left = len(text) - len(text.lstrip())
    if left or text != text.rstrip():  # drop surrounding whitespace, keep offsets right
        text = text.strip()
        spans = [(s - left, e - left) for s, e in spans if s >= left and e - left <= len(text)]
    if len(text) <= max_chars:
        return text, spans, False
    if not spans:
        return None
    bounds = [0] + [m.end() for m in _SENTENCE_END.finditer(text)] + [len(text)]
    sentences = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    first = spans[0]
    idx = next(i for i, (s, e) in enumerate(sentences) if s <= first[0] < e)
    lo, hi = idx, idx
    while True:  # grow by whole sentences while it fits
        grown = False
        if hi + 1 < len(sentences) and sentences[hi + 1][1] - sentences[lo][0] <= max_chars:
            hi += 1
            grown = True
        if lo > 0 and sentences[hi][1] - sentences[lo - 1][0] <= max_chars:
            lo -= 1
            grown = True
        if not grown:
            break
    start, end = sentences[lo][0], sentences[hi][1]
    if end - start > max_chars:  # one long sentence: cut on word boundaries around the mention
        start = max(0, first[0] - max_chars // 3)
        end = min(len(text), start + max_chars)
        if start > 0:
            space = text.find(" ", start, first[0])
            start = space + 1 if space != -1 else start
        if end < len(text):
            space = text.rfind(" ", first[1], end)
            end = space if space != -1 else end
    piece = text[start:end]
    stripped_left = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    start += stripped_left
    kept = [(s - start, e - start) for s, e in spans if s >= start and e <= start + len(piece)]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + len(piece) < len(text) else ""
    kept = [(s + len(prefix), e + len(prefix)) for s, e in kept]
    return prefix + piece + suffix, kept, True


def _score(
    text: str,
    n_spans: int,
    n_labels: int,
    was_cut: bool,
    min_chars: int,
    max_chars: int,
    has_negation: bool = False,
) -> float:
    """Lower is better: medium length, a highlight, few other themes, not cut, plain prose.

    Answers that also contain a negated mention ("ingen tegn til ...") or that are lists
    (line breaks) are kept as candidates but ranked lower: they read less clearly.
    """
    length = len(text)
    score = abs(length - IDEAL_CHARS) / IDEAL_CHARS
    if length < min_chars:
        score += 2 + (min_chars - length) / min_chars
    if length > max_chars:
        score += 2
    if n_spans == 0:
        score += 1.0
    if was_cut:
        score += 0.5
    score += 0.15 * max(0, n_labels - 1)
    if has_negation:
        score += 0.75
    if "\n" in text.strip():
        score += 0.5
    return score


def align_spans(original: str, changed: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Carry ``(start, end)`` offsets from ``original`` over to ``changed``.

    A span survives when its characters are unchanged in ``changed`` (e.g. a substance name
    next to a redacted person name); spans that were altered are dropped.
    """
    if original == changed:
        return list(spans)
    matcher = difflib.SequenceMatcher(None, original, changed, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    out = []
    for start, end in spans:
        for b in blocks:
            if b.a <= start and end <= b.a + b.size:
                new_start = b.b + (start - b.a)
                out.append((new_start, new_start + (end - start)))
                break
    return out


def _similar(texts: list[str]) -> Callable[[int, int], float]:
    """Pairwise cosine similarity of character n-gram TF-IDF vectors."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=True).fit_transform(
            [_SPACE.sub(" ", t) for t in texts]
        )
    except ValueError:  # no n-grams at all (texts too short): only exact duplicates count
        return lambda i, j: 1.0 if texts[i].casefold() == texts[j].casefold() else 0.0
    sims = (matrix @ matrix.T).toarray()
    return lambda i, j: float(sims[i, j])


def select_quotes(
    records: Iterable[TaggedRecord],
    *,
    labels: Iterable[str] | None = None,
    per_label: int = PER_LABEL,
    by_week: bool = True,
    redact: bool = True,
    places: bool = False,
    nlp: Any = None,
    min_chars: int = MIN_CHARS,
    max_chars: int = MAX_CHARS,
    max_similarity: float = MAX_SIMILARITY,
    max_candidates: int = 40,
) -> dict[tuple[str | None, str], list[Quote]]:
    """Pick representative quotes per (week, label).

    Args:
        records: Tagged records.
        labels: Only these label ids (all asserted labels when None).
        per_label: Quotes per week and label.
        by_week: Group by week; when False, the key's week is None (whole period).
        redact: Redact every quote with ``fritekst.redact.redact_text`` (default on).
        places: Also redact place names (passed to ``redact_text``).
        nlp: spaCy pipeline for redaction (``redact_text``'s default when None).
        min_chars, max_chars: Preferred length of a quote; longer answers are excerpted.
        max_similarity: Quotes with a higher TF-IDF cosine to a chosen quote are skipped.
        max_candidates: Best-scored candidates kept per group before de-duplication.

    Returns:
        ``{(week, label): [Quote, ...]}``, best first; groups without any quote are absent.
    """
    wanted = set(labels) if labels is not None else None
    pools: dict[tuple[str | None, str], list[_Candidate]] = defaultdict(list)
    for rec in records:
        for label in rec.labels:
            if wanted is not None and label not in wanted:
                continue
            spans = _mention_spans(rec, label)
            cut = _excerpt(rec.text, spans, max_chars)
            if cut is None:
                continue
            text, kept, was_cut = cut
            if not text.strip():
                continue
            key = (rec.week if by_week else None, label)
            has_negation = bool(rec.negated) or any(m.negated for m in rec.mentions)
            score = _score(text, len(kept), len(rec.labels), was_cut, min_chars, max_chars, has_negation)
            pool = pools[key]
            pool.append(_Candidate(rec, text, kept, was_cut, score))
            if len(pool) > 2 * max_candidates:  # keep memory bounded on large inputs
                pool.sort(key=lambda c: (c.score, c.record.id))
                del pool[max_candidates:]

    if redact:
        from fritekst.redact import redact_text
    out: dict[tuple[str | None, str], list[Quote]] = {}
    for key, pool in pools.items():
        pool.sort(key=lambda c: (c.score, c.record.id))
        pool = pool[:max_candidates]
        similarity = _similar([c.text for c in pool])
        chosen: list[int] = []
        for i, _cand in enumerate(pool):
            if len(chosen) >= per_label:
                break
            if all(similarity(i, j) < max_similarity for j in chosen):
                chosen.append(i)
        quotes = []
        for i in chosen:
            cand = pool[i]
            text, spans, counts = cand.text, cand.spans, {}
            if redact:  # highlights move with the redactor's own offsets
                result = redact_text(cand.text, nlp=nlp, places=places)
                moved = (result.map_span(s, e) for s, e in spans)
                text, spans, counts = result.text, [m for m in moved if m is not None], result.counts
            rec = cand.record
            quotes.append(
                Quote(
                    id=rec.id,
                    label=key[1],
                    text=text,
                    highlights=tuple(spans),
                    week=rec.week,
                    region=rec.region,
                    question=rec.question,
                    excerpt=cand.excerpt,
                    redactions={k: v for k, v in counts.items() if v},
                )
            )
        out[key] = quotes
    return out


__all__ = ["Quote", "select_quotes", "align_spans"]
