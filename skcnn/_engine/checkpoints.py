"""Checkpoints: the training state of a long fit kept on disk, to resume it.

With ``CNNClassifier(checkpoint=DIR)``, a fit writes its training state
every ``checkpoint_every`` epochs to ``DIR/<fingerprint>/state.npz``, where
the fingerprint (:func:`~skcnn._engine.fingerprint.fit_fingerprint`)
identifies the data, the hyperparameters and the starting point. A fit
started again with the same arguments finds that state, restores it and
trains only the epochs that remain; a seeded fit so resumed gives the
model the uninterrupted fit gives. A fit that completes removes its
folder; one that is interrupted (Ctrl-C, an error, a killed process)
leaves it for the next try. Fits of other fingerprints never touch it.

What the state holds, each part needed for an equal result:

* every variable of the network: weights, BatchNormalization statistics
  and the states of the layers' seed generators, so that dropout masks
  and augmentation draws go on where they stopped;
* the optimizer's variables: its step count, moments, loss scale;
* the run's position: the phase (1, or 2 for fine-tuning around a
  backbone), the epochs done and the logs of every epoch so far;
* the state of the run's callbacks that keep one: the one-cycle
  learning-rate schedule's origin, and early stopping's best value,
  patience count and best weights (Keras's ``EarlyStopping``, the
  estimator's or the user's);
* the fit's seed. The order of the batches and the validation hold-out
  need nothing more: both are drawn from the seed and the epoch.

Other callbacks of the user's start afresh on resuming. The state is
written as one ``.npz`` archive (no pickles) through
:mod:`skcnn._atomic`: a process killed while writing it leaves the
previous state whole. ``meta.json`` beside it says, for people and tools,
which epoch it holds. A state that cannot be read, or that does not fit
the network, is ignored with a warning and written over; a state that
cannot be written is warned about, and training goes on without it.

The last epoch of a run, and one after which early stopping ends the run,
is not saved: the run ends right after it (a resumed run always has
epochs left to train).
"""

import json
import shutil
import warnings
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from .._atomic import atomic_write, write_text
from .._versions import current_versions
from .fingerprint import fit_fingerprint
from .runtime import keras

__all__ = ["Checkpoint", "open_checkpoint"]

# Format of state.npz; a state of another format is not read.
_FORMAT = 1
STATE = "state.npz"
META = "meta.json"

# How many hexadecimal digits of the fingerprint name the folder.
_NAME_DIGITS = 32


def open_checkpoint(estimator, X, y, plan, *, reuse):
    """The :class:`Checkpoint` of a fit, or None when it keeps none.

    Called after the fit's plan is made and before the network is built.
    With ``random_state=None``, a fit resuming a checkpoint adopts its seed
    (``plan.seed`` is set), so that the network is built as it was.
    ``partial_fit`` calls, one epoch each, keep no checkpoint.
    """
    folder = getattr(estimator, "checkpoint", None)
    if folder is None or plan.partial:
        return None
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ValueError(
            f"checkpoint must be a folder (created if missing), got the file {folder}."
        )
    fingerprint = fit_fingerprint(estimator, X, y, plan, reuse=reuse)
    checkpoint = Checkpoint(
        folder / fingerprint[:_NAME_DIGITS],
        fingerprint,
        every=int(getattr(estimator, "checkpoint_every", 1)),
        verbose=int(getattr(estimator, "verbose", 0) or 0),
    )
    if checkpoint.saved is not None and estimator.random_state is None:
        plan.seed = int(checkpoint.saved["meta"]["seed"])
    checkpoint.seed = int(plan.seed)
    return checkpoint


