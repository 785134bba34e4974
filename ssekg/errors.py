"""Errors a user can act on, and the exit codes the CLI documents."""

from __future__ import annotations

from dataclasses import dataclass

#: Exit codes of the ``ssekg`` command (documented in the README and ``ssekg --help``).
EXIT_OK = 0
EXIT_REJECTED = 1  # the run finished, but some input was rejected
EXIT_USAGE = 2  # bad usage or environment (missing file, store locked, bad setting)


@dataclass
class InputError(Exception):
    """An input that cannot be read, parsed or validated.

    ``reason`` says what is wrong, ``hint`` what to do about it; the CLI prints both with the file name and
    goes on with the other inputs of the run.
    """

    source: str
    reason: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.source}: {self.reason}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class StoreError(Exception):
    """The store cannot be opened or written (locked by another process, unwritable directory...)."""


class SettingsError(Exception):
    """A setting has a bad value, or the settings file cannot be read."""
