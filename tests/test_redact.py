"""Tests for fritekst.redact and ``fritekst redact``.

Every sentence below is constructed for the tests (names, numbers and addresses are made
up); none is survey data.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
import spacy
from click.testing import CliRunner

from fritekst.cli import main
from fritekst.errors import InputError
from fritekst.nlp.base import shipped_pipeline_path
from fritekst.records import LabelSource, Mention, TaggedRecord
from fritekst.redact import (
    KINDS,
    Redactor,
    fnr_is_valid,
    load_lexicon,
    redact_record,
    redact_text,
)

# ----------------------------------------------------------------------------------------
# Fødselsnummer made with the mod-11 algorithm (independent of the code under test)
# ----------------------------------------------------------------------------------------

K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    """The mod-11 control digit for ``digits``, or None when none exists (rest 10)."""
    rest = 11 - sum(int(d) * w for d, w in zip(digits, weights)) % 11
    return {11: 0, 10: None}.get(rest, rest)


def make_fnr(born: dt.date, start: int = 500) -> str:
    """A fødselsnummer for ``born`` with valid k1/k2: the first individual number from
    ``start`` for which both control digits exist."""
    for individual in range(start, 1000):
        nine = born.strftime("%d%m%y") + f"{individual:03d}"
        k1 = check_digit(nine, K1)
        if k1 is None:
            continue
        k2 = check_digit(nine + str(k1), K2)
        if k2 is not None:
            return nine + str(k1) + str(k2)
    raise AssertionError("no valid individual number")


def broken(fnr: str) -> str:
    """The same number with the last control digit changed: no longer valid."""
    return fnr[:10] + str((int(fnr[10]) + 1) % 10)


def make_account(first_ten: str) -> str:
    """A bank account number: ``first_ten`` digits (a prefix with a valid check digit is
    searched from it upwards) and the mod-11 check digit."""
    for n in range(int(first_ten), int(first_ten) + 20):
        ten = f"{n:010d}"
        k = check_digit(ten, ACCOUNT_WEIGHTS)
        if k is not None:
            return ten + str(k)
    raise AssertionError("no valid account number")


ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
ACCOUNT = make_account("1503271234")
ACCOUNT_DOTTED = f"{ACCOUNT[:4]}.{ACCOUNT[4:6]}.{ACCOUNT[6:]}"
ACCOUNT_SPACED = f"{ACCOUNT[:4]} {ACCOUNT[4:6]} {ACCOUNT[6:]}"
ACCOUNT_BAD = ACCOUNT[:10] + str((int(ACCOUNT[10]) + 1) % 10)

FNR_A = make_fnr(dt.date(1990, 1, 1))
FNR_B = make_fnr(dt.date(1975, 12, 24), start=123)
FNR_C = make_fnr(dt.date(2001, 6, 15), start=900)
FNR_BAD = broken(FNR_A)


def test_fnr_helper_agrees_with_library() -> None:
    for number in (FNR_A, FNR_B, FNR_C):
        assert fnr_is_valid(number)
        assert fnr_is_valid(number[:6] + " " + number[6:])
    assert not fnr_is_valid(FNR_BAD)
    assert not fnr_is_valid(FNR_A[:10])  # 10 digits
    assert not fnr_is_valid(FNR_A[:9] + str((int(FNR_A[9]) + 1) % 10) + FNR_A[10])  # bad k1


# ----------------------------------------------------------------------------------------
# The table of cases: (text, expected) with places off
# ----------------------------------------------------------------------------------------

PII_CASES: list[tuple[str, str]] = [
    # fødselsnummer
    (f"Brukeren har fnr {FNR_A}.", "Brukeren har fnr [FØDSELSNUMMER]."),
    (f"Fødselsnummer: {FNR_B[:6]} {FNR_B[6:]}", "Fødselsnummer: [FØDSELSNUMMER]"),
    (f"({FNR_C}) ble avvist", "([FØDSELSNUMMER]) ble avvist"),
    (f"Feilskrevet nummer {FNR_BAD} er ikke et fnr.", f"Feilskrevet nummer {FNR_BAD} er ikke et fnr."),
    # phone numbers
    ("Ring meg på 91234567.", "Ring meg på [TELEFON]."),
    ("tlf 912 34 567", "tlf [TELEFON]"),
    ("Telefon 91 23 45 67 hele døgnet", "Telefon [TELEFON] hele døgnet"),
    ("Nummeret er +47 912 34 567.", "Nummeret er [TELEFON]."),
    ("Nummeret er +4791234567.", "Nummeret er [TELEFON]."),
    ("Ring 0047 91234567 eller 22 33 44 55.", "Ring [TELEFON] eller [TELEFON]."),
    ("Vakttelefon 4812 3456 er åpen.", "Vakttelefon [TELEFON] er åpen."),
    ("Kontortelefon 22-33-44-55.", "Kontortelefon [TELEFON]."),
    # e-mail
    ("Send svar til ola.nordmann@example.no.", "Send svar til [EPOST]."),
    ("E-post: rusteam+uke28@kommune.example.com", "E-post: [EPOST]"),
    ("Kontakt kari_h@døme.no for info", "Kontakt [EPOST] for info"),
    # street addresses
    ("Matutdelingen er flyttet til Storgata 12.", "Matutdelingen er flyttet til [ADRESSE]."),
    ("Kirkeveien 5B er stengt", "[ADRESSE] er stengt"),
    ("Adresse: Parkveien 3, 0350 Oslo.", "Adresse: [ADRESSE]."),
    ("Møt opp i Karl Johans gate 1 i morgen.", "Møt opp i [ADRESSE] i morgen."),
    ("Bor i Solbakken 14 og Fjellvegen 2.", "Bor i [ADRESSE] og [ADRESSE]."),
    ("Send til Postboks 123, 9008 Tromsø", "Send til [ADRESSE], [ADRESSE]"),
    ("Lavterskeltilbudet på Torget 3 er åpent.", "Lavterskeltilbudet på [ADRESSE] er åpent."),
    # names: gazetteer, genitive, hyphenated, surnames, initials
    ("Kari Nordmann har ringt tre ganger.", "[NAVN] har ringt tre ganger."),
    ("Vi snakket med Ola i går.", "Vi snakket med [NAVN] i går."),
    ("Olas mor er bekymret.", "[NAVN] mor er bekymret."),
    ("Anne-Lise Hansen og Per-Erik møtte opp.", "[NAVN] og [NAVN] møtte opp."),
    ("Kontaktperson er Ola N. Nordmann.", "Kontaktperson er [NAVN]."),
    ("Ingrid og Mohammed jobber i rusteamet.", "[NAVN] og [NAVN] jobber i rusteamet."),
    # names that are also words: only with a surname or a cue word
    ("Per Hansen er ny i NAV.", "[NAVN] er ny i NAV."),
    ("Brukeren Per fikk hjelp.", "Brukeren [NAVN] fikk hjelp."),
    ("Hilsen Liv", "Hilsen [NAVN]"),
    ("Liv Ullmann og Dag Solstad", "[NAVN] og [NAVN]"),
    # cue word + unknown capitalised word
    ("Fastlegen Bjørnstad var ikke tilgjengelig.", "Fastlegen [NAVN] var ikke tilgjengelig."),
    ("Pasienten Zlatan ble sendt hjem.", "Pasienten [NAVN] ble sendt hjem."),
    # a lone patronymic surname (first name + -sen/-son), which the NER often misses
    ("Bruker (Hansen) ringte i går.", "Bruker ([NAVN]) ringte i går."),
    ("Kontaktperson: Pedersen.", "Kontaktperson: [NAVN]."),
    ("Vi har snakket med Olsen og Thomassen.", "Vi har snakket med [NAVN] og [NAVN]."),
    # a comment or signature in capitals
    ("Kontaktperson: ERIK JOHANSEN, tlf 912 34 567", "Kontaktperson: [NAVN], tlf [TELEFON]"),
    ("HILSEN ANNE-LISE BAKKE-HANSEN", "HILSEN [NAVN]"),
    ("MER HASJ I OMLØP. STEINAR SIER AT PRISENE HAR GÅTT NED.", "MER HASJ I OMLØP. [NAVN] SIER AT PRISENE HAR GÅTT NED."),
    # bank account numbers (valid mod-11 check digit), written three ways
    (f"Pengene ble satt inn på konto {ACCOUNT_DOTTED}.", "Pengene ble satt inn på konto [KONTONUMMER]."),
    (f"Kontonummer {ACCOUNT_SPACED} til brukeren.", "Kontonummer [KONTONUMMER] til brukeren."),
    (f"Konto: {ACCOUNT}", "Konto: [KONTONUMMER]"),
    # several types in one comment
    (
        f"Kari (fnr {FNR_B}) bor i Storgata 5, tlf 99887766, e-post kari@example.no.",
        "[NAVN] (fnr [FØDSELSNUMMER]) bor i [ADRESSE], tlf [TELEFON], e-post [EPOST].",
    ),
]

# Text that must come back unchanged (places off).
KEEP_CASES: list[str] = [
    "Flere bruker Rivotril og Subutex når de ikke får tak i hasj.",
    "Samarbeid med NAV, LAR og DPS fungerer godt.",
    "Kirkens Bymisjon og Frelsesarmeen deler ut mat.",
    "Uteseksjonen og legevakt har fått smittevernutstyr.",
    "KoRus Nord og Helsedirektoratet har sendt ut informasjon; Fylkesmannen følger opp.",
    "Økning i overdoser på Østlandet og i Nord-Norge i uke 28.",
    "Kartleggingen ble gjennomført i uke 28 i 2020.",
    "Ring 113 ved overdose, 113-kortet deles ut.",
    "Dosen er 0,5 mg, og 10 brukere har fått nalokson.",
    "Vi har 12 000 innbyggere og 450 brukere.",
    "Tilskudd på 1 500 000 kroner i 2020.",
    "Møtet er 24.03.2020, og i perioden 2019-2020 var det rolig.",
    "Registrert 24032020 og 20200324.",
    f"Saksnummer {ACCOUNT_BAD[:4]}.{ACCOUNT_BAD[4:6]}.{ACCOUNT_BAD[6:]} er avsluttet.",
    "Per uke kommer det 20 personer. Dag og natt er like.",
    "Mai var en rolig måned, og i juni kom fredag-tilbudet tilbake.",
    "Liv og helse er viktigst nå.",
    "LIV OG HELSE ER VIKTIGST NÅ. NAV OG LAR FØLGER OPP.",
    "Trøndelag og Vestlandet melder om mindre tørke.",
    "Uke 12-13 var det stengt; uke 14 åpnet vi igjen.",
    "Buprenorfin, Buvidal og Suboxone deles ut for 7 dager.",
    "Det er tørke på gata, og prisen på hasj er 150 kroner per gram.",
    "Kontakt med Blå Kors og Røde Kors er etablert.",
    "Norge har hatt stengte grenser siden mars.",
    "Les mer på Kommunetorget\n\n2021 ble et annet år.",
    "Det er uro i Storgata\n12 brukere har meldt fra.",
    # common words shaped like a first name + -sen/-son
    "Person i 30-årene ble avvist. Krisen har rammet mange, og Linsen er knust.",
]

PLACES_CASES: list[tuple[str, str]] = [
    ("Brukere fra Tromsø og Bodø kommer hit.", "Brukere fra [STED] og [STED] kommer hit."),
    ("Time kommune har åpnet igjen.", "[STED] kommune har åpnet igjen."),
    ("Vi jobber i Indre Østfold og Nore og Uvdal.", "Vi jobber i [STED] og [STED]."),
    ("Mange flytter fra Sola til Stavanger.", "Mange flytter fra [STED] til [STED]."),
    ("Sola skinte hele uka.", "Sola skinte hele uka."),
    ("Økning på Østlandet.", "Økning på [STED]."),
    ("Snillfjord kommune er slått sammen.", "[STED] kommune er slått sammen."),
    ("NAV og Kirkens Bymisjon i Bergen samarbeider.", "NAV og Kirkens Bymisjon i [STED] samarbeider."),
    ("Norge har stengt grensene.", "Norge har stengt grensene."),
    ("Vår kommune har få brukere.", "Vår kommune har få brukere."),
    ("Mange kommuner melder om tørke. Enkelte kommuner ikke.", "Mange kommuner melder om tørke. Enkelte kommuner ikke."),
]


@pytest.fixture(scope="module")
def blank() -> spacy.language.Language:
    return spacy.blank("nb")


def test_case_table_is_large_enough() -> None:
    assert len(PII_CASES) + len(KEEP_CASES) >= 40


@pytest.mark.parametrize(("text", "expected"), PII_CASES)
def test_pii_is_redacted(blank: spacy.language.Language, text: str, expected: str) -> None:
    result = redact_text(text, nlp=blank)
    assert result.text == expected
    for kind in KINDS:
        assert result.counts[kind] == expected.count(f"[{kind}]")


@pytest.mark.parametrize("text", KEEP_CASES)
def test_non_pii_survives(blank: spacy.language.Language, text: str) -> None:
    result = redact_text(text, nlp=blank)
    assert result.text == text
    assert sum(result.counts.values()) == 0
    assert not result.changed


@pytest.mark.parametrize(("text", "expected"), PLACES_CASES)
def test_places_only_with_flag(blank: spacy.language.Language, text: str, expected: str) -> None:
    assert redact_text(text, nlp=blank, places=True).text == expected
    assert redact_text(text, nlp=blank).text == text


def test_spacing_and_newlines_are_kept(blank: spacy.language.Language) -> None:
    text = "Hei,\n\nKari  ringte fra  912 34 567 .\tMvh\nOla"
    assert redact_text(text, nlp=blank).text == "Hei,\n\n[NAVN]  ringte fra  [TELEFON] .\tMvh\n[NAVN]"


def test_redactions_record_old_and_new_offsets(blank: spacy.language.Language) -> None:
    text = "Ola ringte 91234567 om Rivotril."
    result = redact_text(text, nlp=blank)
    assert result.text == "[NAVN] ringte [TELEFON] om Rivotril."
    for r in result.redactions:
        assert result.text[r.new_start:r.new_end] == r.placeholder
    assert [text[r.start:r.end] for r in result.redactions] == ["Ola", "91234567"]
    start = text.index("Rivotril")
    moved = result.map_span(start, start + len("Rivotril"))
    assert moved is not None and result.text[moved[0]:moved[1]] == "Rivotril"
    assert result.map_span(text.index("9123"), text.index("9123") + 4) is None


def test_redact_record_moves_and_drops_mentions(blank: spacy.language.Language) -> None:
    text = "Kari Hansen på Storgata 5 bruker Rivotril og mer alkohol."
    def mention(word: str, label: str) -> Mention:
        start = text.index(word)
        return Mention(start, start + len(word), word, label)

    record = TaggedRecord(
        id="7", text=text, week="2020-W28", region="Østlandet",
        labels=("stoff:alkohol", "stoff:benzodiazepiner"),
        mentions=(
            mention("Hansen", "stoff:andre"),  # inside a redacted name: dropped
            mention("Rivotril", "stoff:benzodiazepiner"),
            mention("alkohol", "stoff:alkohol"),
        ),
        sources={"stoff:alkohol": LabelSource("rule")},
    )
    result = Redactor(blank).redact(text)
    new = redact_record(record, result)
    assert new.text == "[NAVN] på [ADRESSE] bruker Rivotril og mer alkohol."
    assert [m.text for m in new.mentions] == ["Rivotril", "alkohol"]
    for m in new.mentions:
        assert new.text[m.start:m.end] == m.text
    assert new.labels == record.labels and new.sources == record.sources
    assert new.week == "2020-W28" and new.region == "Østlandet"


def test_redact_many_streams_like_redact(blank: spacy.language.Language) -> None:
    redactor = Redactor(blank)
    texts = [t for t, _ in PII_CASES[:10]] + KEEP_CASES[:5]
    assert [r.text for r in redactor.redact_many(texts, batch_size=3)] == [
        redactor.redact(t).text for t in texts
    ]


# ----------------------------------------------------------------------------------------
# The lexicon files
# ----------------------------------------------------------------------------------------


def test_packaged_lexicon_sizes() -> None:
    lex = load_lexicon()
    assert len(lex.first_names) >= 300
    assert {"Per", "Liv", "Dag", "Mai"} <= lex.ambiguous_names
    assert "Kari" in lex.first_names and "Kari" not in lex.ambiguous_names
    # 354 distinct municipality names of 2020 plus counties and towns
    assert len(lex.places) >= 354
    assert {"Oslo", "Sør-Varanger", "Nore og Uvdal", "Time"} <= set(lex.places)
    assert "Time" in lex.ambiguous_places
    assert "NAV" in lex.keep["services"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("Kari\nkari\n", "line 2: 'kari' is not a capitalised name"),
        ("Kari\nOla\nKari\n", "line 3: duplicate entry 'Kari'"),
        ("# only a comment\n", "no entries"),
    ],
)
def test_bad_name_list_names_file_and_line(tmp_path: Path, names: str, message: str) -> None:
    path = tmp_path / "fornavn.txt"
    path.write_text(names, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_lexicon(names_path=path)
    assert str(path) in str(err.value) and message in str(err.value)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("keep: {services: [NAV]}\nname_cues: [brukeren]\nstreet_suffixes: [gata]\n"
         "place_cues: [kommune]\nplace_cue_exceptions: [vår]\nextra: 1\n", "unknown key 'extra'"),
        ("keep: {tjenester: [NAV]}\nname_cues: [brukeren]\nstreet_suffixes: [gata]\n"
         "place_cues: [kommune]\nplace_cue_exceptions: [vår]\n", "keep: unknown group 'tjenester'"),
        ("keep: {services: [NAV]}\nname_cues: []\nstreet_suffixes: [gata]\n"
         "place_cues: [kommune]\nplace_cue_exceptions: [vår]\n", "name_cues: expected a non-empty list"),
        ("keep: {services: [NAV, 3]}\nname_cues: [x]\nstreet_suffixes: [gata]\n"
         "place_cues: [kommune]\nplace_cue_exceptions: [vår]\n", "keep.services: entry 2"),
        ("keep: [\n", "invalid YAML"),
    ],
)
def test_bad_rules_file_names_the_entry(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "redact.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_lexicon(rules_path=path)
    assert str(path) in str(err.value) and message in str(err.value)


# ----------------------------------------------------------------------------------------
# The trained pipeline's NER (only when the shipped pipeline exists)
# ----------------------------------------------------------------------------------------

needs_pipeline = pytest.mark.skipif(
    not (shipped_pipeline_path() / "meta.json").exists(),
    reason="the shipped pipeline models/nb_fritekst is not trained yet (no meta.json)",
)


@needs_pipeline
def test_ner_finds_names_outside_the_gazetteer() -> None:
    from fritekst.nlp.base import load_base

    nlp = load_base("fritekst")
    assert "ner" in nlp.pipe_names
    redactor = Redactor(nlp)
    text = "Vi har hatt god kontakt med Torgrim Haugland Brekke om oppfølgingen."
    result = redactor.redact(text)
    assert "Torgrim" not in result.text and "Brekke" not in result.text
    assert result.counts["NAVN"] >= 1


@needs_pipeline
@pytest.mark.parametrize(("text", "expected"), PII_CASES)
def test_pii_table_with_pipeline(text: str, expected: str) -> None:
    from fritekst.nlp.base import load_base

    result = redact_text(text, nlp=load_base("fritekst"))
    for kind in ("FØDSELSNUMMER", "EPOST", "TELEFON", "ADRESSE"):
        assert result.counts[kind] == expected.count(f"[{kind}]")
    # whatever the rules redact is also gone when the NER runs
    rules = redact_text(text, nlp=spacy.blank("nb"))
    for r in rules.redactions:
        assert text[r.start:r.end] not in result.text


# Capitalised common words at the start of a sentence or line that the NER model has
# taken for person names on the example corpus: they must survive with the pipeline.
NER_FALSE_NAMES: list[str] = [
    "Stengte tilbud, dagsenteret har vært stengt i flere uker.",
    "Naloksonspray deles ut, og ansatte har fått opplæring.",
    "Walk and talk med brukerne.",
    "Mest cannabis.\nHøyere priser på hasj enn vanlig.",
]


@needs_pipeline
@pytest.mark.parametrize("text", KEEP_CASES + NER_FALSE_NAMES)
def test_keep_table_with_pipeline(text: str) -> None:
    from fritekst.nlp.base import load_base

    result = redact_text(text, nlp=load_base("fritekst"))
    assert result.text == text


# Names that need the pipeline: neither the first-name rules nor a cue word find them,
# so without it the text comes back unchanged.
PIPELINE_ONLY_NAMES: list[tuple[str, str]] = [
    # Surnames that are also Norwegian words ("berg", "haug", "strand"), inside a sentence:
    # capitalised there, they are names, and a lone one must not leak into a quote.
    ("Hun ringte Haugen, som er ny leder.", "Hun ringte [NAVN], som er ny leder."),
    ("Det var Strand som ringte.", "Det var [NAVN] som ringte."),
    # First names in lower case: Norsk Ordbank (in the pipeline) tells a name ("kari", a
    # noun only) from a word ("tone", "trine": also verbs).
    ("snakket med kari nordmann om dette", "snakket med [NAVN] om dette"),
    ("hilsen ola", "hilsen [NAVN]"),
    ("kari sa at hun ville komme tilbake", "[NAVN] sa at hun ville komme tilbake"),
    ("det var tone i stemmen, og per uke kommer det færre", "det var tone i stemmen, og per uke kommer det færre"),
]


@needs_pipeline
@pytest.mark.parametrize(("text", "expected"), PIPELINE_ONLY_NAMES)
def test_names_found_only_with_the_pipeline(text: str, expected: str) -> None:
    from fritekst.nlp.base import load_base

    assert redact_text(text, nlp=load_base("fritekst")).text == expected
    assert redact_text(text, nlp=spacy.blank("nb")).text == text


# A surname that the comment first gives with a first name: alone at the start of a
# sentence, and a Norwegian word or a municipality too, it is still a name.
LONE_SURNAMES: list[tuple[str, str]] = [
    ("Vi har snakket med Trond Giske om saken. Giske mener at tilbudet må holdes åpent.",
     "Vi har snakket med [NAVN] om saken. [NAVN] mener at tilbudet må holdes åpent."),
    ("Vi samarbeider med Knut Hole i NAV. Hole har god oversikt over brukerne.",
     "Vi samarbeider med [NAVN] i NAV. [NAVN] har god oversikt over brukerne."),
    ("Saken er meldt til Nina Sand. Sands vurdering er at tilbudet må åpnes.",
     "Saken er meldt til [NAVN]. [NAVN] vurdering er at tilbudet må åpnes."),
]


@needs_pipeline
@pytest.mark.parametrize(("text", "expected"), LONE_SURNAMES)
def test_lone_surname_of_a_full_name_is_hidden(text: str, expected: str) -> None:
    from fritekst.nlp.base import load_base

    assert redact_text(text, nlp=load_base("fritekst")).text == expected


# ----------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------


def _tagged_line(rid: str, text: str, words: list[tuple[str, str]]) -> dict:
    mentions = []
    for word, label in words:
        start = text.index(word)
        mentions.append(Mention(start, start + len(word), word, label))
    labels = tuple(sorted({label for _, label in words}))
    return TaggedRecord(
        id=rid, text=text, week="2020-W28", region="Nord-Norge", question="bekymring",
        labels=labels, mentions=tuple(mentions),
        sources={label: LabelSource("rule") for label in labels},
    ).to_dict()


def test_cli_redacts_tagged_jsonl(tmp_path: Path) -> None:
    records = [
        _tagged_line("1", "Kari Nordmann (tlf 912 34 567) er redd for overdoser.",
                     [("overdoser", "bekymring:overdose")]),
        _tagged_line("2", "Flere bruker Rivotril, sier NAV.", [("Rivotril", "stoff:benzodiazepiner")]),
        _tagged_line("3", f"Brukeren Per ({FNR_A}) fikk nalokson på Storgata 3.",
                     [("nalokson", "tiltak:nalokson"), ("Per", "stoff:andre")]),
    ]
    src = tmp_path / "tagged.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "redacted.jsonl"
    result = CliRunner().invoke(main, ["redact", str(src), "-o", str(out), "--base", "blank"])
    assert result.exit_code == 0, result.output
    assert "3 records, 2 with something redacted" in result.stderr
    assert "FØDSELSNUMMER 1, KONTONUMMER 0, EPOST 0, TELEFON 1, ADRESSE 1, NAVN 2" in result.stderr
    assert "mentions dropped (inside a redacted region): 1" in result.stderr
    assert "STED" not in result.stderr

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == ["1", "2", "3"]
    assert lines[0]["text"] == "[NAVN] (tlf [TELEFON]) er redd for overdoser."
    assert lines[1] == records[1]
    assert lines[2]["text"] == "Brukeren [NAVN] ([FØDSELSNUMMER]) fikk nalokson på [ADRESSE]."
    for rec in lines:
        for m in rec["mentions"]:
            assert rec["text"][m["start"]:m["end"]] == m["text"]
    assert [m["text"] for m in lines[2]["mentions"]] == ["nalokson"]
    assert lines[2]["labels"] == records[2]["labels"]
    assert set(lines[0]) == set(records[0])

    meta = json.loads((tmp_path / "redacted.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["summary"]["counts"]["NAVN"] == 2
    assert meta["redaction"]["places"] is False


def _write_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Svar"
    ws.append(["respondent_id", "uke", "landsdel", "Kommentar"])
    ws.append([1001, 28, "Østlandet", "Kari Hansen på Storgata 12 ringer 91234567 hver dag."])
    ws.append([1002, 28, "Nord-Norge", "Mer Rivotril og hasj i Tromsø, sier NAV."])
    ws.append([1003, 28, "Vestlandet", None])
    ws.append([1004, 28, "Sørlandet", "Send ny liste til ola@example.no"])
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    other = wb.create_sheet("Info")
    other.append(["Kari Hansen skrev dette arket"])
    wb.save(path)


def test_cli_redacts_xlsx_keeping_its_shape(tmp_path: Path) -> None:
    src = tmp_path / "svar.xlsx"
    _write_xlsx(src)
    out = tmp_path / "svar_sladdet.xlsx"
    result = CliRunner().invoke(main, ["redact", str(src), "-o", str(out), "--base", "blank"])
    assert result.exit_code == 0, result.output
    assert "3 text cells, 2 with something redacted" in result.stderr
    assert "EPOST 1, TELEFON 1, ADRESSE 1, NAVN 1" in result.stderr

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Svar", "Info"]
    rows = list(wb["Svar"].iter_rows(values_only=True))
    assert rows[0] == ("respondent_id", "uke", "landsdel", "Kommentar")
    assert rows[1] == (1001, 28, "Østlandet", "[NAVN] på [ADRESSE] ringer [TELEFON] hver dag.")
    assert rows[2] == (1002, 28, "Nord-Norge", "Mer Rivotril og hasj i Tromsø, sier NAV.")
    assert rows[3] == (1003, 28, "Vestlandet", None)
    assert rows[4] == (1004, 28, "Sørlandet", "Send ny liste til [EPOST]")
    assert wb["Svar"]["A1"].font.bold
    # only the text column is redacted, not other sheets
    assert wb["Info"]["A1"].value == "Kari Hansen skrev dette arket"
    assert (tmp_path / "svar_sladdet.xlsx.meta.json").exists()


def test_cli_places_flag_on_xlsx(tmp_path: Path) -> None:
    src = tmp_path / "svar.xlsx"
    _write_xlsx(src)
    out = tmp_path / "ut.xlsx"
    result = CliRunner().invoke(
        main, ["redact", str(src), "-o", str(out), "--base", "blank", "--places"]
    )
    assert result.exit_code == 0, result.output
    assert "STED 1" in result.stderr
    rows = list(openpyxl.load_workbook(out)["Svar"].iter_rows(values_only=True))
    assert rows[2][3] == "Mer Rivotril og hasj i [STED], sier NAV."
    assert rows[2][2] == "Nord-Norge"  # not a text column


def test_cli_csv_keeps_delimiter_encoding_and_other_columns(tmp_path: Path) -> None:
    src = tmp_path / "svar.csv"
    rows = [
        ["id", "uke", "region", "Hva bekymrer brukere og pårørende mest nå?"],
        ["1", "28", "Østlandet", "Pårørende til Ola ringer 22 33 44 55; de er redde."],
        ["2", "28", "Østlandet", "Ingen endring i uke 28."],
    ]
    with src.open("w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\r\n").writerows(rows)
    out = tmp_path / "ut.csv"
    result = CliRunner().invoke(main, ["redact", str(src), "-o", str(out), "--base", "blank"])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    raw.decode("cp1252")
    with out.open(encoding="cp1252", newline="") as fh:
        got = list(csv.reader(fh, delimiter=";"))
    assert got[0] == rows[0] and got[2] == rows[2]
    assert got[1] == ["1", "28", "Østlandet", "Pårørende til [NAVN] ringer [TELEFON]; de er redde."]
    assert b"\r\n" in raw


def test_cli_text_col_option(tmp_path: Path) -> None:
    src = tmp_path / "svar.csv"
    src.write_text("nr,notat,annet\n1,Ring Kari på 91234567,Ola\n", encoding="utf-8")
    out = tmp_path / "ut.csv"
    result = CliRunner().invoke(
        main, ["redact", str(src), "-o", str(out), "--base", "blank", "--text-col", "notat"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == "nr,notat,annet\n1,Ring [NAVN] på [TELEFON],Ola\n"

    bad = CliRunner().invoke(
        main, ["redact", str(src), "-o", str(out), "--base", "blank", "--text-col", "mangler"]
    )
    assert bad.exit_code == 1
    assert "Error:" in bad.output and "no column 'mangler'" in bad.output


def test_cli_errors_leave_no_output(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "ut.jsonl"
    missing = runner.invoke(main, ["redact", str(tmp_path / "nope.jsonl"), "-o", str(out)])
    assert missing.exit_code == 1
    assert "nope.jsonl: no such file" in missing.output
    assert "Traceback" not in missing.output

    src = tmp_path / "tagged.jsonl"
    good = _tagged_line("1", "Kari ringte.", [])
    src.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n{not json\n", encoding="utf-8")
    broken_run = runner.invoke(main, ["redact", str(src), "-o", str(out), "--base", "blank"])
    assert broken_run.exit_code == 1
    assert "line 3: invalid JSON" in broken_run.output
    assert not out.exists()

    same = runner.invoke(main, ["redact", str(src), "-o", str(src), "--base", "blank"])
    assert same.exit_code == 1 and "would overwrite the input" in same.output


def test_cli_help_text() -> None:
    result = CliRunner().invoke(main, ["redact", "--help"])
    assert result.exit_code == 0
    assert "--places" in result.output and "[STED]" in result.output


def test_entities_from_the_pipeline_are_used_and_filtered() -> None:
    """Entities set by a pipeline component (here an entity_ruler, standing in for a
    trained NER that may err) become [NAVN]/[STED]; protected terms, lower-case words and
    lone ambiguous first names are not redacted."""
    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PER", "pattern": "Torgrim Brekke"},
        {"label": "PER", "pattern": "Rivotril"},
        {"label": "PER", "pattern": "Liv"},
        {"label": "PER", "pattern": "hasj"},
        {"label": "GPE_LOC", "pattern": "Skarnes"},
        {"label": "ORG", "pattern": "Kirkens Bymisjon"},
    ])
    redactor = Redactor(nlp)
    assert redactor.has_ner
    text = "Torgrim Brekke fra Skarnes fikk Rivotril og hasj. Liv og helse, sa Kirkens Bymisjon."
    assert redactor.redact(text).text == (
        "[NAVN] fra Skarnes fikk Rivotril og hasj. Liv og helse, sa Kirkens Bymisjon."
    )
    assert Redactor(nlp, places=True).redact(text).text == (
        "[NAVN] fra [STED] fikk Rivotril og hasj. Liv og helse, sa Kirkens Bymisjon."
    )
    assert redactor.meta()["ner"] is True


def test_codebook_substances_are_protected_from_the_ner() -> None:
    """Substance names of the codebook (and their compounds) are never redacted, even
    when an entity component calls them persons."""
    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "PER", "pattern": "Klonazepam"},
        {"label": "PER", "pattern": "Buprenorfin-tabletter"},
        {"label": "PER", "pattern": "Torgrim"},
    ])
    text = "Klonazepam og Buprenorfin-tabletter selges, sier Torgrim."
    assert Redactor(nlp).redact(text).text == (
        "Klonazepam og Buprenorfin-tabletter selges, sier [NAVN]."
    )
    # without the codebook's substance list the NER's mistakes would go through
    assert Redactor(nlp, substance_terms=[]).redact(text).text == "[NAVN] og [NAVN] selges, sier [NAVN]."
