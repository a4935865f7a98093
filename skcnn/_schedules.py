"""Learning-rate schedules applied during a fit, as Keras callbacks.

A schedule runs over the epochs of one ``fit`` call, so that ``warm_start``
fits and ``partial_fit`` calls each get a whole cycle rather than the tail
of an earlier one. It sets the optimizer's learning rate before every
training batch; nothing of it is saved with the network.
"""

import math

from ._keras import keras

__all__ = ["OneCycleSchedule", "schedule_callbacks"]

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
