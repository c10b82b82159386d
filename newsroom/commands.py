"""What every staff command shares: help with examples, progress, clean interrupts."""

from __future__ import annotations

import textwrap
import time
from argparse import RawDescriptionHelpFormatter
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
    OutputWrapper,
)
from django.db import connection
from tqdm import tqdm


@contextmanager
def temporary_files() -> Iterator[None]:
    """SQLite keeps its connections' temporary storage in memory (the settings' PRAGMA
    temp_store, for the link triggers' statement journals), so a command that sorts or
    writes the whole archive would grow with it (export_articles' sort of every article,
    bodies included, and import_articles' check pass; measured: see
    docs/performance.md). For the block, this connection keeps temporary
    storage in files again (SQLite refuses the change inside a transaction, where the
    setting is kept), and gets its setting back afterwards."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA temp_store = {int(before)}")


class HelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's ordering of options, with the description and examples kept as written."""


class StaffCommand(BaseCommand):
    """A command staff run by hand or from cron.

    Subclasses set `help` (the description) and `examples` (shown after the options),
    and `interrupted` (what Ctrl-C leaves behind, said in the one-line error).
    """

    examples = ""
    interrupted = "nothing was changed"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("formatter_class", HelpFormatter)
        if self.examples:
            example_lines = textwrap.dedent(self.examples).strip()
            kwargs.setdefault("epilog", "examples:\n" + textwrap.indent(example_lines, "  "))
        return super().create_parser(prog_name, subcommand, **kwargs)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except KeyboardInterrupt:
            # The transactions have rolled back by now; say so instead of a traceback.
            raise CommandError(f"Interrupted: {self.interrupted}.", returncode=130) from None

    def progress(self, *, total: int | None, desc: str, unit: str, verbosity: int) -> Progress:
        return Progress(self.stderr, total=total, desc=desc, unit=unit, verbosity=verbosity)


class Progress:
    """A tqdm bar when stderr is a terminal; otherwise (cron, logs) a plain line at most
    every PLAIN_SECONDS, so short work prints none; nothing at verbosity 0.

    It writes to stderr, so stdout stays clean for data (export_articles to stdout) and
    for the final counts.
    """

    PLAIN_SECONDS = 10.0

    def __init__(
        self, stream: OutputWrapper, *, total: int | None, desc: str, unit: str, verbosity: int
    ) -> None:
        self.stream = stream
        self.total = total
        self.desc = desc
        self.unit = unit
        self.done = 0
        self.enabled = verbosity > 0
        self.bar: tqdm[Any] | None = None
        if self.enabled and stream.isatty():
            # tqdm draws with carriage returns; OutputWrapper would add a newline to each.
            out = getattr(stream, "_out", stream)
            self.bar = tqdm(
                total=total, desc=desc, unit=unit, unit_scale=unit == "B", file=out, leave=False
            )
        self.last_line = time.monotonic()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.close()

    def update(self, amount: int = 1) -> None:
        self.done += amount
        if self.bar is not None:
            self.bar.update(amount)
        elif self.enabled and time.monotonic() - self.last_line >= self.PLAIN_SECONDS:
            self.last_line = time.monotonic()
            if self.total:
                percent = min(100, 100 * self.done // self.total)
                self.stream.write(
                    f"{self.desc}: {percent}% ({self.done:,} of {self.total:,} {self.unit})"
                )
            else:
                self.stream.write(f"{self.desc}: {self.done:,} {self.unit}")
