"""Tests for fritekst.quotes: which answers become quotes, excerpts, highlights, redaction.

All comments are constructed for the tests (not survey data).
"""

from __future__ import annotations

import pytest

from fritekst.quotes import align_spans, select_quotes
from report_samples import make_record

OVERDOSE = "bekymring:overdose"
CANNABIS = "stoff:cannabis"


def record(i, text, spec, week="2020-W28"):
    return make_record(i, text, spec, week, "Østlandet", "Endringer")


def highlighted(quote):
    return [quote.text[s:e] for s, e in quote.highlights]


def test_only_asserted_answers_are_quoted():
    negated = record(1, "Vi har ikke sett noen økning i overdoser i kommunen denne uken.",
                     [("overdoser", OVERDOSE, None, True)])
    asserted = record(2, "Det har vært tre overdoser i sentrum siden forrige kartlegging.",
                      [("overdoser", OVERDOSE, None, False)])
    quotes = select_quotes([negated, asserted], redact=False)
    assert [q.id for q in quotes[("2020-W28", OVERDOSE)]] == ["2"]


def test_near_duplicates_are_skipped():
    texts = [
        "Det har vært flere overdoser i sentrum den siste uken, særlig blant eldre brukere.",
        "Det har vært flere overdoser i sentrum den siste uken, særlig blant eldre brukere!",
        "Det har vært flere overdoser i sentrum siste uken, særlig blant de eldre brukerne.",
        "Legevakten melder om to overdoser med GHB på en fest i helgen.",
    ]
    recs = [record(i, t, [("overdoser", OVERDOSE, None, False)]) for i, t in enumerate(texts)]
    quotes = select_quotes(recs, redact=False, per_label=3)[("2020-W28", OVERDOSE)]
    texts_out = [q.text for q in quotes]
    assert len(texts_out) == 2
    assert texts[3] in texts_out
    assert sum(t.startswith("Det har vært flere overdoser") for t in texts_out) == 1


def test_per_label_limit_and_medium_length_first():
    short = record(1, "Overdoser.", [("Overdoser", OVERDOSE, None, False)])
    medium = [
        record(2, "Ambulansen rykket ut til to overdoser på hybelhuset i helgen, begge overlevde.",
               [("overdoser", OVERDOSE, None, False)]),
        record(3, "Vi er bekymret for overdoser nå som heroinen er tilbake i byen etter tørken.",
               [("overdoser", OVERDOSE, None, False)]),
        record(4, "Brukerne forteller om overdoser etter at de har gått over til piller og alkohol.",
               [("overdoser", OVERDOSE, None, False)]),
    ]
    quotes = select_quotes([short, *medium], redact=False, per_label=2)[("2020-W28", OVERDOSE)]
    assert len(quotes) == 2
    assert "1" not in [q.id for q in quotes]


def test_quotes_are_grouped_by_week_and_label():
    a = record(1, "Det meldes om mer hasj og cannabis blant ungdom i sommer.", [("hasj", CANNABIS, "hasj", False)], week="2020-W26")
    b = record(2, "Hasjtørken er over, og prisene er tilbake på vanlig nivå.", [("Hasjtørken", CANNABIS, "hasj", False)])
    by_week = select_quotes([a, b], redact=False)
    assert set(by_week) == {("2020-W26", CANNABIS), ("2020-W28", CANNABIS)}
    whole = select_quotes([a, b], redact=False, by_week=False)
    assert set(whole) == {(None, CANNABIS)}
    assert {q.id for q in whole[(None, CANNABIS)]} == {"1", "2"}


@pytest.mark.parametrize("mention", ["hasj", "Rivotril"])
def test_long_answers_are_cut_to_the_sentences_around_the_mention(mention):
    filler = "Kommunen har hatt et travelt halvår med mange endringer i tjenestene og i bemanningen. "
    text = filler * 3 + f"Nå melder flere om {mention} i miljøet igjen. " + filler * 3
    label = CANNABIS if mention == "hasj" else "stoff:benzodiazepiner"
    rec = record(1, text, [(mention, label, mention.lower(), False)])
    quote = select_quotes([rec], redact=False, max_chars=250)[("2020-W28", label)][0]
    assert quote.excerpt
    assert len(quote.text) <= 250 + 4  # plus the "… " / " …" markers
    assert highlighted(quote) == [mention]
    assert "Nå melder flere om" in quote.text


