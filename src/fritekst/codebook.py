"""The codebook: fritekst's label set and its lexicon, loaded from YAML and validated.

The packaged default lives in ``fritekst/data/codebook.yaml``; ``--codebook FILE`` uses an
edited copy. Every problem is reported with its place in the file (``file:line``) and the
label id and key it concerns. This module does not import spaCy at load time (only the
validation of raw Matcher patterns imports it, lazily).

Lexicon syntax (documented for analysts at the top of ``codebook.yaml``):

* **term** (one token): ``hasj``. Matches the lower-case token or its lemma, with an
  inflectional ending (``hasjen``, ``benzoer``). Markers: ``hasj*`` may also be the first
  part of a compound (``hasjtørke``, ``GHB-bruk``), ``*tørke`` the last part
  (``rusmiddeltørke``), ``*x*`` either; ``=amf`` takes no inflectional ending; ``^LAR`` is
  case-sensitive (``lar`` is a common verb).
* **phrase** (several tokens, separated by spaces): each word uses the term syntax and may
  list alternatives with ``|`` (``rent|rene brukerutstyr``), an alternative of several words
  joins them with ``_`` (``mangel_på|manglende hjelp``); ``...`` stands for up to three
  tokens, never a negation or a sentence end (``fritekst.nlp.ruler.GAP_BLOCKERS``);
  ``<stoff>`` for any token tagged with a substance.
* **pattern**: a raw spaCy ``Matcher`` pattern (a list of token dicts) for the hard cases.
* **exclude**: terms or phrases that must never produce this label (``speedbåt``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from fritekst.errors import CodebookError

FAMILIES = ("stoff", "bekymring", "tiltak")
DEFAULT_CODEBOOK = "codebook.yaml"

_TOP_KEYS = frozenset({"version", "name", "description", "families", "labels"})
_LABEL_KEYS = frozenset(
    {"id", "name", "description", "terms", "phrases", "patterns", "substances", "exclude"}
)
_REQUIRED_LABEL_KEYS = ("id", "name")
_ID_RE = re.compile(r"^(?P<family>[a-z]+):(?P<name>[a-z][a-z0-9_]*)$")
_CORE_RE = re.compile(r"^[\w][\w.,'+-]*$", re.UNICODE)
GAP = "..."


# --------------------------------------------------------------------------- term syntax


@dataclass(frozen=True)
class TermSpec:
    """A parsed lexicon term (one token)."""

    raw: str
    text: str  # the core form, lower-cased unless case-sensitive
    prefix: bool = False  # may be the first part of a compound ("hasj*")
    suffix: bool = False  # may be the last part of a compound ("*tørke")
    inflect: bool = True  # accepts inflectional endings (not "=amf")
    case: bool = False  # case-sensitive ("^LAR")


@dataclass(frozen=True)
class WordSpec:
    """One position of a phrase: alternatives, a gap (``...``) or a token class (``<stoff>``)."""

    alternatives: tuple[tuple[TermSpec, ...], ...] = ()  # each alternative: 1+ tokens
    gap: bool = False
    token_class: str | None = None


def parse_term(raw: str) -> TermSpec:
    """Parse the term mini-syntax ``[^][=][*]core[*]``; raise ``ValueError`` if invalid."""
    if not isinstance(raw, str):
        raise ValueError(f"a term must be a string, not {type(raw).__name__}")
    s = raw.strip()
    case = s.startswith("^")
    s = s[1:] if case else s
    exact = s.startswith("=")
    s = s[1:] if exact else s
    suffix = s.startswith("*")
    prefix = s.endswith("*") and len(s) > 1
    core = s.strip("*")
    if not core:
        raise ValueError(f"empty term {raw!r}")
    if any(c.isspace() for c in core):
        raise ValueError(f"term {raw!r} contains a space (put multi-word entries under 'phrases')")
    if any(c in core for c in "*|^=_"):
        raise ValueError(f"term {raw!r}: markers ^ = * are only allowed at the ends, and | _ only in phrases")
    if not _CORE_RE.match(core):
        raise ValueError(f"term {raw!r} contains characters that are not part of a word")
    return TermSpec(
        raw=raw,
        text=core if case else core.lower(),
        prefix=prefix,
        suffix=suffix,
        inflect=not exact,
        case=case,
    )


def parse_phrase(raw: str) -> tuple[WordSpec, ...]:
    """Parse a phrase: words separated by spaces, alternatives by ``|``; raise ``ValueError``."""
    if not isinstance(raw, str):
        raise ValueError(f"a phrase must be a string, not {type(raw).__name__}")
    words = raw.split()
    if not words:
        raise ValueError("empty phrase")
    specs: list[WordSpec] = []
    for word in words:
        if word == GAP:
            specs.append(WordSpec(gap=True))
            continue
        token_class = None
        alts: list[tuple[TermSpec, ...]] = []
        for alt in word.split("|"):
            if not alt:
                raise ValueError(f"phrase {raw!r}: empty alternative in {word!r}")
            if alt.startswith("<") and alt.endswith(">"):
                if alt[1:-1] != "stoff":
                    raise ValueError(f"phrase {raw!r}: unknown token class {alt!r} (only <stoff>)")
                token_class = alt[1:-1]
            elif alt == GAP:
                raise ValueError(f"phrase {raw!r}: '...' must stand alone")
            else:
                parts = alt.split("_")
                if not all(parts):
                    raise ValueError(f"phrase {raw!r}: empty part in {alt!r}")
                alts.append(tuple(parse_term(part) for part in parts))
        specs.append(WordSpec(alternatives=tuple(alts), token_class=token_class))
    if specs[0].gap or specs[-1].gap:
        raise ValueError(f"phrase {raw!r} cannot begin or end with '...'")
    if len(specs) == 1:
        raise ValueError(f"phrase {raw!r} has one word (put it under 'terms')")
    return tuple(specs)


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Entry:
    """One lexicon entry of a label: a term, a phrase or a raw Matcher pattern."""

    kind: str  # "term", "phrase" or "pattern"
    value: Any  # str for term/phrase, list of token dicts for pattern
    label: str
    substance: str | None = None
    line: int | None = None

    @property
    def key(self) -> str:
        """A stable id of the entry, used as the span's pattern id."""
        if self.kind == "pattern":
            return f"{self.label}#pattern@{self.line}"
        return f"{self.label}#{self.value}"


