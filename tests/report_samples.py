"""Constructed tagged records for the summarize/quotes/report tests.

The comments are written for the tests in the register of the survey (they are NOT survey
data). Mentions are placed by searching the text, so the offsets are always right; which
labels a comment has is decided here by hand, as an annotator would.
"""

from __future__ import annotations

import json
from pathlib import Path

from fritekst.records import Mention, TaggedRecord

SCRIPT = "<script>document.title='HACKED';document.body.insertAdjacentHTML('beforeend','<p id=\"hacked\">x</p>')</script>"

# (text, [(surface, label, substance, negated), ...])
COMMENTS: list[tuple[str, list[tuple[str, str, str | None, bool]]]] = [
    (
        "Vi ser økt bruk av Rivotril og andre benzoer i miljøet etter at hasjen ble borte.",
        [("Rivotril", "stoff:benzodiazepiner", "rivotril", False), ("benzoer", "stoff:benzodiazepiner", "benzodiazepiner", False),
         ("hasjen", "stoff:cannabis", "hasj", False), ("økt bruk", "bekymring:endret_bruk", None, False)],
    ),
    (
        "Det meldes om hasjtørke, og prisene har økt kraftig de siste ukene.",
        [("hasjtørke", "stoff:cannabis", "hasj", False), ("hasjtørke", "bekymring:tilgang_rusmidler", None, False),
         ("prisene har økt", "bekymring:tilgang_rusmidler", None, False)],
    ),
    (
        "Brukerne er redde for å bli smittet og isolerer seg mer enn før.",
        [("redde for å bli smittet", "bekymring:smitte", None, False), ("isolerer seg", "bekymring:ensomhet", None, False)],
    ),
    (
        "Vi har startet hjemkjøring av LAR-medisiner og matutdeling to ganger i uken.",
        [("hjemkjøring av LAR-medisiner", "tiltak:legemiddelutlevering", None, False), ("LAR-medisiner", "stoff:lar", "lar", False),
         ("matutdeling", "tiltak:mat", None, False)],
    ),
    (
        "Flere overdoser siste uke, særlig med GHB blant de yngste.",
        [("overdoser", "bekymring:overdose", None, False), ("GHB", "stoff:ghb", "ghb", False)],
    ),
    (
        "Oppsøkende team deler ut rent brukerutstyr og nalokson i sentrum hver dag.",
        [("Oppsøkende team", "tiltak:oppsokende", None, False), ("rent brukerutstyr", "tiltak:brukerutstyr", None, False),
         ("nalokson", "tiltak:nalokson", None, False)],
    ),
    (
        "Mer alkohol og amfetamin blant yngre brukere i byen nå som det er sommer.",
        [("alkohol", "stoff:alkohol", "alkohol", False), ("amfetamin", "stoff:amfetamin", "amfetamin", False),
         ("yngre brukere", "bekymring:unge", None, False)],
    ),
    (
        "Oppfølging per telefon og videosamtale fungerer bra for de fleste av brukerne våre.",
        [("telefon", "tiltak:digital_oppfolging", None, False), ("videosamtale", "tiltak:digital_oppfolging", None, False)],
    ),
    (
        "Pårørende ringer fra 912 34 567 og forteller at sønnen ikke får helsehjelp " + SCRIPT,
        [("ikke får helsehjelp", "bekymring:tilgang_hjelp", None, False)],
    ),
    (
        "Ingen melder om overdoser denne uken, men angst og depresjon øker i miljøet.",
        [("overdoser", "bekymring:overdose", None, True), ("angst", "bekymring:psykisk_helse", None, False),
         ("depresjon", "bekymring:psykisk_helse", None, False)],
    ),
]
REGIONS = ["Nord-Norge", "Trøndelag", "Vestlandet", "Østlandet", "Sørlandet"]
QUESTIONS = ["Endringer i rusmiljøet", "Tiltak", "Bekymringer"]


def make_record(i: int, text: str, spec: list[tuple[str, str, str | None, bool]], week: str | None,
                region: str | None, question: str | None) -> TaggedRecord:
    mentions = []
    for surface, label, substance, negated in spec:
        start = text.index(surface)
        mentions.append(Mention(start, start + len(surface), surface, label, substance, negated))
    labels = sorted({m.label for m in mentions if not m.negated})
    negated_only = sorted({m.label for m in mentions if m.negated} - set(labels))
    return TaggedRecord(id=str(i), text=text, week=week, region=region, question=question,
                        labels=tuple(labels), negated=tuple(negated_only), mentions=tuple(mentions))


def sample_records(week_sizes: dict[str, int] | None = None) -> list[TaggedRecord]:
    """Deterministic tagged records: by default 14, 22 and 12 answers in uke 24, 26 and 28.

    Sørlandet answers only in the first two weeks (the report must say so).
    """
    week_sizes = week_sizes or {"2020-W24": 14, "2020-W26": 22, "2020-W28": 12}
    out = []
    i = 0
    for w_idx, (week, size) in enumerate(week_sizes.items()):
        last = w_idx == len(week_sizes) - 1
        for k in range(size):
            text, spec = COMMENTS[(k * 3 + w_idx) % len(COMMENTS)]
            regions = REGIONS[:4] if last else REGIONS
            out.append(make_record(i, text, spec, week, regions[k % len(regions)], QUESTIONS[k % len(QUESTIONS)]))
            i += 1
    return out


def write_tagged(path: Path, records: list[TaggedRecord], meta: dict | None = None) -> Path:
    """Write records as ``fritekst tag`` JSONL (and ``<path>.meta.json`` when ``meta``)."""
    path.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    if meta is not None:
        Path(f"{path}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return path
