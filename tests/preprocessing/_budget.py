"""Example budgets of the property tests, as multiples of the loaded profile's."""

from hypothesis import settings


def budget(factor):
    """Hypothesis settings with ``factor`` times the profile's ``max_examples``.

    Everything else (derandomization, deadline) comes from the profile loaded
    in tests/conftest.py, which is loaded before any test module is imported:
    under the ``ci`` profile (60 examples) ``budget(4 / 3)`` runs 80 examples,
    under ``explore`` (1000) it runs 1333.
    """
    base = settings.default.max_examples
    return settings(max_examples=max(1, round(base * factor)))