def test_segments_rebuild_the_text():
    rec = record(1, "Vi deler ut nalokson og rent brukerutstyr fra bussen hver kveld.",
                 [("nalokson", "tiltak:nalokson", None, False), ("rent brukerutstyr", "tiltak:brukerutstyr", None, False)])
    quote = select_quotes([rec], redact=False)[("2020-W28", "tiltak:nalokson")][0]
    pieces = quote.segments()
    assert "".join(p for p, _ in pieces) == quote.text
    assert [p for p, hl in pieces if hl] == ["nalokson"]


@pytest.mark.parametrize(
    "text,surface,gone,placeholder",
    [
        ("Mor ringte fra 912 34 567 og sier at sønnen ikke får helsehjelp etter at LAR stengte.",
         "ikke får helsehjelp", "912 34 567", "[TELEFON]"),
        ("Ta kontakt på kari.hansen@kommune.no om noen ikke får helsehjelp i helgen.",
         "ikke får helsehjelp", "kari.hansen@kommune.no", "[EPOST]"),
        ("Han ringer +47 41 23 45 67 hver dag fordi han ikke får helsehjelp fra DPS.",
         "ikke får helsehjelp", "41 23 45 67", "[TELEFON]"),
    ],
)
def test_quotes_are_redacted_and_highlights_follow(text, surface, gone, placeholder):
    rec = record(1, text, [(surface, "bekymring:tilgang_hjelp", None, False)])
    quote = select_quotes([rec])[("2020-W28", "bekymring:tilgang_hjelp")][0]
    assert gone not in quote.text
    assert placeholder in quote.text
    assert highlighted(quote) == [surface]
    assert sum(quote.redactions.values()) >= 1
    # switching redaction off keeps the original (for internal use only)
    raw = select_quotes([rec], redact=False)[("2020-W28", "bekymring:tilgang_hjelp")][0]
    assert gone in raw.text and raw.redactions == {}


@pytest.mark.parametrize(
    "original,changed,spans,expected",
    [
        ("Ola Hansen bruker Rivotril daglig", "[NAVN] bruker Rivotril daglig", [(18, 26)], [(14, 22)]),
        ("Ring 91234567 om hasj", "Ring [TELEFON] om hasj", [(17, 21)], [(18, 22)]),
        ("Ring 91234567 om hasj", "Ring [TELEFON] om hasj", [(5, 13)], []),  # the span itself was redacted
        ("uendret tekst", "uendret tekst", [(0, 7)], [(0, 7)]),
    ],
)
def test_align_spans(original, changed, spans, expected):
    assert align_spans(original, changed, spans) == expected


def test_plain_asserted_answers_rank_above_answers_with_a_negation():
    mixed = record(1, "Ingen melder om hasjtørke lenger, men det er mer hasj blant ungdom i sommer.",
                   [("hasjtørke", "bekymring:tilgang_rusmidler", None, True), ("hasj blant", CANNABIS, "hasj", False)])
    plain = record(2, "Pårørende forteller at det er mer hasj blant ungdom i sommer enn før.",
                   [("hasj", CANNABIS, "hasj", False)])
    quotes = select_quotes([mixed, plain], redact=False, per_label=2)[("2020-W28", CANNABIS)]
    assert [q.id for q in quotes] == ["2", "1"]


def test_lists_rank_below_prose():
    listing = record(1, "- utkjøring av LAR-medisiner\n- antibac\n- prøvetaking og testing av brukerne",
                     [("LAR-medisiner", "stoff:lar", "lar", False)])
    prose = record(2, "Vi har startet utkjøring av LAR-medisiner til dem som sitter i karantene.",
                   [("LAR-medisiner", "stoff:lar", "lar", False)])
    quotes = select_quotes([listing, prose], redact=False)[("2020-W28", "stoff:lar")]
    assert [q.id for q in quotes] == ["2", "1"]