@dataclass(frozen=True)
class Label:
    """A codebook label with its lexicon."""

    id: str
    family: str
    name: str
    description: str = ""
    entries: tuple[Entry, ...] = ()
    exclude: tuple[Entry, ...] = ()
    line: int | None = None

    @property
    def substances(self) -> list[str]:
        """Canonical substances of a ``stoff`` label, in file order."""
        seen: dict[str, None] = {}
        for e in self.entries:
            if e.substance:
                seen.setdefault(e.substance, None)
        return list(seen)


@dataclass(frozen=True)
class Codebook:
    """The validated label set: labels in file order, families, version and file hash."""

    version: str
    families: dict[str, str]
    labels: tuple[Label, ...]
    sha256: str
    source: str  # file path or "<packaged>"
    text: str = field(repr=False, default="")

    def label(self, label_id: str) -> Label:
        """Return the label with this id; raise ``CodebookError`` if there is none."""
        for lab in self.labels:
            if lab.id == label_id:
                return lab
        raise CodebookError(f"{self.source}: unknown label id {label_id!r}")

    @property
    def ids(self) -> list[str]:
        """All label ids in file order."""
        return [lab.id for lab in self.labels]

    def meta(self) -> dict[str, Any]:
        """Version, hash and source for output metadata."""
        return {"version": self.version, "sha256": self.sha256, "source": self.source}


@dataclass(frozen=True)
class Problem:
    """One validation problem with its place in the file."""

    source: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


# --------------------------------------------------------------------------- YAML with lines


class _Map(dict):
    line: int = 0
    key_lines: dict[str, int]


class _Seq(list):
    line: int = 0
    item_lines: list[int]


