"""The one place where skcnn reaches private APIs of the libraries it uses.

Each import below says why no public API serves. An upgrade of
scikit-learn, scikeras or TensorFlow that moves one of them should need a
change here only.

scikeras is the base skcnn builds on (:mod:`skcnn._engine.bridge` subclasses its
``BaseWrapper``), but skcnn overrides these of its behaviours, because they
are wrong or unsafe with current scikit-learn and Keras:

* tags: scikeras 0.13 declares them only through ``_more_tags``, which
  scikit-learn >= 1.6 ignores (and rejects in its checks); its
  ``KerasClassifier`` puts ``BaseEstimator`` before ``ClassifierMixin`` in
  the MRO, so scikit-learn does not see a classifier. skcnn's classifier
  derives from ``ClassifierMixin`` and ``BaseWrapper`` in that order and
  declares ``__sklearn_tags__`` (and ``BaseWrapper`` gets a pass-through
  ``__sklearn_tags__``, below).
* seeding: scikeras seeds Python, NumPy and TensorFlow globally and sets
  ``TF_DETERMINISTIC_OPS``, which changes the whole process and is not
  thread-safe. skcnn seeds each random draw of a fit instead
  (:mod:`skcnn._engine.plan`).
* input validation, ``class_weight`` (turned into sample weights),
  ``validation_split`` (stratified instead of Keras's tail split) and the
  training data (fed without copies, in a seeded order).
* prediction: a compiled inference function per fitted model instead of
  ``Model.predict``, whose fixed cost per call dominates for a few images.

What skcnn reuses: parameter routing (``optimizer__*``, ``fit__*``, ...),
the label encoder, callback initialisation and the pickling of Keras models.
"""

import functools
import random
import threading
from contextlib import contextmanager
from types import SimpleNamespace

# scikit-learn's parameter validation is private (``sklearn.utils.
# _param_validation``) but is what every scikit-learn estimator uses to
# report invalid hyperparameters; its messages are the ones users know.
from sklearn.utils._param_validation import (  # noqa: F401
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)

# scikit-learn has no public function that validates sample weights against
# X with its standard messages (shape, finiteness, dtype).
from sklearn.utils.validation import _check_sample_weight  # noqa: F401

# Names taken from scikeras. They are looked up on first use (PEP 562), so
# that the scikit-learn part of this module stays free of TensorFlow (the
# transformers and loaders never import it).
_SCIKERAS_NAMES = (
    "BaseWrapper",
    # scikeras's routing helpers are public in spirit (its wrappers are built
    # on them) but live in its private ``_utils`` module; skcnn routes
    # compile, optimizer, loss and metric parameters exactly as scikeras.
    "get_loss_class_function_or_string",
    "get_metric_class",
    "get_optimizer_class",
    "route_params",
    "try_to_convert_strings_to_classes",
    "unflatten_params",
)


def __getattr__(name):
    if name in _SCIKERAS_NAMES:
        return getattr(_scikeras(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _scikeras():
    # Only skcnn._engine asks for these names, and importing that package
    # brings TensorFlow and Keras up first (quietly, with the backend
    # checked), before scikeras imports them.
    from scikeras import _utils
    from scikeras.wrappers import BaseWrapper

    if "__sklearn_tags__" not in vars(BaseWrapper):
        # scikeras 0.13 declares its tags only through the `_more_tags` hook
        # that scikit-learn dropped in 1.6, and scikit-learn now rejects any
        # class in an estimator's MRO that defines `_more_tags` without
        # `__sklearn_tags__`. Give BaseWrapper the modern hook; it returns
        # what BaseWrapper already gets today (its parents' tags), so no
        # scikeras behaviour changes.
        def _base_wrapper_tags(self):
            return super(BaseWrapper, self).__sklearn_tags__()

        BaseWrapper.__sklearn_tags__ = _base_wrapper_tags
    names = {name: getattr(_utils, name, None) for name in _SCIKERAS_NAMES}
    names["BaseWrapper"] = BaseWrapper
    return SimpleNamespace(**names)


def gradient_registry():
    """TensorFlow's process-wide gradient registry as a dict, or None.

    TensorFlow offers no public way to drop a gradient registration, and
    every traced Keras training step leaves one behind that keeps the whole
    step graph alive (see :mod:`skcnn._engine.runtime`). None when a TensorFlow
    release has moved the registry: skcnn then leaves it alone.
    """
    try:
        from tensorflow.python.framework import ops

        registry = ops._gradient_registry._registry
    except (ImportError, AttributeError):
        return None
    return registry if isinstance(registry, dict) else None


@contextmanager
def keras_safe_mode():
    """Keras's safe mode on for the deserialisation inside this block.

    ``keras.saving.load_model(..., safe_mode=True)`` gives way to a
    process-wide ``keras.config.enable_unsafe_deserialization()``: Keras
    reads its private, per-thread ``SafeModeScope`` flag before the argument.
    :func:`skcnn.io.load` promises safe mode whatever the process set, so it
    sets that flag for its own thread while it loads a network (and restores
    it after). Without the private scope (a Keras that moved it), the
    argument alone applies.
    """
    try:
        from keras.src.saving.serialization_lib import SafeModeScope
    except ImportError:
        yield
        return
    with SafeModeScope(True):
        yield


_KERAS_SEEDS = threading.Lock()


@contextmanager
def private_keras_seeds(seed):
    """Keras's default seeds drawn from a generator of ``seed``, not Python's.

    Keras gives every initialiser and random layer built without a seed a
    default one drawn from Python's global ``random`` module (its private
    ``keras.src.random.seed_generator.python_random``), and has no public way
    to give it another generator. Building a Keras application or copying a
    user's model creates hundreds of such layers; their draws would advance
    the user's global random state. Inside this block they come from a
    private ``random.Random(seed)`` instead (one block at a time: the lock
    keeps concurrent fits from swapping generators under each other).
    """
    from keras.src.random import seed_generator

    with _KERAS_SEEDS:
        saved = seed_generator.python_random
        seed_generator.python_random = random.Random(seed)
        try:
            yield
        finally:
            seed_generator.python_random = saved


# Keras has no public way to run a model's graph with one node's output kept
# or one node left out. Saliency maps need both, in the same computation: the
# feature map of an inner layer (also inside a nested backbone), and the
# logits that the network's last activation turns into probabilities.
# Building new models from a network's inner tensors instead would append
# nodes to the fitted network's layers (Keras re-wires intermediate inputs),
# and a nested model's inner tensors are not those of the network's graph.


def inference_call(layer):
    """``layer``'s call in inference mode (``training=False`` where it takes it)."""
    from keras.src.models.functional import operation_fn

    return operation_fn(layer, training=False)


def run_graph(model, inputs, wrap):
    """Run a functional model's graph on ``inputs``, node by node, as its call does.

    Each node is computed by ``wrap(operation, call)(*args, **kwargs)``,
    where ``call`` is the operation's inference-mode call; ``wrap`` may
    record the output or compute something else instead. Keras models made
    with ``keras.Model(inputs, outputs)`` only.
    """
    return model._run_through_graph(
        inputs, operation_fn=lambda op: wrap(op, inference_call(op))
    )


def producing_layer(tensor):
    """The layer (or operation) whose call made the symbolic ``tensor``."""
    history = getattr(tensor, "_keras_history", None)
    return getattr(history, "operation", None)
