"""``python -m skcnn``: the same as the ``skcnn`` command."""

from .cli import console_main

if __name__ == "__main__":
    console_main()