def _convert(loader: yaml.SafeLoader, node: yaml.Node, problems: list[tuple[int, str]]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.line = line
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key = str(key)
            if key in out:
                problems.append((key_node.start_mark.line + 1, f"duplicate key {key!r}"))
            out[key] = _convert(loader, value_node, problems)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = _Seq(_convert(loader, item, problems) for item in node.value)
        seq.line = line
        seq.item_lines = [item.start_mark.line + 1 for item in node.value]
        return seq
    return loader.construct_object(node)


def _parse_yaml(text: str, source: str) -> tuple[Any, list[Problem]]:
    raw: list[tuple[int, str]] = []
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = _convert(loader, node, raw) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        msg = getattr(err, "problem", None) or str(err).splitlines()[0]
        return None, [Problem(source, line, f"invalid YAML: {msg}")]
    return data, [Problem(source, line, msg) for line, msg in raw]


# --------------------------------------------------------------------------- validation


def _check_pattern(pattern: Any) -> str | None:
    """Return an error message if ``pattern`` is not a valid spaCy Matcher pattern."""
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        return "a pattern must be a non-empty list of token dicts"
    from spacy.errors import MatchPatternError
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    try:
        Matcher(Vocab()).add("check", [pattern])
    except (MatchPatternError, ValueError, TypeError, KeyError) as err:
        detail = [ln.strip() for ln in str(err).splitlines() if ln.strip().startswith("-")]
        return "bad pattern: " + ("; ".join(detail) if detail else str(err).splitlines()[0])
    return None


def _line_of(container: Any, key: str | int, default: int | None) -> int | None:
    if isinstance(container, _Map) and isinstance(key, str):
        return container.key_lines.get(key, default)
    if isinstance(container, _Seq) and isinstance(key, int) and key < len(container.item_lines):
        return container.item_lines[key]
    return default


def _build(text: str, source: str) -> tuple[Codebook | None, list[Problem]]:
    data, problems = _parse_yaml(text, source)
    if problems and data is None:
        return None, problems

    def bad(line: int | None, msg: str) -> None:
        problems.append(Problem(source, line, msg))

    if not isinstance(data, _Map):
        bad(getattr(data, "line", None), "the codebook must be a mapping with 'version', 'families' and 'labels'")
        return None, problems
    for key in data:
        if key not in _TOP_KEYS:
            bad(data.key_lines.get(key), f"unknown top-level key {key!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    version = data.get("version")
    if version is None:
        bad(1, "missing key 'version'")
    families = data.get("families")
    fam_names: dict[str, str] = {}
    if not isinstance(families, _Map):
        bad(data.key_lines.get("families", 1), "'families' must be a mapping of family id to display name")
    else:
        for fam, disp in families.items():
            if fam not in FAMILIES:
                bad(families.key_lines.get(fam), f"unknown family {fam!r} (codebook-v1 has {', '.join(FAMILIES)})")
            fam_names[fam] = str(disp)
        for fam in FAMILIES:
            if fam not in families:
                bad(families.line, f"missing family {fam!r}")
    labels_raw = data.get("labels")
    if not isinstance(labels_raw, _Seq) or not labels_raw:
        bad(data.key_lines.get("labels", 1), "'labels' must be a non-empty list")
        labels_raw = _Seq()
        labels_raw.item_lines = []

    labels: list[Label] = []
    seen_ids: dict[str, int | None] = {}
    term_owner: dict[str, tuple[str, int | None]] = {}

    for i, lab in enumerate(labels_raw):
        lab_line = _line_of(labels_raw, i, None)
        if not isinstance(lab, _Map):
            bad(lab_line, f"label #{i + 1} must be a mapping")
            continue
        lid = lab.get("id")
        where = f"label {lid!r}" if lid else f"label #{i + 1}"
        for key in lab:
            if key not in _LABEL_KEYS:
                bad(lab.key_lines.get(key), f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(_LABEL_KEYS))})")
        for key in _REQUIRED_LABEL_KEYS:
            if key not in lab or lab.get(key) in (None, ""):
                bad(lab.line, f"{where}: missing key {key!r}")
        if not isinstance(lid, str):
            continue
        m = _ID_RE.match(lid)
        if not m:
            bad(lab.key_lines.get("id"), f"bad label id {lid!r}: must be family:name (lower case, e.g. stoff:cannabis)")
            continue
        family = m.group("family")
        if family not in FAMILIES:
            bad(lab.key_lines.get("id"), f"bad label id {lid!r}: unknown family {family!r}")
            continue
        if lid in seen_ids:
            bad(lab.key_lines.get("id"), f"duplicate label id {lid!r} (first at line {seen_ids[lid]})")
            continue
        seen_ids[lid] = lab.key_lines.get("id")

        entries: list[Entry] = []
        seen_raw: set[str] = set()

        def items(parent: Any, key: str) -> Iterator[tuple[int | None, Any]]:
            """The items of the list ``parent[key]`` with their lines (none if absent)."""
            values = parent.get(key)
            if values is None:
                return
            if not isinstance(values, _Seq):
                bad(_line_of(parent, key, lab.line), f"{where}: {key!r} must be a list")
                return
            for j, val in enumerate(values):
                yield _line_of(values, j, values.line), val

        def add_terms(parent: Any, key: str, substance: str | None) -> None:
            for line, val in items(parent, key):
                is_phrase = isinstance(val, str) and len(val.split()) > 1
                try:
                    if is_phrase and substance is not None:
                        parse_phrase(val)
                        entries.append(Entry("phrase", val.strip(), lid, substance, line))
                        continue
                    spec = parse_term(val)
                except ValueError as err:
                    bad(line, f"{where}: {key}: {err}")
                    continue
                norm = spec.raw.strip()
                owner_key = ("^" if spec.case else "") + spec.text
                if owner_key in term_owner and term_owner[owner_key][0] != lid:
                    other, other_line = term_owner[owner_key]
                    bad(line, f"{where}: term {val!r} is also listed under {other!r} (line {other_line})")
                    continue
                if norm in seen_raw:
                    bad(line, f"{where}: term {val!r} is listed twice")
                    continue
                seen_raw.add(norm)
                term_owner.setdefault(owner_key, (lid, line))
                entries.append(Entry("term", norm, lid, substance, line))

        if family == "stoff":
            subs = lab.get("substances")
            if not isinstance(subs, _Map) or not subs:
                bad(lab.key_lines.get("substances", lab.line), f"{where}: a stoff label needs 'substances' (canonical substance: [terms])")
            else:
                for canon in subs:
                    if not re.match(r"^[a-z0-9æøå][a-z0-9æøå_-]*$", str(canon)):
                        bad(subs.key_lines.get(canon), f"{where}: bad canonical substance {canon!r} (lower case, no spaces)")
                        continue
                    add_terms(subs, canon, str(canon))
            generic = m.group("name")
        else:
            generic = None
            if "substances" in lab:
                bad(lab.key_lines.get("substances"), f"{where}: only stoff labels have 'substances'")
        add_terms(lab, "terms", generic)

        for line, val in items(lab, "phrases"):
            try:
                parse_phrase(val)
            except ValueError as err:
                bad(line, f"{where}: phrases: {err}")
                continue
            entries.append(Entry("phrase", " ".join(val.split()), lid, generic, line))
        for line, val in items(lab, "patterns"):
            msg = _check_pattern(val)
            if msg:
                bad(line, f"{where}: patterns: {msg}")
                continue
            entries.append(Entry("pattern", _plain(val), lid, generic, line))
        excl: list[Entry] = []
        for line, val in items(lab, "exclude"):
            try:
                if isinstance(val, str) and len(val.split()) > 1:
                    parse_phrase(val)
                    excl.append(Entry("phrase", " ".join(val.split()), lid, None, line))
                else:
                    parse_term(val)
                    excl.append(Entry("term", val.strip(), lid, None, line))
            except ValueError as err:
                bad(line, f"{where}: exclude: {err}")
        if not entries:
            bad(lab.line, f"{where}: no lexicon entries (terms, phrases, patterns or substances)")
        labels.append(
            Label(
                id=lid,
                family=family,
                name=str(lab.get("name") or ""),
                description=str(lab.get("description") or "").strip(),
                entries=tuple(entries),
                exclude=tuple(excl),
                line=lab.line,
            )
        )
    if problems:
        return None, problems
    cb = Codebook(
        version=str(version),
        families={f: fam_names[f] for f in FAMILIES},
        labels=tuple(labels),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=source,
        text=text,
    )
    return cb, []


