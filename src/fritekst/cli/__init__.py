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


# Registration: one line per command module.
from fritekst.cli import tag as _tag  # noqa: E402
from fritekst.cli import summarize as _summarize, report as _report  # noqa: E402

main.add_command(_tag.tag)
main.add_command(_summarize.summarize)
main.add_command(_report.report)
from fritekst.cli import redact as _redact  # noqa: E402
main.add_command(_redact.redact)
from fritekst.cli import annotate as _annotate  # noqa: E402
main.add_command(_annotate.annotate); main.add_command(_annotate.train); main.add_command(_annotate.evaluate)
from fritekst.cli import codebook as _codebook  # noqa: E402
main.add_command(_codebook.codebook)