class Checkpoint:
    """The checkpoint of one fit: its folder, and the state read from it.

    Parameters
    ----------
    folder : pathlib.Path
        ``DIR/<fingerprint>``; created at the first save.
    fingerprint : str
        The fit's fingerprint, recorded in the state and checked on reading.
    every : int
        Save after every ``every``-th epoch of a run.
    verbose : int
        Say when a fit resumes.

    Attributes
    ----------
    saved : dict or None
        ``{"meta": dict, "arrays": dict}`` read from the folder, until a
        run resumes from it; None when there is nothing to resume.
    seed : int
        The fit's seed, recorded in the state (set by :func:`open_checkpoint`).
    network : keras.Model
        The estimator's whole network, set once it is built: its variables
        are saved and restored, whichever model (the head) a run trains.
    before : dict of str to list
        The merged logs of the runs before the current one (phase 1's, in
        phase 2).
    """

    def __init__(self, folder, fingerprint, *, every, verbose):
        self.folder = Path(folder)
        self.fingerprint = fingerprint
        self.every = every
        self.verbose = verbose
        self.seed = None
        self.network = None
        self.before = {}
        self._write_failed = False
        self.saved = self._read()

    @property
    def saved_phase(self):
        """The phase the saved state was written in, or None."""
        return None if self.saved is None else int(self.saved["meta"]["phase"])

    def resumes_in(self, phase):
        """Whether the saved state resumes ``phase``, and fits the network."""
        return (
            self.saved_phase == phase
            and _layout(self.network.variables) == self.saved["meta"]["network"]
        )

    def _read(self):
        path = self.folder / STATE
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            meta = json.loads(str(arrays.pop("meta")))
            if meta.get("format") != _FORMAT or meta.get("fingerprint") != (
                self.fingerprint
            ):
                raise ValueError("it was written by another fit or format")
        # A truncated or damaged archive raises any of zipfile's, NumPy's or
        # json's errors; none of them may stop the fit.
        except Exception as error:
            self._ignore(f"it cannot be read ({error})")
            return None
        return {"meta": meta, "arrays": arrays}

    def _ignore(self, why):
        warnings.warn(
            f"Ignoring the checkpoint {self.folder / STATE}: {why}. The fit "
            "starts from the beginning and writes over it.",
            UserWarning,
            stacklevel=4,
        )

    def resume(self, trained, plan):
        """Restore the saved state of ``plan``'s run into the network.

        Returns None when there is nothing to resume for this run, else
        ``(epochs_done, logs, callback_states, best_weights)``.
        """
        saved = self.saved
        if saved is None or self.saved_phase != plan.phase:
            return None
        self.saved = None  # consumed: a later run of this fit starts afresh
        meta, arrays = saved["meta"], saved["arrays"]
        done = int(meta["epochs_done"])
        if int(meta["first_epoch"]) != plan.first_epoch or not 0 < done < plan.epochs:
            self._ignore("it does not match this run's epochs")
            return None
        optimizer = trained.optimizer
        if not optimizer.built:
            # Keras builds it on the first step, over the same variables.
            with _scope_of(trained):
                optimizer.build(trained.trainable_variables)
        variables = [*self.network.variables, *optimizer.variables]
        values = [*_numbered(arrays, "network"), *_numbered(arrays, "optimizer")]
        saved_layout = meta["network"] + meta["optimizer"]
        if _layout(variables) != saved_layout or len(values) != len(variables):
            self._ignore("its variables do not match this network's")
            return None
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)
        best = {
            int(index): _numbered(arrays, f"best{index}")
            for index, state in enumerate(meta["callbacks"])
            if state is not None and state.get("best_weights")
        }
        self.before = meta["before"]
        if self.verbose:
            phase = f" (phase {plan.phase})" if plan.phase != 1 else ""
            print(
                f"Resuming from the checkpoint {self.folder}: {done} of "
                f"{plan.epochs} epochs done{phase}."
            )
        return done, meta["logs"], meta["callbacks"], best

    def callback(self, plan, callbacks, resumed):
        """The Keras callback that saves this run's state; put it last."""
        return _Saver(self, plan, callbacks, resumed)

    def save(self, trained, plan, done, logs, callbacks):
        """Write the state after ``done`` epochs of ``plan``'s run."""
        states, best = _callback_states(callbacks)
        optimizer = trained.optimizer
        meta = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "seed": self.seed,
            "phase": plan.phase,
            "first_epoch": plan.first_epoch,
            "epochs": plan.epochs,
            "epochs_done": done,
            "logs": logs,
            "before": self.before,
            "callbacks": states,
            "network": _layout(self.network.variables),
            "optimizer": _layout(optimizer.variables),
            "versions": current_versions(),
        }
        arrays = {"meta": np.array(json.dumps(meta))}
        arrays.update(_numbering("network", self.network.variables))
        arrays.update(_numbering("optimizer", optimizer.variables))
        for index, weights in best.items():
            arrays.update(_numbering(f"best{index}", weights))
        summary = {
            "fingerprint": self.fingerprint,
            "phase": plan.phase,
            "epoch": plan.first_epoch + done,
            "epochs_done": done,
            "epochs": plan.epochs,
            "versions": meta["versions"],
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with atomic_write(self.folder / STATE) as out:
                np.savez(out, **arrays)
            write_text(self.folder / META, json.dumps(summary, indent=2) + "\n")
        except OSError as error:
            if not self._write_failed:
                self._write_failed = True
                warnings.warn(
                    f"Could not write the checkpoint in {self.folder} ({error}); "
                    "training goes on without it.",
                    UserWarning,
                    stacklevel=2,
                )

    def remove(self):
        """Remove the folder: the fit is complete."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _layout(variables):
    # Shapes and dtypes, in order: the paths hold names Keras makes unique
    # per process (seed_generator_4), which differ from one process to the next.
    return [[list(v.shape), str(v.dtype)] for v in variables]


def _numbering(prefix, values):
    return {f"{prefix}_{i}": np.asarray(value) for i, value in enumerate(values)}


def _numbered(arrays, prefix):
    values = []
    while f"{prefix}_{len(values)}" in arrays:
        values.append(arrays[f"{prefix}_{len(values)}"])
    return values


def _callback_states(callbacks):
    """The per-run state of each callback (None where it keeps none).

    Returns the JSON-able states and ``{index: best_weights}`` arrays.
    """
    states, best = [], {}
    for index, callback in enumerate(callbacks):
        if isinstance(callback, keras.callbacks.EarlyStopping):
            weights = callback.best_weights
            states.append(
                {
                    "kind": "early_stopping",
                    "wait": int(callback.wait),
                    "stopped_epoch": int(callback.stopped_epoch),
                    "best": None if callback.best is None else float(callback.best),
                    "best_epoch": int(getattr(callback, "best_epoch", 0)),
                    "best_weights": weights is not None,
                }
            )
            if weights is not None:
                best[index] = weights
        elif hasattr(callback, "checkpoint_state"):
            states.append({"kind": "own", "state": callback.checkpoint_state()})
        else:
            states.append(None)
    return states, best


def _restore_callback_states(callbacks, states, best):
    if len(states) != len(callbacks):
        return
    for index, (callback, state) in enumerate(zip(callbacks, states, strict=True)):
        if state is None:
            continue
        if state["kind"] == "early_stopping" and isinstance(
            callback, keras.callbacks.EarlyStopping
        ):
            callback.wait = state["wait"]
            callback.stopped_epoch = state["stopped_epoch"]
            callback.best = state["best"]
            callback.best_epoch = state["best_epoch"]
            callback.best_weights = best.get(index)
        elif state["kind"] == "own" and hasattr(callback, "restore_checkpoint_state"):
            callback.restore_checkpoint_state(state["state"])


class _Saver(keras.callbacks.Callback):
    """Saves the run's state every ``every`` epochs; restores its callbacks'.

    Put last among the run's callbacks: its ``on_train_begin`` then runs
    after theirs (which reset their state) and its ``on_epoch_end`` after
    early stopping has counted the epoch. It also keeps the logs of every
    epoch of the run, the restored ones included.
    """

    def __init__(self, checkpoint, plan, callbacks, resumed):
        super().__init__()
        self.checkpoint = checkpoint
        self.plan = plan
        self.callbacks = list(callbacks)
        done, logs, self._states, self._best = resumed or (0, {}, None, {})
        self.done = done
        self.logs = {key: list(values) for key, values in logs.items()}

    def on_train_begin(self, logs=None):
        if self._states is not None:
            _restore_callback_states(self.callbacks, self._states, self._best)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.logs.setdefault(key, []).append(float(value))
        self.done += 1
        if (
            self.model.stop_training
            or self.done >= self.plan.epochs
            or self.done % self.checkpoint.every
        ):
            return
        self.checkpoint.save(
            self.model, self.plan, self.done, self.logs, self.callbacks
        )

    def history(self):
        """A ``keras.callbacks.History`` of every epoch of the run so far."""
        history = keras.callbacks.History()
        history.history = {key: list(values) for key, values in self.logs.items()}
        return history


def _scope_of(model):
    """The model's distribution strategy scope (a no-op without one)."""
    strategy = getattr(model, "distribute_strategy", None)
    return nullcontext() if strategy is None else strategy.scope()
