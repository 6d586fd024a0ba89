"""Turn a trained spaCy model into fritekst's shipped pipeline ``models/nb_fritekst``.

Adds what training cannot learn from the treebank:

- tokenizer exceptions for Norwegian abbreviations missing from spaCy's ``nb``
  defaults ("ift.", "pga.", "mht.", ...), and three splits the treebank makes and the
  ``nb`` defaults do not: a number range ("70-80" -> 70 - 80), a dash opening a
  capitalised word ("-Økt oppfølging": the bullet lists of survey comments) and a
  closing quote before a hyphenated suffix ("«Guitar Hero»-spillet");
- the lemma exception table (Norsk Ordbank 2005 via spacy-lookups-data's
  ``nb_lemma_exc``, CC BY 4.0, plus ``training/domain_lemmas.tsv``) as the component
  ``fritekst_lemma_exceptions`` after the trainable lemmatizer;
- ``fritekst_pos_lexicon`` after the morphologizer: open-class tags that Ordbank rules
  out for a form are re-decided among the tags it or the training treebank allows
  (``fritekst/nlp/pos_lexicon.py``; the treebank tags come from the corpus the model
  trained on, ``[paths] train`` of its config, or ``--tags-from``);
- ``fritekst_place_names`` after ``ner``: an entity that is a known place name is typed
  GPE (``fritekst/nlp/place_names.py``; municipalities and counties from
  ``fritekst/data/kommuner.txt`` that are neither common words nor first names, and the
  countries and cities of ``training/place_names.txt``);
- ``fritekst_person_names`` after that: a surname the document uses in a full person
  name is a person wherever it stands alone (``fritekst/nlp/person_names.py``);
- ``fritekst_final_period`` first: "2005." / "i." before a capitalised word become word
  + period (``fritekst/nlp/final_period.py``);
- ``meta.json``: name, version, licence and attribution, data, training command
  (``training/evaluate.py --update-meta`` adds the scores).

Usage: python training/package.py training/output/model-best models/nb_fritekst \
           [--lookups PATH_TO_nb_lemma_exc.json.gz] [--tags-from CORPUS]
Without ``--lookups`` the table is taken from an installed spacy-lookups-data
(``pip install spacy-lookups-data``; a ~99 MB package only needed for packaging).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

import spacy
from spacy.training import Corpus

import fritekst.nlp.base  # noqa: F401  (registers fritekst's spaCy factories)

ABBREVIATIONS = [
    "ift.", "iht.", "mht.", "pga.", "vha.", "ifm.", "hhv.", "mao.", "inkl.", "ekskl.", "ang.",
    "tlf.", "ev.", "evt.", "bl.a.", "f.eks.", "f.o.m.", "t.o.m.", "ca.", "pr.", "jf.", "dvs.",
    "osv.", "mv.", "m.m.", "o.l.", "kl.", "nr.", "stk.", "mnd.", "uke.", "avd.", "kap.", "ref.",
    "sml.", "ds.", "iflg.", "ifølge.", "mm.", "dgl.", "div.", "spes.", "forts.", "tom.", "fom.",
]
#: Prefix and infix patterns added to spaCy's ``nb`` defaults (see the module docstring).
EXTRA_PREFIXES = [r"-(?=[A-ZÆØÅÄÖÜ])"]
EXTRA_INFIXES = [r"(?<=[0-9])[-–](?=[0-9])", r"(?<=\w)[»”\"](?=-\w)"]
HERE = Path(__file__).resolve().parent


def adjust_tokenizer(nlp: spacy.Language) -> None:
    """Add ``ABBREVIATIONS`` as special cases and ``EXTRA_PREFIXES``/``EXTRA_INFIXES``."""
    for abbr in ABBREVIATIONS:
        for form in {abbr, abbr.capitalize()}:
            if len(nlp.tokenizer(form)) != 1:
                nlp.tokenizer.add_special_case(form, [{"ORTH": form}])
    nlp.tokenizer.prefix_search = spacy.util.compile_prefix_regex(
        [*EXTRA_PREFIXES, *nlp.Defaults.prefixes]).search
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(
        [*nlp.Defaults.infixes, *EXTRA_INFIXES]).finditer


def load_table(path: Path | None) -> tuple[dict[str, dict[str, list[str]]], dict[str, set[str]]]:
    """Exceptions {pos: {form: [lemmas]}} (form != lemma only) and known lemmas per POS."""
    if path is None:
        import spacy_lookups_data  # type: ignore[import-not-found]

        path = Path(spacy_lookups_data.__file__).parent / "data" / "nb_lemma_exc.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        raw = json.load(f)
    known = {pos: {lemma.lower() for lemmas in forms.values() for lemma in lemmas} for pos, forms in raw.items()}
    # keep entries whose form differs from its lemma (identity entries carry no fix)
    table = {pos: {form.lower(): lemmas for form, lemmas in forms.items()
                   if " " not in form and [form] != lemmas and [form.lower()] != lemmas}
             for pos, forms in raw.items()}
    for line in (HERE / "domain_lemmas.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            pos, form, lemma, *only = line.split("\t")
            if only == ["only"]:
                for other in table:
                    table[other].pop(form.lower(), None)
            table.setdefault(pos, {})[form.lower()] = [lemma]
            known.setdefault(pos, set()).add(lemma.lower())
    return table, known


def load_places() -> set[str]:
    """Place names for ``fritekst_place_names`` (see the module docstring)."""
    from fritekst.redact import load_lexicon

    lex = load_lexicon()
    world = [line.strip() for line in (HERE / "place_names.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return (set(lex.places) - lex.ambiguous_places | set(world)) - lex.first_names


def main() -> None:
    ap = argparse.ArgumentParser(description="Package a trained model as models/nb_fritekst")
    ap.add_argument("model", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--lookups", type=Path, default=None)
    # The version is what every fritekst output records of the pipeline (.meta.json): raise
    # it for each model that is shipped. 0.2.1: 0.2.0's trained components with the treebank
    # tags in fritekst_pos_lexicon (session 12); 0.2.0: the BiLSTM NER (session 9), which
    # needs fritekst.ContextListener.v1 to load; 0.1.0 named every earlier model.
    ap.add_argument("--version", default="0.2.1")
    ap.add_argument("--code", type=Path, default=None,
                    help="Python file with extra spaCy components/architectures the model uses (experiments)")
    ap.add_argument("--drop", nargs="+", default=[], metavar="COMPONENT",
                    help="components that only trained alongside the others and are not shipped "
                         "(an auxiliary task's tagger, say)")
    ap.add_argument("--tags-from", type=Path, default=None, metavar="CORPUS",
                    help="training corpus (.spacy file or folder) for fritekst_pos_lexicon's treebank tags; "
                         "default: [paths] train of the model's config, relative to the repository root")
    args = ap.parse_args()
    if args.code:
        spacy.util.import_file("fritekst_experiment", args.code)

    # The NER (and the name rules after it) run right after the morphologizer, so that
    # fritekst_pos_lexicon knows which capitalised words are names. The NER reads only
    # the shared tok2vec, so its output does not depend on where it stands.
    order = list(spacy.util.load_config(args.model / "config.cfg")["nlp"]["pipeline"])
    if "ner" in order and "morphologizer" in order:
        order.remove("ner")
        order.insert(order.index("morphologizer") + 1, "ner")
    order = [name for name in order if name not in args.drop]
    nlp = spacy.load(args.model, exclude=args.drop, config={"nlp": {"pipeline": order}})
    adjust_tokenizer(nlp)
    # a model trained with fritekst_lexicon_features already has the component (its
    # morphologizer reads the table while training); the table is set again either way
    if "fritekst_lemma_exceptions" in nlp.pipe_names:
        comp = nlp.get_pipe("fritekst_lemma_exceptions")
    else:
        comp = nlp.add_pipe("fritekst_lemma_exceptions", after="trainable_lemmatizer")
    comp.set_table(*load_table(args.lookups))
    nlp.add_pipe("fritekst_final_period", first=True)
    nlp.add_pipe("fritekst_place_names", after="ner").set_places(load_places())
    nlp.add_pipe("fritekst_person_names", after="fritekst_place_names")
    train = spacy.util.load_config(args.model / "config.cfg")["paths"].get("train")
    corpus = args.tags_from or (HERE.parent / train if train else None)
    if corpus is None or not corpus.exists():
        raise SystemExit(f"package.py: training corpus {corpus or '([paths] train not set)'} not found "
                         "(run training/convert.py, or give --tags-from)")
    # read with a vocab of its own, so that the corpus adds no strings to the pipeline's
    nlp.add_pipe("fritekst_pos_lexicon", after="fritekst_person_names").initialize(
        lambda: Corpus(corpus)(spacy.blank(nlp.lang)), nlp=nlp)

    nlp.meta.update({
        "name": "fritekst",
        "version": args.version,
        "description": "fritekst's Norwegian Bokmål pipeline: tokenizer, UPOS (morphologizer), "
                       "trainable lemmatizer + Norsk Ordbank exceptions, sentence boundaries (senter), "
                       "NER (PER, ORG, LOC, GPE, PROD, EVT, DRV). CPU-efficient CNN, no vectors.",
        "author": "fritekst authors",
        "license": "CC BY 4.0 (model; lemma table from Norsk Ordbank requires attribution)",
        "sources": [
            {"name": "Norwegian Dependency Treebank (NDT), Bokmål, with NorNE entities",
             "url": "https://github.com/ltgoslo/norne", "license": "CC0 (annotations)",
             "use": "training: NDT files holding no sentence of the UD dev/test splits, and the UD dev split; "
                    "evaluation: the UD test split"},
            {"name": "Norsk Ordbank, Bokmål 2005 (updated 2018-06-27), Språkbanken, Nasjonalbiblioteket",
             "url": "https://www.nb.no/sprakbanken/", "license": "CC BY 4.0",
             "use": "lemma exception table, via spacy-lookups-data nb_lemma_exc"},
        ],
        "fritekst": {
            "entity_labels": "NorNE with GPE_LOC and GPE_ORG merged into GPE, MISC dropped",
            "pos_labels": "UPOS learned from NDT POS via a map fitted on the UD dev split",
            "training_data": "NDT files without UD dev/test sentences (UPOS mapped) + the UD dev split (gold UPOS); "
                             "the UD test split is held out",
            "training_command": "bash training/train.sh",
            "training_time": "11,000 steps on train + dev in 44 min wall clock on 2 CPU cores while two other "
                             "trainings shared them (convert, package and evaluate add ~4 min), measured "
                             "2026-11-23; seed 0",
        },
    })
    tmp = args.out.with_name(args.out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)
    if args.out.exists():
        shutil.rmtree(args.out)
    tmp.rename(args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"packaged {args.model} -> {args.out} ({size / 1e6:.1f} MB); pipeline: {nlp.pipe_names}")


if __name__ == "__main__":
    main()
