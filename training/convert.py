"""Convert the Norwegian Dependency Treebank (NDT, Bokmål) with NorNE entities to spaCy.

Reads ``../shared/data/norne`` (not part of this repository: the texts may not be
republished) and writes DocBin files to ``training/corpus/``:

- ``train.spacy``: every NDT file that holds no sentence of the UD dev or test split
  (the UD splits are made of whole NDT files; we still check sentence by sentence);
- ``dev.spacy``: the UD dev split, from its CoNLL-U file (used only to pick the best
  checkpoint during training);
- ``test.spacy``: the UD test split, from its CoNLL-U file (final evaluation only).

Part-of-speech: NDT has its own tag set; fritekst predicts Universal POS. A naive map of
NDT POS to UPOS agrees with UD on ~89% of tokens (auxiliaries, ADP/SCONJ, DET/NUM,
"som", "ikke", possessives differ). The map is therefore *learned*: the UD dev split
appears verbatim in NDT, so every dev token has both annotations; a logistic regression
over NDT features (POS, morphology, dependency label, lemma of closed-class words,
head/children POS) predicts UPOS and is applied to the training files. Its held-out
agreement is printed. The UD test split is never used for it.

Dependencies: NDT's own labels (SUBJ, DOBJ, ADV, ...; the root is ROOT) for every split;
the UD dev/test sentences take heads and labels from their NDT copy (the ~4 % that NDT
tokenises differently keep UD's tree), so that dev and test score the parser on the scheme
it learns. They are there for the parser experiment described in training/EXPERIMENTS.md; the
shipped config has no parser and ignores them.

Entities: NorNE's 9 types are reduced to 7: GPE_LOC and GPE_ORG become GPE (the
LOC/ORG reading of a geo-political name is the hardest and least useful distinction
for fritekst), MISC (8 mentions in all) is dropped. Kept: PER, ORG, LOC, GPE, PROD,
EVT, DRV.

Usage: python training/convert.py [--norne ../shared/data/norne] [--out training/corpus]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

PUNCT_NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "»", "]", "...", "%"}
PUNCT_NO_SPACE_AFTER = {"(", "«", "["}
ENT_MAP = {"GPE_LOC": "GPE", "GPE_ORG": "GPE", "MISC": None}
CLOSED_POS = {"det", "pron", "prep", "konj", "sbu", "adv", "inf-merke", "interj", "verb", "symb", "ukjent"}
DOC_SENTS = 10
#: Where the treebank lives by default: ../shared/data/norne beside the checkout.
NORNE_DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "norne"


def read_conll(path: Path) -> list[list[list[str]]]:
    """Sentences as lists of 10-column rows (comments skipped)."""
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(cur)
                cur = []
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            cur.append(cols)
    if cur:
        sents.append(cur)
    return sents


def read_ud(norne: Path, split: str) -> list[list[list[str]]]:
    """The sentences of the UD Bokmål ``split`` ("dev" or "test") under ``norne``."""
    return read_conll(next((norne / "ud" / "nob").glob(f"*-{split}.conllu")))


def key(sent: list[list[str]]) -> tuple[str, ...]:
    return tuple(row[1] for row in sent)


def entity_tags(sent: list[list[str]]) -> list[str]:
    """BILUO-free IOB tags from the MISC column, mapped to fritekst's entity set."""
    tags = []
    for row in sent:
        name = "O"
        for part in row[9].split("|"):
            if part.startswith("name="):
                name = part[5:]
        if name != "O":
            bio, _, typ = name.partition("-")
            mapped = ENT_MAP.get(typ, typ)
            name = f"{bio}-{mapped}" if mapped else "O"
        tags.append(name)
    # repair I- without a preceding entity of the same type (after dropping MISC)
    prev = "O"
    for i, t in enumerate(tags):
        if t.startswith("I-") and prev[2:] != t[2:]:
            tags[i] = "B-" + t[2:]
        prev = tags[i]
    return tags


def spaces_from_misc(sent: list[list[str]]) -> list[bool]:
    return ["SpaceAfter=No" not in row[9] for row in sent]


