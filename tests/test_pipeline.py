"""The shipped Norwegian pipeline (models/nb_fritekst): loading, domain lemmas and POS,
tokenizer exceptions, sentences and entities on Norwegian survey-style sentences."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import Doc
from spacy.training import Example

from fritekst.nlp.base import load_base, pipeline_info, resolve_base, shipped_pipeline_path
from fritekst.nlp.pos_lexicon import PosLexicon, ordbank_tags

SHIPPED = shipped_pipeline_path()
pytestmark = pytest.mark.skipif(not (SHIPPED / "meta.json").exists(), reason="shipped pipeline not trained yet")


@pytest.fixture(scope="module")
def nlp():
    return load_base("fritekst")


LEMMAS = [
    ("Overdosene har økt i det siste.", "overdosene", "overdose"),
    ("Brukerne melder om dårligere tilgang.", "brukerne", "bruker"),
    ("Prisen på amfetaminen har steget.", "amfetaminen", "amfetamin"),
    ("Tiltakene er videreført.", "tiltakene", "tiltak"),
    ("Mange isolerer seg hjemme.", "isolerer", "isolere"),
    ("Rusmidlene er dyrere nå.", "rusmidlene", "rusmiddel"),
    ("Kommunene har økt den oppsøkende virksomheten.", "kommunene", "kommune"),
    ("Pårørende er bekymret for smitte.", "bekymret", "bekymre"),
    ("Flere brukere har mistet inntektene sine.", "inntektene", "inntekt"),
    ("Det er meldt om rusmiddeltørke i flere kommuner.", "rusmiddeltørke", "rusmiddeltørke"),
]


@pytest.mark.parametrize("text,word,lemma", LEMMAS)
def test_domain_lemmas(nlp, text, word, lemma):
    doc = nlp(text)
    tok = next(t for t in doc if t.lower_ == word)
    assert tok.lemma_.lower() == lemma


POS = [
    ("Brukerne isolerer seg mer enn før.", {"Brukerne": "NOUN", "isolerer": "VERB", "seg": "PRON"}),
    ("Vi har ikke sett flere overdoser.", {"har": "AUX", "ikke": "PART", "sett": "VERB", "overdoser": "NOUN"}),
    # "få" + participle ("får medisinene kjørt") is AUX and VERB about equally often in UD's
    # own annotation (dev split: 12 / 11), so only the main-verb use is asserted
    ("LAR-pasienter får medisinene kjørt hjem.", {"LAR-pasienter": "NOUN", "kjørt": "VERB"}),
    ("Brukerne får mat og klær fra kommunen.", {"får": "VERB", "mat": "NOUN"}),
    ("Det er dårligere tilgang på hasj.", {"dårligere": "ADJ", "på": "ADP", "hasj": "NOUN"}),
]


@pytest.mark.parametrize("text,expected", POS)
def test_domain_pos(nlp, text, expected):
    doc = nlp(text)
    got = {t.text: t.pos_ for t in doc}
    for word, pos in expected.items():
        assert got[word] == pos, (word, got)


@pytest.mark.parametrize("text,token", [
    ("Det gjelder bl.a. hasj og amfetamin.", "bl.a."),
    ("Vi har hatt kontakt f.o.m. uke 12.", "f.o.m."),
    ("Det er ca. 20 brukere.", "ca."),
    ("Utlevering to ganger pr. uke.", "pr."),
    ("Tiltak ift. brukere med LAR.", "ift."),
    ("Stengt pga. smittefare.", "pga."),
])
def test_abbreviations_stay_one_token(nlp, text, token):
    assert token in [t.text for t in nlp(text)]


def test_sentences_and_entities(nlp):
    doc = nlp("Kari Nordmann jobber i Oslo kommune. Hun sier at brukerne i Tromsø er bekymret. NAV har stengt.")
    assert len(list(doc.sents)) == 3
    labels = {e.text: e.label_ for e in doc.ents}
    assert labels.get("Kari Nordmann") == "PER"
    assert labels.get("Tromsø") in {"GPE", "LOC"}


def test_meta_and_info(nlp):
    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "fritekst" and meta["lang"] == "nb"
    assert set(meta["fritekst"]["ud_test_scores"]) >= {"pos_acc", "lemma_acc", "ents_f", "sents_f"}
    info = pipeline_info(nlp)
    assert info["name"] == "nb_fritekst" and info["version"] == meta["version"]
    assert "ner" in info["components"] and "fritekst_lemma_exceptions" in info["components"]


def test_size_under_20_mb():
    size = sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file())
    assert size < 20_000_000


def test_auto_prefers_installed_core_news_else_shipped():
    import importlib.util

    if any(importlib.util.find_spec(p) for p in ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm")):
        assert resolve_base("auto").startswith("nb_core_news")
    else:
        assert resolve_base("auto") == str(SHIPPED)


def test_plain_spacy_load_works(nlp):
    # the lemma component is registered through the spacy_factories entry point
    assert spacy.load(SHIPPED).pipe_names == nlp.pipe_names


# -- fritekst_final_period ---------------------------------------------------------------

@pytest.mark.parametrize("text,tokens,n_sents", [
    ("Vi stengte dagsenteret i uke 12. Nå er det åpent igjen.", ["12", "."], 2),
    ("Tilbudet var åpent til jul. Etter det ble det stengt.", ["jul", "."], 2),
    ("Vi har hatt to tilfeller siden uke 12.", ["12", "."], 1),
    ("Promillen var 2,4. Han ble kjørt til legevakten.", ["2,4", "."], 2),
    ("Det var i 2021. - Nå er situasjonen en annen.", ["2021", "."], 2),
    ("Ingen kommentar fra Frp. Kommunen har ikke svart.", ["Frp", "."], 2),
])
def test_final_period_is_split_before_a_new_sentence(nlp, text, tokens, n_sents):
    doc = nlp(text)
    words = [t.text for t in doc]
    i = words.index(tokens[0])
    assert words[i : i + 2] == tokens
    assert len(list(doc.sents)) == n_sents


@pytest.mark.parametrize("text,token", [
    ("Utdelingen startet 17. mai i år.", "17."),
    ("Det er ca. 20 brukere.", "ca."),
])
def test_final_period_keeps_ordinals_and_abbreviations(nlp, text, token):
    assert token in [t.text for t in nlp(text)]


@pytest.mark.parametrize("text,tokens", [
    # a dash opening a list item: the dash and the word are two tokens
    ("-Økt oppfølging av brukere\n-Utlevering av LAR-medisiner", ["-", "Økt", "-", "Utlevering"]),
    # a number range is split, a hyphenated compound is not
    ("Mellom 70-80 LAR-pasienter", ["70", "-", "80", "LAR-pasienter"]),
    # a closing quote before a hyphenated suffix
    ("«Ut på tur»-tilbudet", ["«", "Ut", "på", "tur", "»", "-tilbudet"]),
])
def test_tokenizer_splits_dashes_ranges_and_quotes_like_the_treebank(nlp, text, tokens):
    words = iter(t.text for t in nlp(text))
    assert all(tok in words for tok in tokens), [t.text for t in nlp(text)]  # in this order


# -- fritekst_pos_lexicon ----------------------------------------------------------------

def _pos(nlp, texts, *, lexicon: bool):
    disable = [] if lexicon else ["fritekst_pos_lexicon"]
    with nlp.select_pipes(disable=disable):
        return [[(t.text, t.pos_) for t in doc] for doc in nlp.pipe(texts)]


SURVEY_STYLE = [
    "Ingen overdoser siden forrige kartlegging.",
    "Vi ser mer blandingsbruk, særlig benzo og heroin.",
    "Endret bruksmønster: mindre speed, mer alkohol.",
    "Pårørende er redde for overdoser.",
    "Brukerne forteller at hasj nesten ikke er å få tak i lenger.",
    "Ikke lenger problemer med å få tak i amfetamin.",
]


def test_pos_lexicon_is_in_the_shipped_pipeline(nlp):
    names = nlp.pipe_names
    assert names.index("morphologizer") < names.index("fritekst_pos_lexicon") < names.index("fritekst_lemma_exceptions")
    assert names[0] == "fritekst_final_period"


def test_pos_lexicon_never_leaves_a_tag_ordbank_rules_out(nlp):
    lexicon = nlp.get_pipe("fritekst_lemma_exceptions")
    checker = nlp.get_pipe("fritekst_pos_lexicon")
    for sent in _pos(nlp, SURVEY_STYLE, lexicon=True):
        for word, pos in sent:
            allowed = checker.allowed(word, lexicon)
            if allowed is not None and pos in {"NOUN", "VERB", "ADJ"}:
                assert pos in allowed, (word, pos, allowed)


def test_pos_lexicon_fixes_substance_nouns_and_keeps_adverbs(nlp):
    before = dict(p for s in _pos(nlp, SURVEY_STYLE, lexicon=False) for p in s)
    after = dict(p for s in _pos(nlp, SURVEY_STYLE, lexicon=True) for p in s)
    changed = {w for w in after if after[w] != before[w]}
    assert changed, "the lexicon changed no tag on these sentences"
    for word in ("overdoser", "heroin", "speed"):
        assert after[word] == "NOUN", (word, after[word])
    # Ordbank has almost no adverbs: ADV must stay a candidate for any form it knows
    checker, lexicon = nlp.get_pipe("fritekst_pos_lexicon"), nlp.get_pipe("fritekst_lemma_exceptions")
    assert "ADV" in checker.allowed("lenger", lexicon)


def test_pos_lexicon_allows_the_treebanks_own_tags(nlp):
    # UD tags degree adverbs as adjectives; Ordbank knows "ofte", "lenger" and "fortere"
    # only as other classes, and without the treebank's tags "ikke lenger" became a verb
    lexicon = nlp.get_pipe("fritekst_lemma_exceptions")
    assert "ADJ" not in ordbank_tags(lexicon.classes("lenger"))
    sents = _pos(nlp, ["De er ikke lenger i behandling.", "Brukerne tar ofte kontakt med NAV.",
                       "Det går fortere enn før med utdelingen."], lexicon=True)
    tags = {word: pos for sent in sents for word, pos in sent}
    assert [tags["lenger"], tags["ofte"], tags["fortere"]] == ["ADJ", "ADJ", "ADJ"], tags


def test_pos_lexicon_learns_only_the_tags_ordbank_does_not_allow(nlp):
    checker = PosLexicon(nlp)  # not in the pipeline: reads its morphologizer and lexicon
    words = ["Regjeringen", "har", "ofte", "sagt", "at", "hasj", "er", "ulovlig", "."]
    pos = ["PROPN", "AUX", "ADJ", "VERB", "SCONJ", "NOUN", "AUX", "ADJ", "PUNCT"]
    doc = Doc(nlp.vocab, words=words)
    checker.initialize(lambda: [Example.from_dict(doc, {"words": words, "pos": pos})], nlp=nlp)
    # "hasj" NOUN, "sagt" VERB, "ulovlig" ADJ: Ordbank allows them already; it lists "at"
    # and "ofte" under other classes only; the name under its written form, the rest
    # lower-cased; "." is no form Ordbank knows
    assert checker.treebank == {"Regjeringen": ["PROPN"], "at": ["SCONJ"], "ofte": ["ADJ"]}
    lexicon = nlp.get_pipe("fritekst_lemma_exceptions")
    assert "PROPN" in checker.allowed("Regjeringen", lexicon, name=False)
    assert "PROPN" not in checker.allowed("regjeringen", lexicon, name=False)
    assert "ADJ" in checker.allowed("Ofte", lexicon)


def test_pos_lexicon_saves_its_treebank_tags(nlp, tmp_path):
    shipped = nlp.get_pipe("fritekst_pos_lexicon")
    assert shipped.treebank["lenger"] == ["ADJ"]
    assert PosLexicon(nlp).from_bytes(shipped.to_bytes()).treebank == shipped.treebank
    shipped.to_disk(tmp_path / "saved")
    assert PosLexicon(nlp).from_disk(tmp_path / "saved").treebank == shipped.treebank
    # pipelines packaged before the treebank tags saved nothing in this folder
    (tmp_path / "old").mkdir()
    assert PosLexicon(nlp).from_disk(tmp_path / "old").treebank == {}


def test_whitespace_tokens_between_paragraphs_are_space(nlp):
    # comments pasted from e-mail keep their line breaks and double spaces; the model
    # learned line breaks (training/augment.py), the lexicon step covers the rest
    doc = nlp("Mangel på hasj.\n\n- Økt bruk av GHB.  Mer piller \n")
    spaces = [t for t in doc if t.is_space]
    assert len(spaces) == 3, [t.text for t in doc]
    assert {t.pos_ for t in spaces} == {"SPACE"}
    assert [t.pos_ for t in doc if t.text in ("hasj", "piller")] == ["NOUN", "NOUN"]


# Comments are written in paragraphs and lists, often without a final period; the
# treebank is prose without a single line break (training/augment.py). Constructed texts.
LINES = [
    "Stengt dagsenter.\nBrukerne savner et sted å være.\nAnsatte ringer dem hver uke.",
    "Mangel på hasj\nØkt bruk av piller\nOverdoser blant unge",
    "Vi har delt ut nalokson.\n\nPårørende er bekymret for ensomhet.\n\nTjenestene er åpne som før.",
    "Lite amfetamin i omløp\nPrisene har økt\nFlere selger medisiner",
    "Kommunen har:\nUtdelt matposer\nØkt oppsøkende arbeid\nTelefonoppfølging av brukere",
]


@pytest.mark.parametrize("text", LINES)
def test_a_line_break_starts_a_sentence_of_ordinary_words(nlp, text):
    doc = nlp(text)
    first = [doc[0]] + [t for t in doc[1:] if doc[t.i - 1].is_space]
    # every line is a sentence of its own, starting at its first word
    starts = [next(t for t in s if not t.is_space).i for s in doc.sents if s.text.strip()]
    assert starts == [t.i for t in first], [s.text for s in doc.sents]
    for tok in first:
        # a capital after a line break is a sentence start, not a name
        assert tok.pos_ != "PROPN" and not tok.ent_type_, (tok.text, tok.pos_, tok.ent_type_)
        assert tok.lemma_ == tok.lemma_.lower(), (tok.text, tok.lemma_)


# -- fritekst_place_names ----------------------------------------------------------------

PLACES = [
    ("Brukere i Hemsedal og Sogndal melder om mangel på hasj.", {"Hemsedal": "GPE", "Sogndal": "GPE"}),
    ("Vi har samarbeid med Kasakhstans ambassade.", {"Kasakhstans": "GPE"}),
    ("Ruspoliklinikken i Harstad har stengt.", {"Harstad": "GPE"}),
    ("Kari Hole og Per Moss i NAV har ansvaret.", {"Kari Hole": "PER", "Per Moss": "PER"}),
    # the 2026-11-23 (session 8) model alone calls these PER / ORG
    ("Tilreisende fra Kvinesdal og Sirdal kjøper hasj her.", {"Kvinesdal": "GPE", "Sirdal": "GPE"}),
    ("Flere overdoser i Harstad og Narvik siste uke.", {"Harstad": "GPE", "Narvik": "GPE"}),
    ("Oppsøkende team i Tynset og Alvdal er styrket.", {"Tynset": "GPE", "Alvdal": "GPE"}),
]


@pytest.mark.parametrize("text,expected", PLACES)
def test_place_names_type_municipalities_and_countries_as_gpe(nlp, text, expected):
    labels = {e.text: e.label_ for e in nlp(text).ents}
    for name, label in expected.items():
        assert labels.get(name) == label, labels


def test_place_names_never_remove_or_move_entities(nlp):
    texts = [t for t, _ in PLACES] + SURVEY_STYLE
    with nlp.select_pipes(disable=["fritekst_place_names"]):
        before = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    after = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts)]
    assert before != after, "the component changed nothing on these sentences"
    for b, a in zip(before, after):
        spans = {s[:2]: s[2] for s in a}
        for start, end, label in b:
            assert spans[start, end] in {label, "GPE"}
        assert all(spans[s] == "GPE" for s in set(spans) - {s[:2] for s in b})


def test_place_names_survive_serialisation(nlp, tmp_path):
    comp = nlp.get_pipe("fritekst_place_names")
    assert comp.is_place("Hemsedal") and comp.is_place("Kroatias") and not comp.is_place("Kari")
    assert not comp.is_place("Sola"), "a municipality that is a common word is not listed"
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert again.get_pipe("fritekst_place_names").places == comp.places


# -- fritekst_person_names ---------------------------------------------------------------

SURNAMES = [
    # a lone surname at the start of a sentence, which an NER on its own often misses
    ("Kommuneoverlege Kari Bertelsen sier at tilbudet holdes åpent. "
     "Bertelsen mener det er viktig å holde kontakten.", "Bertelsen"),
    # a surname that is also a municipality, which the place list alone would call GPE
    ("Vi har snakket med Trond Giske om saken. "
     "Giske mener at lavterskeltilbudet må holdes åpent.", "Giske"),
]


@pytest.mark.parametrize("text,surname", SURNAMES)
def test_person_names_make_a_lone_surname_a_person(nlp, text, surname):
    labels = {e.text: e.label_ for e in nlp(text).ents}
    assert labels.get(surname) == "PER", labels


def test_person_names_relabel_only_single_tokens_and_keep_boundaries(nlp):
    from fritekst.nlp.person_names import person_names

    doc = nlp.make_doc("Kari Hansen ringte. Hansen Bygg AS leverte mat, og Hansens kollega "
                       "kom. Hansen er GPE her. Olsen kom også.")
    doc.ents = [doc.char_span(*span, label=label) for span, label in [
        ((0, 11), "PER"),    # Kari Hansen: the full name the surname comes from
        ((20, 34), "ORG"),   # Hansen Bygg AS: longer than the surname, stays ORG
        ((72, 78), "GPE"),   # a lone Hansen of another type becomes PER
    ]]
    got = {(e.text, e.start_char): e.label_ for e in person_names(doc).ents}
    assert got == {
        ("Kari Hansen", 0): "PER",
        ("Hansen Bygg AS", 20): "ORG",
        ("Hansens", 51): "PER",    # the genitive, outside any entity, is added
        ("Hansen", 72): "PER",
    }, got
    assert "Olsen" not in {e.text for e in doc.ents}, "only surnames of the document's own full names"


def test_person_names_take_in_a_given_name_the_ner_left_out(nlp):
    from fritekst.nlp.person_names import person_names

    # the shipped NER returns "Haugland Brekke" alone for this sentence
    doc = nlp.make_doc("Vi har hatt kontakt med Torgrim Haugland Brekke. Bergen Kari Olsen ringte.")
    for tok in doc:
        tok.pos_ = "PROPN" if tok.is_title and tok.i else "PRON" if tok.i == 0 else "NOUN"
    doc.ents = [doc.char_span(*span, label="PER") for span in [(32, 47), (56, 66)]]
    got = [(e.text, e.label_) for e in person_names(doc).ents]
    # a capitalised word that opens a sentence is not taken in: capitals say nothing there
    assert got == [("Torgrim Haugland Brekke", "PER"), ("Kari Olsen", "PER")], got
    assert [e.text for e in nlp("Vi har hatt god kontakt med Torgrim Haugland Brekke om det.").ents
            if e.label_ == "PER"] == ["Torgrim Haugland Brekke"]
