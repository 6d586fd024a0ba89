"""The ``fritekst`` command line: a thin Click layer over the library.

Library errors (``fritekst.errors.FritekstError``) cross into the CLI here and only
here: ``FritekstGroup`` turns them into a one-line ``Error: ...`` message and exit
code 1, never a traceback. Each area's commands live in their own module in this
package and are registered at the bottom of this file.
"""

from __future__ import annotations

import click

from fritekst import __version__
from fritekst.errors import FritekstError


class FritekstGroup(click.Group):
    """A Click group that maps library errors to clean CLI errors."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except FritekstError as err:
            raise click.ClickException(str(err)) from None
        except KeyboardInterrupt:
            raise click.Abort() from None


@click.group(cls=FritekstGroup)
@click.version_option(__version__, prog_name="fritekst")
def main() -> None:
    """fritekst: tag substances, concerns and measures in Norwegian survey comments,
    summarize them per week and render a weekly report."""


# Registration: each area's commands live in their own module of this package.
from fritekst.cli import annotate as _annotate  # noqa: E402
from fritekst.cli import codebook as _codebook  # noqa: E402
from fritekst.cli import redact as _redact  # noqa: E402
from fritekst.cli import report as _report  # noqa: E402
from fritekst.cli import run as _run  # noqa: E402
from fritekst.cli import summarize as _summarize  # noqa: E402
from fritekst.cli import tag as _tag  # noqa: E402

for _command in (
    _run.run,
    _tag.tag,
    _summarize.summarize,
    _report.report,
    _redact.redact,
    _codebook.codebook,
    _annotate.annotate,
    _annotate.train,
    _annotate.evaluate,
):
    main.add_command(_command)
