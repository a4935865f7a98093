"""One Keras training run, and what it is trained with.

* :func:`train` runs ``Model.fit`` on what :func:`~skcnn._engine.data.fit_inputs`
  makes of the data, as the fit's :class:`~skcnn._engine.plan.FitPlan` says.
* Sample weights: ``class_weight`` is turned into per-sample weights here
  instead of being passed to Keras, so that it combines with
  ``sample_weight`` and works with any loss. Samples of weight zero are
  dropped, as scikit-learn estimators do.
* The loss: Keras's sparse categorical cross-entropy has no label
  smoothing, and its categorical one needs one-hot targets (which
  scikeras's label encoder makes for more than two classes only).
  :class:`SmoothedSparseCrossentropy` takes the integer labels skcnn trains
  on, for any number of classes, and smooths them on the fly.
* Learning-rate schedules, as Keras callbacks. A schedule runs over the
  epochs of one ``fit`` call, so that ``warm_start`` fits and
  ``partial_fit`` calls each get a whole cycle rather than the tail of an
  earlier one. It sets the optimizer's learning rate before every training
  batch; nothing of it is saved with the network (a checkpoint keeps its
  position, see :mod:`skcnn._engine.checkpoints`).
"""

import math
from dataclasses import replace

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

from .._compat import _check_sample_weight
from .data import fit_inputs
from .runtime import keras, tf

__all__ = [
    "OneCycleSchedule",
    "SmoothedSparseCrossentropy",
    "drop_zero_weights",
    "fit_sample_weight",
    "schedule_callbacks",
    "train",
]

# Arguments skcnn sets itself for every Model.fit call.
_SET_HERE = (
    "batch_size",
    "epochs",
    "initial_epoch",
    "sample_weight",
    "shuffle",
    "steps_per_epoch",
    "validation_data",
    "validation_split",
)


def train(model, X, y, plan, callbacks):
    """Train ``model`` on ``X`` and ``y`` as ``plan`` says.

    Parameters
    ----------
    model : keras.Model
        A compiled network.
    X, y : ndarray
        Validated images and encoded labels.
    plan : FitPlan
        The fit's plan: epochs, sample weights, routed fit arguments, seeds.
        With a ``checkpoint``, the run resumes from the state it saved, if
        any, and saves its state as it goes.
    callbacks : list of keras.callbacks.Callback
        All the callbacks of this run.

    Returns
    -------
    logs : dict of str to list
        Keras's per-epoch history of this run (restored epochs included).
    """
    run, saver = plan, None
    if plan.checkpoint is not None:
        # A resumed run trains the epochs that remain, from the restored
        # state; the batches of each epoch are keyed by the epoch's index.
        resumed = plan.checkpoint.resume(model, plan)
        if resumed is not None:
            done = resumed[0]
            run = replace(
                plan, first_epoch=plan.first_epoch + done, epochs=plan.epochs - done
            )
        saver = plan.checkpoint.callback(plan, callbacks, resumed)
        callbacks = [*callbacks, saver]
    errors = []
    dataset, steps_per_epoch, validation_data = fit_inputs(X, y, run, errors)
    fit_args = {k: v for k, v in plan.fit_args.items() if k not in _SET_HERE}
    if validation_data is not None:
        fit_args["validation_data"] = validation_data
        fit_args.setdefault("validation_batch_size", plan.batch_size)
    try:
        history = model.fit(
            dataset,
            epochs=run.first_epoch + run.epochs,
            initial_epoch=run.first_epoch,
            steps_per_epoch=steps_per_epoch,
            shuffle=False,  # the dataset is shuffled already, by the fit's seed
            callbacks=callbacks,
            **fit_args,
        )
    except KeyboardInterrupt:
        if saver is not None:
            # Every epoch of the run, the restored ones included, for the
            # estimator to keep.
            model.history = saver.history()
        raise
    except tf.errors.OpError:
        if errors:
            # The decoder's own error (an OSError naming the file), not
            # TensorFlow's report of it.
            raise errors[0] from None
        raise
    return history.history if saver is None else saver.history().history


def fit_sample_weight(X, y, sample_weight, class_weight):
    """Sample weights times class weights as float32, or None when neither is set."""
    if sample_weight is None and class_weight is None:
        return None
    weights = _check_sample_weight(sample_weight, X, dtype=np.float32)
    if class_weight is not None:
        weights = weights * compute_sample_weight(class_weight, y).astype(np.float32)
    return weights


def drop_zero_weights(X, y, sample_weight):
    """``X``, ``y`` and the weights without the samples of weight zero."""
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative.")
    keep = sample_weight != 0
    if not keep.any():
        raise ValueError("All sample weights are zero: there is nothing to train on.")
    if keep.all():
        return X, y, sample_weight
    return X[keep], y[keep], sample_weight[keep]


@keras.saving.register_keras_serializable(package="skcnn")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Categorical cross-entropy of integer labels, with label smoothing.

    Parameters
    ----------
    label_smoothing : float, default=0.1
        Probability spread evenly over all classes in each target.
    name : str, default="smoothed_sparse_crossentropy"
        Name of the loss.
    """

    def __init__(
        self, label_smoothing=0.1, name="smoothed_sparse_crossentropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        ops = keras.ops
        n_classes = ops.shape(y_pred)[-1]
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        one_hot = ops.one_hot(labels, n_classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


# Share of the steps spent warming up, and the start and end of the cycle
# as fractions of the peak rate.
_WARMUP = 0.1
_START = 0.1
_END = 1e-4


class OneCycleSchedule(keras.callbacks.Callback):
    """Linear warm-up to the peak rate, then a cosine decay to almost zero.

    Parameters
    ----------
    peak : float
        Largest learning rate, reached after the first 10 % of the steps.
    steps_per_epoch : int
        Training batches per epoch.
    epochs : int
        Epochs of the fit the cycle spans.
    """

    def __init__(self, peak, steps_per_epoch, epochs):
        super().__init__()
        self.peak = float(peak)
        self.steps_per_epoch = int(steps_per_epoch)
        self.total = max(1, self.steps_per_epoch * int(epochs))
        self._epoch = 0

    def rate(self, step):
        """The learning rate at training step ``step`` of the cycle."""
        warmup = max(1.0, _WARMUP * self.total)
        if step < warmup:
            return self.peak * (_START + (1 - _START) * step / warmup)
        progress = min(1.0, (step - warmup) / max(1.0, self.total - warmup))
        end = self.peak * _END
        return end + (self.peak - end) * 0.5 * (1 + math.cos(math.pi * progress))

    def on_train_begin(self, logs=None):
        self._first_epoch = None

    def checkpoint_state(self):
        """The run's position, kept by a checkpoint: the cycle's first epoch."""
        return {"first_epoch": self._first_epoch}

    def restore_checkpoint_state(self, state):
        """Continue the cycle of a run resumed from a checkpoint."""
        self._first_epoch = state["first_epoch"]

    def on_epoch_begin(self, epoch, logs=None):
        if self._first_epoch is None:
            self._first_epoch = epoch
        self._epoch = epoch - self._first_epoch

    def on_train_batch_begin(self, batch, logs=None):
        step = self._epoch * self.steps_per_epoch + batch
        self.model.optimizer.learning_rate = self.rate(step)


def schedule_callbacks(schedule, peak, n_samples, batch_size, epochs):
    """Callbacks that apply ``schedule`` (``"constant"`` or ``"one_cycle"``)."""
    if schedule == "constant":
        return []
    steps_per_epoch = math.ceil(n_samples / batch_size)
    return [OneCycleSchedule(peak, steps_per_epoch, epochs)]
