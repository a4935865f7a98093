"""Old names of the downloading loaders, kept for one release.

``load_mnist`` and ``load_cifar10`` became :func:`fetch_mnist` and
:func:`fetch_cifar10` in 0.2.0, as scikit-learn names its downloading
loaders ``fetch_*``. The old names warn and then behave identically; they
will be removed in 0.3.0.
"""

import functools
import inspect
import warnings

from ._cifar10 import fetch_cifar10
from ._mnist import fetch_mnist

__all__ = ["load_cifar10", "load_mnist"]


def _renamed(function, old_name):
    """``function`` under its old name, with a FutureWarning on every call."""
    new_name = function.__name__
    message = (
        f"{old_name} was renamed {new_name} in skcnn 0.2.0 and will be removed "
        f"in 0.3.0; call skcnn.datasets.{new_name} instead."
    )

    @functools.wraps(function)
    def alias(*args, **kwargs):
        warnings.warn(message, FutureWarning, stacklevel=2)
        return function(*args, **kwargs)

    summary, _, rest = inspect.cleandoc(function.__doc__).partition("\n")
    alias.__doc__ = (
        f"{summary}\n\n.. deprecated:: 0.2.0\n    ``{old_name}`` was renamed "
        f":func:`{new_name}`; it will be removed in 0.3.0.\n{rest}"
    )
    alias.__name__ = alias.__qualname__ = old_name
    alias.__module__ = __name__
    return alias


load_mnist = _renamed(fetch_mnist, "load_mnist")
load_cifar10 = _renamed(fetch_cifar10, "load_cifar10")
