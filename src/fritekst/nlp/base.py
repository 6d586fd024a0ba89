"""Load the Norwegian base pipeline.

Order of preference when no name is given:

1. an installed ``nb_core_news_lg``, ``nb_core_news_md`` or ``nb_core_news_sm``
   (``python -m spacy download nb_core_news_sm`` on a machine with internet);
2. fritekst's own pipeline shipped in ``models/nb_fritekst`` (installed as the package
   ``fritekst.models``);
3. ``spacy.blank("nb")`` (tokenizer only) if neither exists, which only happens in a
   development checkout before the pipeline has been trained.

``--base`` on the CLI passes a name: ``auto`` (the order above), ``fritekst`` (the
shipped pipeline), ``blank``, an installed package name or a path to a pipeline folder.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from fritekst.errors import ModelError
# register the shipped pipeline's own architecture and components (also when fritekst runs
# from a source tree, without its spacy_architectures and spacy_factories entry points)
from fritekst.nlp import architectures as _architectures  # noqa: F401
from fritekst.nlp import final_period as _final_period  # noqa: F401
from fritekst.nlp import lemma_exceptions as _lemma_exceptions  # noqa: F401
from fritekst.nlp import person_names as _person_names  # noqa: F401
from fritekst.nlp import place_names as _place_names  # noqa: F401
from fritekst.nlp import pos_lexicon as _pos_lexicon  # noqa: F401

CORE_NEWS = ("nb_core_news_lg", "nb_core_news_md", "nb_core_news_sm")
SHIPPED_NAME = "nb_fritekst"


def shipped_pipeline_path() -> Path:
    """Path of the pipeline shipped with fritekst (it may not exist in a fresh checkout)."""
    return Path(str(resources.files("fritekst.models"))) / SHIPPED_NAME


def resolve_base(name: str | None = None) -> str:
    """Turn a ``--base`` value into something ``spacy.load`` understands (or ``blank``)."""
    name = (name or "auto").strip()
    if name == "auto":
        for pkg in CORE_NEWS:
            if importlib.util.find_spec(pkg) is not None:
                return pkg
        shipped = shipped_pipeline_path()
        return str(shipped) if (shipped / "meta.json").exists() else "blank"
    if name == "fritekst":
        shipped = shipped_pipeline_path()
        if not (shipped / "meta.json").exists():
            raise ModelError(f"the shipped pipeline is missing: {shipped} (train it with training/train.sh)")
        return str(shipped)
    return name


def load_pipeline(name: str | None = None) -> Language:
    """Load a new copy of the base pipeline chosen by ``name`` (not cached: for callers
    that add components to it)."""
    target = resolve_base(name)
    if target == "blank":
        return spacy.blank("nb")
    try:
        return spacy.load(target)
    except OSError as err:
        raise ModelError(f"cannot load Norwegian pipeline {target!r}: {err}") from None


@lru_cache(maxsize=4)
def _load_resolved(target: str) -> Language:
    return load_pipeline(target)


def load_base(name: str | None = None) -> Language:
    """Load the base pipeline chosen by ``name`` (see module docstring), shared: cached per
    resolved pipeline, so ``None``, ``"auto"`` and the path they resolve to are one copy."""
    return _load_resolved(resolve_base(name))


def pipeline_info(nlp: Language) -> dict[str, Any]:
    """Name, version and components of a pipeline, for output metadata."""
    meta = nlp.meta
    return {
        "name": f"{meta.get('lang', 'nb')}_{meta.get('name', 'blank')}",
        "version": meta.get("version"),
        "spacy_version": meta.get("spacy_version"),
        "components": list(nlp.pipe_names),
    }
