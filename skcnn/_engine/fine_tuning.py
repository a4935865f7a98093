"""Training a network around a pretrained backbone, in two phases.

Phase 1 trains the head (the layers after the ``"features"`` pooling layer)
with the backbone frozen. Phase 2, when asked for, unfreezes the top of the
backbone in whole blocks (:func:`~skcnn._engine.freezing.unfreeze_top`)
and trains the whole network at a lower learning rate. Each phase is one
:func:`~skcnn._engine.training.train` run of its own: the network is
compiled again (a fresh optimizer over the variables that now train) and
the learning-rate schedule and early stopping restart, while the epochs
are numbered on from the first phase. BatchNormalization layers of the
backbone stay in inference mode in both phases. A fit resumed from a
checkpoint saved in phase 2 skips phase 1: its result is in the state.

When the backbone is frozen and the network sees every image the same way
in every epoch (no augmentation, no callback of the user's that would see
a different model), phase 1 computes the backbone's features once and
trains the head on them: one forward pass through the backbone per fit
instead of one per epoch.
"""

from dataclasses import replace

import numpy as np

from .freezing import freeze, unfreeze_top
from .inference import InferenceFunction
from .runtime import keras
from .training import train

__all__ = ["head_network", "train_in_phases"]


def head_network(model):
    """The extractor (images → features) and head (features → classes) of ``model``.

    Both share their layers, and so their weights, with ``model``.
    """
    features = model.get_layer("features")
    extractor = keras.Model(model.inputs, features.output, name="extractor")
    names = [layer.name for layer in model.layers]
    inputs = keras.Input(shape=tuple(features.output.shape[1:]), name="features")
    x = inputs
    for layer in model.layers[names.index("features") + 1 :]:
        x = layer(x)
    return extractor, keras.Model(inputs, x, name="head")


def _phase_logs(logs, phase):
    return {**logs, "phase": [phase] * len(logs.get("loss", []))}


def _merged(first, second):
    return {key: first.get(key, []) + second.get(key, []) for key in {*first, *second}}


class _History:
    """What ``Model.history`` holds after a fit: the per-epoch ``history``."""

    def __init__(self, history):
        self.history = history


def _run(model, trained, X, y, plan, callbacks, phase, before):
    """One phase's :func:`train` run of ``trained``; its logs merged on ``before``.

    After Ctrl-C, ``model.history`` holds every epoch completed in both
    phases, where the estimator looks for the epochs to keep.
    """
    try:
        logs = train(trained, X, y, plan, callbacks)
    except KeyboardInterrupt:
        done = getattr(getattr(trained, "history", None), "history", {})
        model.history = _History(_merged(before, _phase_logs(done, phase)))
        raise
    return _merged(before, _phase_logs(logs, phase))


def train_in_phases(
    model,
    X,
    y,
    plan,
    *,
    callbacks,
    compile_for,
    phase_callbacks,
    fine_tune,
    fine_tune_epochs,
    block_patterns,
    cache_features,
):
    """Train ``model`` in one or two phases; return the merged per-epoch logs.

    Parameters
    ----------
    model : keras.Model
        A network built by :func:`~skcnn.architectures.build_transfer_cnn`.
    X, y : ndarray
        Validated images and encoded labels.
    plan : FitPlan
        The fit's plan; its ``epochs`` and ``callbacks`` are phase 1's.
    callbacks : list of keras.callbacks.Callback
        The user's callbacks, used in both phases.
    compile_for : callable
        ``compile_for(model, learning_rate)`` compiles a model for a phase
        (None: the estimator's own rate).
    phase_callbacks : callable
        ``phase_callbacks(epochs)``: the estimator's callbacks (schedule,
        early stopping) for a phase 2 of ``epochs`` epochs.
    fine_tune : float
        Fraction of the backbone's layers phase 2 unfreezes; 0 skips it.
    fine_tune_epochs : int
        Epochs of phase 2.
    block_patterns : tuple of str
        Patterns that group the backbone's layers into blocks.
    cache_features : bool
        Whether phase 1 may train the head on features computed once.

    Returns
    -------
    logs : dict of str to list
        Keras's history of both phases, one after the other, with a
        ``"phase"`` entry (1 or 2) per epoch.
    """
    backbone = model.get_layer("backbone")
    freeze(backbone)
    checkpoint = plan.checkpoint
    fine_tunes = bool(fine_tune) and not plan.partial
    if fine_tunes and checkpoint is not None and checkpoint.resumes_in(2):
        # Resuming in phase 2: phase 1's weights are in the saved state.
        logs = checkpoint.saved["meta"]["before"]
    elif cache_features:
        extractor, head = head_network(model)
        features = InferenceFunction(extractor, tuple(X.shape[1:]))(X, plan.batch_size)
        compile_for(head, None)
        features = np.ascontiguousarray(features)
        logs = _run(model, head, features, y, plan, callbacks + plan.callbacks, 1, {})
        compile_for(model, None)
    else:
        compile_for(model, None)
        logs = _run(model, model, X, y, plan, callbacks + plan.callbacks, 1, {})
    if not fine_tunes:
        return logs
    unfreeze_top(backbone, fine_tune, block_patterns)
    compile_for(model, "fine_tune")
    second = replace(
        plan,
        first_epoch=plan.first_epoch + len(logs["loss"]),
        epochs=int(fine_tune_epochs),
        callbacks=phase_callbacks(int(fine_tune_epochs)),
        phase=2,
    )
    if checkpoint is not None:
        checkpoint.before = logs
    return _run(model, model, X, y, second, callbacks + second.callbacks, 2, logs)
