"""The error type subcommands raise for a one-line message and exit code 1."""


class CommandError(Exception):
    """An error the ``skcnn`` command reports as one line (exit code 1)."""
