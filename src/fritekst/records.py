"""Plain records that flow between the stages: read -> tag -> summarize -> report.

Nothing here imports spaCy. ``TaggedRecord.to_dict`` is the ``fritekst tag`` JSONL
contract; ``TaggedRecord.from_dict`` reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Comment:
    """One free-text answer: one respondent, one question."""

    id: str
    text: str
    week: str | None = None  # ISO week, e.g. "2020-W28"
    region: str | None = None
    question: str | None = None
    row: int | None = None  # 1-based row in the source file (header is row 1), for messages


@dataclass(frozen=True)
class Mention:
    """A span of the text that matched a codebook label."""

    start: int  # character offsets into the comment text
    end: int
    text: str
    label: str
    substance: str | None = None  # canonical substance for stoff:* labels, e.g. "rivotril"
    negated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "substance": self.substance,
            "negated": self.negated,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Mention":
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            text=str(data["text"]),
            label=str(data["label"]),
            substance=data.get("substance"),
            negated=bool(data.get("negated", False)),
        )


@dataclass(frozen=True)
class LabelSource:
    """Where an asserted label came from: the rules, the classifier, or both."""

    source: str  # "rule", "model" or "rule+model"
    probability: float | None = None  # classifier probability, when a classifier ran

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "probability": self.probability}


@dataclass(frozen=True)
class TaggedRecord:
    """One tagged comment; ``to_dict`` is the ``fritekst tag`` output contract."""

    id: str
    text: str
    week: str | None = None
    region: str | None = None
    question: str | None = None
    labels: tuple[str, ...] = ()  # asserted label ids, sorted
    negated: tuple[str, ...] = ()  # label ids that occur only negated, sorted
    mentions: tuple[Mention, ...] = ()
    sources: dict[str, LabelSource] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "week": self.week,
            "region": self.region,
            "question": self.question,
            "text": self.text,
            "labels": list(self.labels),
            "negated": list(self.negated),
            "mentions": [m.to_dict() for m in self.mentions],
            "sources": {k: v.to_dict() for k, v in sorted(self.sources.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TaggedRecord":
        sources = {
            k: LabelSource(str(v.get("source", "rule")), v.get("probability"))
            for k, v in (data.get("sources") or {}).items()
        }
        return cls(
            id=str(data["id"]),
            text=str(data.get("text", "")),
            week=data.get("week"),
            region=data.get("region"),
            question=data.get("question"),
            labels=tuple(sorted(data.get("labels") or ())),
            negated=tuple(sorted(data.get("negated") or ())),
            mentions=tuple(Mention.from_dict(m) for m in data.get("mentions") or ()),
            sources=sources,
        )
