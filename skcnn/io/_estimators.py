"""What a model file keeps of each estimator after fit, and how it is restored.

skcnn's estimators each have a :class:`Schema`: the fitted attributes
stored as data, those stored as Keras networks, and the private state
rebuilt from them on loading (never stored). An attribute outside its
schema is an error at dump time, so that a new attribute cannot be left out
of a file unnoticed. Other scikit-learn estimators (the allow-listed
scikit-learn ones, or a class the caller trusts) keep every attribute
that is not a parameter, as data: their fitted state is arrays and numbers,
and whatever is not data is refused by the encoder.

A loaded estimator is built with ``cls(**params)``; its fitted attributes
are then put into its ``__dict__`` (no setter or property runs), and its
schema's ``restore`` rebuilds the rest.
"""

import re
import sys
from dataclasses import dataclass, field

from .._versions import remember_versions
from ..exceptions import ModelFileError

_PARAMETER = re.compile(r"^[A-Za-z]\w*$", re.ASCII)
_ATTRIBUTE = re.compile(r"^_?[A-Za-z](\w*[A-Za-z0-9])?_?$", re.ASCII)


@dataclass(frozen=True)
class Schema:
    """The fitted state of one class.

    Attributes
    ----------
    data : tuple of str
        Attributes stored as data (each optional: present when fitted).
    networks : tuple of str
        Attributes holding a ``keras.Model``, stored as ``.keras`` files.
    rebuilt : tuple of str
        Private attributes not stored: ``restore`` makes them again.
    restore : callable or None
        ``restore(estimator)`` after the stored attributes are set.
    """

    data: tuple = ()
    networks: tuple = ()
    rebuilt: tuple = ()
    restore: object = field(default=None, compare=False)


def _restore_classifier(estimator):
    """The label encoder, the compiled inference and the callbacks again."""
    if "model_" not in vars(estimator):
        return
    from .._engine.bridge import ClassifierLabelEncoder
    from .._engine.inference import InferenceFunction

    classes = estimator.classes_
    # The encoder learns the classes and nothing else: fitting it on them
    # gives the fitted encoder back (no pickle of it is needed).
    encoder = ClassifierLabelEncoder(loss=estimator.loss, categories="auto").fit(
        classes
    )
    if encoder.classes_.dtype != classes.dtype or list(encoder.classes_) != list(
        classes
    ):
        raise ModelFileError(f"the classes {classes!r:.200} are not sorted and unique")
    estimator.target_encoder_ = encoder
    estimator.classes_ = encoder.classes_
    estimator._random_state = None
    estimator._inference_function = InferenceFunction(
        estimator.model_, estimator.input_shape_
    )
    estimator._initialize_callbacks()


_FEATURES = ("n_features_in_", "feature_names_in_")

#: skcnn's estimators, by the class that defines them.
SCHEMAS = {
    "skcnn.ImageLoader": Schema(data=("color_mode_", "image_size_", "n_channels_")),
    "skcnn.ImageReshaper": Schema(data=(*_FEATURES, "image_shape_")),
    "skcnn.ImageResizer": Schema(data=(*_FEATURES, "image_size_")),
    "skcnn.PixelScaler": Schema(data=(*_FEATURES, "max_value_", "mean_", "std_")),
    "skcnn.ImageEmbedder": Schema(
        data=(*_FEATURES, "input_shape_", "pixel_range_", "_n_features_out"),
        networks=("_network",),
        # The compiled forward pass, made again on first use.
        rebuilt=("_inference",),
    ),
    "skcnn.CNNClassifier": Schema(
        data=(
            *_FEATURES,
            "input_shape_",
            "pixel_range_",
            "classes_",
            "n_classes_",
            "n_outputs_",
            "n_outputs_expected_",
            "history_",
        ),
        networks=("model_",),
        rebuilt=(
            "target_encoder_",
            "_inference_function",
            "_fit_callbacks",
            "_predict_callbacks",
            "_random_state",
        ),
        restore=_restore_classifier,
    ),
}


