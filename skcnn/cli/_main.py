"""The ``skcnn`` parser, the dispatch to subcommands and the exit codes.

Exit codes: 0 when the command succeeded, 2 for a malformed command line
(argparse's usage errors), 1 for any other error (a dataset that cannot be
loaded, a bad file), 130 when interrupted with Ctrl-C. Errors print one line
on stderr, never a traceback.
"""

import argparse
import sys

from .._version import __version__
from . import compare, explain, predict, search
from ._errors import CommandError


def build_parser():
    """The ``skcnn`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="skcnn",
        description="Convolutional networks for scikit-learn: compare a CNN "
        "with baselines, grid-search it, or predict image files with a saved "
        "model and draw its saliency maps.",
    )
    parser.add_argument("--version", action="version", version=f"skcnn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (compare, search, predict, explain):
        module.add_parser(commands)
    return parser


def main(argv=None):
    """Entry point of the ``skcnn`` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        args.check(args.subparser, args)
    except SystemExit as exc:  # --help, --version (0) or a usage error (2)
        return exc.code
    try:
        args.run(args)
        return 0
    except KeyboardInterrupt:
        print("\nskcnn: interrupted", file=sys.stderr)
        return 130
    except (CommandError, OSError, ValueError) as exc:
        # A dataset that cannot be downloaded, a bad file or folder, ...
        print(f"skcnn: error: {exc}", file=sys.stderr)
    except Exception as exc:  # anything else: still one line, no traceback
        print(f"skcnn: error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1


def console_main():
    """Console-script wrapper: exit with :func:`main`'s code."""
    sys.exit(main())
