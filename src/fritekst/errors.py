"""Typed errors. The library raises these; only ``fritekst.cli`` turns them into exit codes."""

from __future__ import annotations


class FritekstError(Exception):
    """Base class for every error fritekst reports to a user.

    The message is one line and names the file, and where known the row and column.
    """

    exit_code = 1


class InputError(FritekstError):
    """A survey export or tagged file cannot be read or is not what it claims to be."""


class CodebookError(FritekstError):
    """The codebook file is invalid."""


class AnnotationError(FritekstError):
    """An annotation batch does not validate against the codebook or the exported batch."""


class ModelError(FritekstError):
    """A pipeline or classifier cannot be found or loaded."""