def guess_spaces(words: list[str]) -> list[bool]:
    spaces = []
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        sp = nxt is not None and nxt not in PUNCT_NO_SPACE_BEFORE and w not in PUNCT_NO_SPACE_AFTER
        spaces.append(sp)
    if spaces:
        spaces[-1] = True  # sentences are joined with a space inside a document
    return spaces


def ndt_features(sent: list[list[str]], i: int) -> dict[str, object]:
    """Features of NDT token i used to predict its UD UPOS."""
    row = sent[i]
    form, lemma, pos, feats, head, dep = row[1], row[2], row[3], row[5], int(row[6]), row[7]
    children = [r for r in sent if int(r[6]) == i + 1]
    f: dict[str, object] = {"pos": pos, "dep": dep, "pos_dep": f"{pos}|{dep}"}
    for feat in feats.split("|"):
        f[f"feat={feat}"] = 1
        f[f"pos_feat={pos}|{feat}"] = 1
    if pos in CLOSED_POS or pos.startswith("<"):
        f[f"lemma={lemma.lower()}"] = 1
        f[f"lemma_pos={lemma.lower()}|{pos}"] = 1
        f[f"lemma_dep={lemma.lower()}|{dep}"] = 1
    hpos = sent[head - 1][3] if head else "ROOT"
    f[f"head={hpos}"] = 1
    f[f"head_dep={hpos}|{dep}"] = 1
    for c in children:
        f[f"child={c[3]}|{c[7]}"] = 1
        f[f"child_pos={c[3]}"] = 1
    if form[:1].isupper() and i > 0:
        f["cap"] = 1
    if any(ch.isdigit() for ch in form):
        f["digit"] = 1
    return f


