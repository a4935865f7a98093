"""The classes a model file may name, and how names become classes.

A file names each class by its public import path (``"skcnn.CNNClassifier"``,
``"sklearn.linear_model.LogisticRegression"``). :func:`~skcnn.io.load`
checks every name in the file against :data:`ESTIMATORS`,
:data:`CLASSES` and the caller's ``trusted=`` before it imports anything:
a name outside them is refused, and no module it names is imported.

:data:`ESTIMATORS` are the classes ``load`` builds (``cls(**params)``, then
the fitted state set from data): skcnn's estimators, the scikit-learn
containers skcnn's pipelines use and the scikit-learn models and
transformers its documentation and command line use, all of whose fitted
state is plain arrays. :data:`CLASSES` are classes a parameter may hold as
a value (an optimizer class, a NumPy scalar type), which ``load`` returns
without calling.
"""

import importlib
import re
import sys

from ..exceptions import ModelFileError, UntrustedTypeError

#: Estimators built by default.
ESTIMATORS = (
    "skcnn.CNNClassifier",
    "skcnn.ImageEmbedder",
    "skcnn.ImageLoader",
    "skcnn.ImageReshaper",
    "skcnn.ImageResizer",
    "skcnn.PixelScaler",
    "sklearn.pipeline.Pipeline",
    "sklearn.frozen.FrozenEstimator",
    "sklearn.linear_model.LogisticRegression",
    "sklearn.preprocessing.StandardScaler",
    "sklearn.preprocessing.MinMaxScaler",
    "sklearn.decomposition.PCA",
)

_NUMPY_TYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "str_",
)
_OPTIMIZERS = (
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "Lion",
    "Nadam",
    "RMSprop",
    "SGD",
)

#: Classes a parameter may hold as its value, returned without being called.
CLASSES = (
    *(f"builtins.{name}" for name in ("bool", "int", "float", "complex", "str")),
    *(f"numpy.{name}" for name in _NUMPY_TYPES),
    *(f"keras.optimizers.{name}" for name in _OPTIMIZERS),
)

_NAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$", re.ASCII)


def check_trusted(trusted):
    """The names a load trusts: the defaults and ``trusted``, checked."""
    if isinstance(trusted, str) or not hasattr(trusted, "__iter__"):
        raise TypeError(
            f"trusted must be a list of class names ('module.Class'), got {trusted!r}"
        )
    names = list(trusted)
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise TypeError(
                "trusted must hold class names such as 'mypackage.MyEstimator' "
                f"(a module path and a class name), got {name!r}"
            )
    return frozenset(ESTIMATORS) | frozenset(CLASSES) | frozenset(names)


def refuse_untrusted(names, trusted, what):
    """Raise :class:`UntrustedTypeError` for the ``names`` not in ``trusted``."""
    untrusted = {name for name in names if name not in trusted}
    if untrusted:
        raise UntrustedTypeError(what, untrusted)


def resolve(name):
    """The class ``name`` names; call only once ``name`` is trusted."""
    module_name, _, attribute = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelFileError(
            f"the model file names the class {name}, which cannot be imported "
            f"({exc}): install the package that provides it."
        ) from None
    value = getattr(module, attribute, None)
    if not isinstance(value, type):
        # A function (os.system, builtins.eval) is never called, trusted or not.
        raise ModelFileError(
            f"the model file names {name}, which is not a class in {module_name}"
        )
    return value


def _defined_as(name, cls):
    module_name, _, attribute = name.rpartition(".")
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return False
    return getattr(module, attribute, None) is cls


def public_name(cls):
    """``"module.Class"``: where ``cls`` is imported from, by its public path.

    The default names first (``skcnn.CNNClassifier`` rather than
    ``skcnn.classifier.CNNClassifier``), then the shortest module path that
    holds ``cls`` among the modules its own module lives in. None when no
    imported module offers it under its name (a class defined in a function).
    """
    known = [n for n in (*ESTIMATORS, *CLASSES) if n.rpartition(".")[2] == cls.__name__]
    for name in known:
        if _defined_as(name, cls):
            return name
    if "." in cls.__qualname__ or "<" in cls.__qualname__:
        return None
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is not None and getattr(module, cls.__qualname__, None) is cls:
            return f"{module.__name__}.{cls.__qualname__}"
    return None