def is_estimator(value):
    from sklearn.base import BaseEstimator

    return isinstance(value, BaseEstimator)


def is_network(value):
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def schema_of(cls):
    """The schema of ``cls`` or of the skcnn class it derives from (None: generic)."""
    from ._trusted import public_name

    for base in cls.__mro__:
        if base.__module__.split(".")[0] != "skcnn":
            continue
        name = public_name(base)
        if name in SCHEMAS:
            return SCHEMAS[name]
    return None


def fitted_state(estimator, params, where):
    """The attributes of ``estimator`` to store, name -> (kind, value).

    All but the parameters and the rebuilt attributes; the kind is
    ``"data"``, ``"network"`` or, for an estimator without a schema,
    ``"generic"`` (see :func:`attribute_kind`).
    """
    schema = schema_of(type(estimator))
    state = {}
    for key, value in vars(estimator).items():
        if key in params:
            continue
        if schema is None:
            if key.startswith("__") or not _ATTRIBUTE.match(key):
                raise TypeError(
                    f"{where} has the attribute {key!r}, which a skcnn model "
                    "file cannot store; save with joblib.dump if the file will "
                    "only be loaded where you trust it."
                )
            state[key] = ("generic", value)
        elif key in schema.rebuilt:
            continue
        elif key in schema.networks:
            if not is_network(value):
                raise TypeError(f"{where} attribute {key!r} is not a keras.Model")
            state[key] = ("network", value)
        elif key in schema.data:
            state[key] = ("data", value)
        else:
            raise TypeError(
                f"{where} has the attribute {key!r}, which skcnn.io does not "
                "know how to store (it is not in the class's schema); save "
                "with joblib.dump if the file will only be loaded where you "
                "trust it."
            )
    return state


def attribute_kind(cls, key, where):
    """How a stored attribute ``key`` of ``cls`` is read.

    ``"data"`` (a schema's data: no estimator or network in it),
    ``"network"`` (one Keras network) or ``"generic"`` (an estimator
    without a schema: anything but a network).
    """
    schema = schema_of(cls)
    if schema is None:
        if key.startswith("__") or not _ATTRIBUTE.match(key):
            raise ModelFileError(f"{where}: {key!r:.80} is not an attribute name")
        return "generic"
    if key in schema.networks:
        return "network"
    if key in schema.data:
        return "data"
    raise ModelFileError(f"{where}: the attribute {key!r:.80} is not part of its state")


def build(cls, params, where):
    """``cls(**params)``, the parameters' names checked first."""
    from sklearn.base import BaseEstimator

    if not issubclass(cls, BaseEstimator):
        raise ModelFileError(f"{where}: {cls.__name__} is not a scikit-learn estimator")
    for key in params:
        if not _PARAMETER.match(key) or key.startswith("_"):
            raise ModelFileError(f"{where}: {key!r:.80} is not a parameter name")
    try:
        return cls(**params)
    except TypeError as exc:
        raise ModelFileError(
            f"{where}: the parameters do not fit the class: {exc}"
        ) from None


def restore(estimator, fitted, where, versions):
    """Set the stored attributes, then rebuild the private state.

    An estimator holding a network keeps the ``versions`` its file recorded,
    as one loaded from a pickle does (:func:`skcnn._versions.recorded_versions`).
    """
    schema = schema_of(type(estimator))
    params = estimator.get_params(deep=False)
    for key, value in fitted.items():
        if key in params:
            raise ModelFileError(
                f"{where}: {key!r} is a parameter, not a fitted attribute"
            )
        if schema is not None and key in schema.networks and not is_network(value):
            raise ModelFileError(f"{where}: the attribute {key!r} is not a network")
    vars(estimator).update(fitted)
    if schema is not None and any(key in fitted for key in schema.networks):
        remember_versions(estimator, versions)
    if schema is not None and schema.restore is not None:
        try:
            schema.restore(estimator)
        except ModelFileError:
            raise
        except (AttributeError, TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{where}: its fitted state is incomplete or inconsistent ({exc})"
            ) from None