def _plain(value: Any) -> Any:
    """Strip the line-tracking containers from parsed YAML."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- public API


def default_codebook_text() -> str:
    """The text of the packaged default codebook."""
    return resources.files("fritekst").joinpath("data", DEFAULT_CODEBOOK).read_text(encoding="utf-8")


def _read(path: str | Path | None) -> tuple[str, str]:
    if path is None:
        return default_codebook_text(), f"<packaged>/{DEFAULT_CODEBOOK}"
    p = Path(path)
    if not p.exists():
        raise CodebookError(f"{p}: codebook file not found")
    if p.is_dir():
        raise CodebookError(f"{p}: is a folder, not a codebook file")
    try:
        data = p.read_bytes()
        return data.decode("utf-8-sig"), str(p)
    except UnicodeDecodeError as err:
        raise CodebookError(f"{p}: not UTF-8 text (byte {err.start})") from None
    except OSError as err:
        raise CodebookError(f"{p}: cannot read codebook: {err.strerror}") from None


def check_codebook(path: str | Path | None = None) -> list[Problem]:
    """Validate a codebook file and return every problem found (empty list when valid)."""
    text, source = _read(path)
    _, problems = _build(text, source)
    return problems


def codebook_from_text(text: str, source: str = "<text>") -> Codebook:
    """Build a codebook from YAML text; raise ``CodebookError`` naming the first problem."""
    cb, problems = _build(text, source)
    if cb is None:
        more = f" (and {len(problems) - 1} more problems; run 'fritekst codebook check')" if len(problems) > 1 else ""
        raise CodebookError(f"{problems[0]}{more}")
    return cb


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate a codebook file, or the packaged default when ``path`` is None."""
    text, source = _read(path)
    return codebook_from_text(text, source)


def iter_terms(codebook: Codebook) -> Iterable[tuple[Entry, TermSpec]]:
    """All term entries of a codebook with their parsed form."""
    for lab in codebook.labels:
        for e in lab.entries:
            if e.kind == "term":
                yield e, parse_term(e.value)
