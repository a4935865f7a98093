"""The plan of one fit: what it trains, for how long, and its seeds.

A :class:`FitPlan` is made at the start of every ``fit``, ``partial_fit``
and ``initialize`` call and passed through validation, the build of the
network and training, so that the state of a fit is one object a reader can
follow instead of attributes left on the estimator.

Seeds are drawn from the estimator's own ``random_state``. A fit never
seeds or reads a process-wide generator (Python's, NumPy's, TensorFlow's
or Keras's global seed) and never switches TensorFlow's op determinism,
not even for a moment: other threads of the process may be fitting at the
same time. Instead every random draw of a fit gets its own
seed, derived from one integer per fit:

* the network's layers (initial weights, dropout masks, augmentation) get
  per-layer seeds, see :func:`skcnn.architectures.build_cnn`;
* the stratified validation hold-out draws from a NumPy ``RandomState``;
* the order of the training samples in each epoch comes from a stateless
  TensorFlow shuffle keyed by ``(seed, epoch)``.

``random_state`` follows scikit-learn's glossary: an int gives the same fit
every time, a ``RandomState`` instance is advanced by one draw per fit (so
successive fits differ, reproducibly), and None draws fresh entropy from the
operating system for every fit.
"""

import numbers
from dataclasses import dataclass, field

import numpy as np

__all__ = ["FitPlan", "derive_seed", "draw_fit_seed", "split_generator"]

# Largest seed Keras layers and TensorFlow's stateless ops take everywhere.
_MAX_SEED = 2**31 - 1

# One stream per purpose, so that adding a random draw somewhere does not
# change the others.
_PURPOSES = {"network": 0, "validation_split": 1, "shuffle": 2}


def draw_fit_seed(random_state):
    """The integer seed of one fit, from a ``random_state`` parameter.

    Parameters
    ----------
    random_state : int, numpy.random.RandomState or None
        An int is used as it is; a ``RandomState`` gives one draw (it
        advances); None gives a seed from fresh operating-system entropy,
        without touching any global generator.

    Returns
    -------
    seed : int
        A seed in ``[0, 2**31 - 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcnn._engine.plan import draw_fit_seed
    >>> draw_fit_seed(7)
    7
    >>> rng = np.random.RandomState(0)
    >>> draw_fit_seed(rng) != draw_fit_seed(rng)
    True
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] % _MAX_SEED)
    if isinstance(random_state, numbers.Integral) and not isinstance(
        random_state, bool
    ):
        return int(random_state) % _MAX_SEED
    if isinstance(random_state, np.random.RandomState):
        # RandomState serialises its draws with a lock, so two estimators
        # sharing one instance in two threads each get a valid, distinct draw.
        return int(random_state.randint(_MAX_SEED))
    raise ValueError(
        "random_state must be an int, a numpy.random.RandomState instance or "
        f"None, got {random_state!r}."
    )


def derive_seed(seed, purpose):
    """An independent seed for one ``purpose`` of a fit seeded with ``seed``.

    ``purpose`` is one of ``"network"``, ``"validation_split"`` and
    ``"shuffle"``.
    """
    sequence = np.random.SeedSequence([int(seed), _PURPOSES[purpose]])
    return int(sequence.generate_state(1)[0] % _MAX_SEED)


def split_generator(seed):
    """A NumPy ``RandomState`` for the validation hold-out of a fit."""
    return np.random.RandomState(derive_seed(seed, "validation_split"))


@dataclass
class FitPlan:
    """What one fit call does, decided before TensorFlow sees any data.

    Parameters
    ----------
    seed : int
        The fit's seed (:func:`draw_fit_seed`); the network, the validation
        hold-out and the batch order derive their own from it.
    reuse : bool
        Whether the fit continues from the current weights (``warm_start``
        or ``partial_fit``) instead of building a new network.
    first_epoch : int
        Index of the first epoch trained.
    epochs : int or "auto"
        Epochs to train; ``"auto"`` until the data are known.
    classes : ndarray or None
        All the classes (``partial_fit(classes=...)``); None means the
        classes found in ``y``.
    partial : bool
        Whether this is a ``partial_fit`` call (one epoch; with a backbone,
        of the head alone).
    sample_weight : ndarray or None
        Per-sample weights (class weights included) of the training samples.
    fit_args : dict
        ``Model.fit`` arguments from routed ``fit__*`` parameters and
        ``fit(**kwargs)``: ``batch_size``, ``validation_split``, ...
    callbacks : list of keras.callbacks.Callback
        The estimator's own callbacks for this run (learning-rate schedule,
        early stopping), besides the user's.
    phase : int
        Which training run of the fit this is: 1, or 2 for the fine-tuning
        phase around a backbone.
    checkpoint : Checkpoint or None
        Where the fit keeps its training state
        (:class:`~skcnn._engine.checkpoints.Checkpoint`), or None.
    """

    seed: int
    reuse: bool = False
    first_epoch: int = 0
    epochs: object = 1
    classes: object = None
    partial: bool = False
    sample_weight: object = None
    fit_args: dict = field(default_factory=dict)
    callbacks: list = field(default_factory=list)
    phase: int = 1
    checkpoint: object = None

    @property
    def network_seed(self):
        """Seed of the network's layers (weights, dropout, augmentation)."""
        return derive_seed(self.seed, "network")

    @property
    def shuffle_seed(self):
        """Seed of the order of the training samples in each epoch."""
        return derive_seed(self.seed, "shuffle")

    @property
    def batch_size(self):
        """Training batch size."""
        return int(self.fit_args.get("batch_size") or 32)

    @property
    def validates(self):
        """Whether the fit reports validation metrics (``val_loss``, ...)."""
        return bool(
            self.validation_fraction or self.fit_args.get("validation_data") is not None
        )

    @property
    def validation_fraction(self):
        """Fraction of the samples held out for validation (0: none)."""
        if self.fit_args.get("validation_data") is not None:
            return 0.0
        return float(self.fit_args.get("validation_split") or 0.0)
