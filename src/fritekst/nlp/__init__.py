"""spaCy side of fritekst: the Norwegian base pipeline and fritekst's own components."""

from __future__ import annotations

from typing import Iterable


def with_genitives(names: Iterable[str]) -> frozenset[str]:
    """``names`` and their genitives: + "s", except after an s ("Kroatias", "Giskes"; "Hans")."""
    names = frozenset(names)
    return names | {n + "s" for n in names if not n.endswith("s")}