def learn_upos_map(ndt_by_key: dict, ud_dev: list, seed: int = 0):
    """Fit NDT features -> UD UPOS on the dev split (both annotations exist there)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    X, y, groups = [], [], []
    for si, ud in enumerate(ud_dev):
        ndt = ndt_by_key.get(key(ud))
        if ndt is None:
            continue
        for i in range(len(ndt)):
            X.append(ndt_features(ndt, i))
            y.append(ud[i][3])
            groups.append(si)
    naive = {"subst": "NOUN", "verb": "VERB", "adj": "ADJ", "adv": "ADV", "prep": "ADP", "pron": "PRON",
             "det": "DET", "konj": "CCONJ", "sbu": "SCONJ", "inf-merke": "PART", "interj": "INTJ",
             "symb": "SYM", "ukjent": "X"}
    naive_ok = sum(naive.get(x["pos"], "PUNCT") == t for x, t in zip(X, y)) / len(y)
    vec = DictVectorizer()
    rng = random.Random(seed)
    sent_ids = sorted(set(groups))
    rng.shuffle(sent_ids)
    held = set(sent_ids[: len(sent_ids) // 4])
    tr = [k for k, g in enumerate(groups) if g not in held]
    te = [k for k, g in enumerate(groups) if g in held]
    Xv = vec.fit_transform(X)
    clf = LogisticRegression(max_iter=2000, C=5.0)
    clf.fit(Xv[tr], [y[k] for k in tr])
    held_acc = (clf.predict(Xv[te]) == [y[k] for k in te]).mean()
    clf.fit(Xv, y)
    print(f"UPOS map: naive NDT->UPOS agreement {naive_ok:.3f}; learned map, held-out dev sentences {held_acc:.3f}")
    return vec, clf


def ndt_docs(vocab, sents, vec, clf):
    """Yield spaCy Docs of DOC_SENTS sentences each from NDT sentences."""
    for start in range(0, len(sents), DOC_SENTS):
        chunk = sents[start : start + DOC_SENTS]
        words, spaces, lemmas, pos, heads, deps, sent_starts, ents = [], [], [], [], [], [], [], []
        feats = [ndt_features(s, i) for s in chunk for i in range(len(s))]
        upos = clf.predict(vec.transform(feats))
        for s in chunk:
            offset = len(words)
            ws = [r[1] for r in s]
            words += ws
            spaces += guess_spaces(ws)
            lemmas += [r[2] for r in s]
            h, d = ndt_tree(s, offset)
            heads += h
            deps += d
            sent_starts += [True] + [False] * (len(s) - 1)
            ents += entity_tags(s)
        pos = list(upos)
        yield Doc(vocab, words=words, spaces=spaces, lemmas=lemmas, pos=pos,
                  heads=heads, deps=deps, sent_starts=sent_starts, ents=ents)


def ndt_tree(sent: list[list[str]], offset: int) -> tuple[list[int], list[str]]:
    """Absolute heads and NDT labels of one sentence starting at token ``offset``."""
    heads = [offset + int(r[6]) - 1 if r[6] != "0" else offset + i for i, r in enumerate(sent)]
    deps = [r[7] if r[6] != "0" else "ROOT" for r in sent]
    return heads, deps


def ud_docs(vocab, sents, ndt_by_key=None):
    """Docs from UD CoNLL-U sentences (UD UPOS), with the NDT tree of each sentence when
    ``ndt_by_key`` (NDT sentences by token sequence) is given."""
    for start in range(0, len(sents), DOC_SENTS):
        chunk = sents[start : start + DOC_SENTS]
        words, spaces, lemmas, pos, heads, deps, sent_starts, ents = [], [], [], [], [], [], [], []
        for s in chunk:
            # ~4 % of UD sentences (mostly headlines) are tokenised differently in NDT:
            # they keep UD's tree; dev/test dependency scores are only informative
            if ndt_by_key is not None:
                h, d = ndt_tree(ndt_by_key.get(key(s), s), len(words))
                heads += h
                deps += d
            words += [r[1] for r in s]
            sp = spaces_from_misc(s)
            sp[-1] = True
            spaces += sp
            lemmas += [r[2] for r in s]
            pos += [r[3] for r in s]
            sent_starts += [True] + [False] * (len(s) - 1)
            ents += entity_tags(s)
        tree = {"heads": heads, "deps": deps} if ndt_by_key is not None else {}
        yield Doc(vocab, words=words, spaces=spaces, lemmas=lemmas, pos=pos,
                  sent_starts=sent_starts, ents=ents, **tree)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = Path(__file__).resolve().parent
    ap.add_argument("--norne", type=Path, default=NORNE_DEFAULT)
    ap.add_argument("--out", type=Path, default=here / "corpus")
    args = ap.parse_args()
    ud_dev = read_ud(args.norne, "dev")
    ud_test = read_ud(args.norne, "test")
    held_keys = {key(s) for s in ud_dev} | {key(s) for s in ud_test}

    train, ndt_by_key, files_excluded = [], {}, 0
    for path in sorted((args.norne / "ndt" / "nob").glob("*.conll")):
        sents = read_conll(path)
        for s in sents:
            ndt_by_key.setdefault(key(s), s)
        n_held = sum(key(s) in held_keys for s in sents)
        if n_held * 2 > len(sents):
            files_excluded += 1
            continue  # the file belongs to the UD dev/test split
        # short sentences ("- Nei.") recur in other files: drop those sentences only
        train += [s for s in sents if key(s) not in held_keys]
    vec, clf = learn_upos_map(ndt_by_key, ud_dev)
    nlp = spacy.blank("nb")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, docs in (("train", ndt_docs(nlp.vocab, train, vec, clf)),
                       ("dev", ud_docs(nlp.vocab, ud_dev, ndt_by_key)),
                       ("test", ud_docs(nlp.vocab, ud_test, ndt_by_key))):
        db = DocBin(attrs=["ORTH", "LEMMA", "POS", "HEAD", "DEP", "SENT_START", "ENT_IOB", "ENT_TYPE"], store_user_data=False)
        n_tok = 0
        for d in docs:
            db.add(d)
            n_tok += len(d)
        db.to_disk(args.out / f"{name}.spacy")
        print(f"{name}: {len(db)} docs, {n_tok} tokens -> {args.out / (name + '.spacy')}")
    print(f"NDT files excluded as UD dev/test: {files_excluded}; train sentences: {len(train)}")
    ents = Counter(t[2:] for s in train for t in entity_tags(s) if t.startswith("B-"))
    print("train entities:", dict(ents))


if __name__ == "__main__":
    main()
