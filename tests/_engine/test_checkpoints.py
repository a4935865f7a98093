"""Checkpoints: a fit interrupted after a save resumes to the uninterrupted result.

An interruption is simulated in the process: ``Checkpoint.save`` is wrapped
so that Ctrl-C (KeyboardInterrupt) lands right after the state of a chosen
epoch is written. Killed processes are tested in
``tests/test_checkpoint_faults.py``.
"""

import json
import os
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from skcnn._compat import InvalidParameterError
from skcnn._engine import checkpoints
from skcnn._engine.fingerprint import fit_fingerprint
from skcnn._engine.plan import FitPlan
from tests._helpers import small_cnn

# Dropout, augmentation, a validation hold-out, early stopping and the
# one-cycle schedule: every piece of state a resumed fit must restore.
PARAMS = dict(
    filters=(4,),
    dense_units=16,
    dropout=0.25,
    shift=0.1,
    epochs=4,
    validation_split=0.2,
    early_stopping=3,
)


def _cnn(**params):
    return small_cnn(**{**PARAMS, **params})


def _interrupt_after(monkeypatch, epochs_done, phase=1):
    """Make Ctrl-C land right after the save of ``epochs_done`` epochs."""
    save = checkpoints.Checkpoint.save

    def save_then_interrupt(self, trained, plan, done, logs, callbacks):
        save(self, trained, plan, done, logs, callbacks)
        if done == epochs_done and plan.phase == phase:
            raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints.Checkpoint, "save", save_then_interrupt)


def _interrupted_fit(monkeypatch, estimator, X, y, epochs_done, phase=1):
    with monkeypatch.context() as patch:
        _interrupt_after(patch, epochs_done, phase)
        with pytest.warns(UserWarning, match="checkpoint stays in"):
            with pytest.raises(KeyboardInterrupt):
                estimator.fit(X, y)


def _state(folder):
    """The one fit's subfolder of ``folder``, its files and its meta.json."""
    (sub,) = folder.iterdir()
    return (
        sub,
        sorted(p.name for p in sub.iterdir()),
        json.loads((sub / "meta.json").read_text()),
    )


@pytest.fixture(scope="module")
def data(digits_scaled):
    X, y = digits_scaled
    return X[:200], y[:200]


@pytest.fixture(scope="module")
def reference(data):
    """The uninterrupted fit, without a checkpoint."""
    return _cnn().fit(*data)


@pytest.fixture(scope="module")
def resumed(data, tmp_path_factory):
    """A fit interrupted after 2 epochs (saved every 2), then fitted again."""
    folder = tmp_path_factory.mktemp("checkpoints")
    with pytest.MonkeyPatch.context() as monkeypatch:
        interrupted = _cnn(checkpoint=str(folder), checkpoint_every=2)
        _interrupted_fit(monkeypatch, interrupted, *data, epochs_done=2)
    left = _state(folder)
    # Saving every epoch from now on: the fingerprint does not depend on it.
    estimator = _cnn(checkpoint=folder, checkpoint_every=1, verbose=2)
    from contextlib import redirect_stdout
    from io import StringIO

    printed = StringIO()
    with redirect_stdout(printed):
        estimator.fit(*data)
    return estimator, interrupted, left, printed.getvalue(), folder


def test_the_interrupted_fit_left_its_state(resumed, reference):
    _, interrupted, (sub, files, meta), _, _ = resumed
    assert files == ["meta.json", "state.npz"]
    assert len(sub.name) == 32
    assert meta["epoch"] == 2 and meta["epochs_done"] == 2 and meta["phase"] == 1
    assert sub.name == meta["fingerprint"][:32]
    # Ctrl-C keeps the epochs done, as without a checkpoint.
    assert interrupted.history_["loss"] == reference.history_["loss"][:2]


def test_a_resumed_fit_trains_the_remaining_epochs_only(resumed):
    printed = resumed[3]
    assert "Resuming from the checkpoint" in printed
    assert "2 of 4 epochs done" in printed
    assert "Epoch 1/4" not in printed and "Epoch 2/4" not in printed
    assert "Epoch 3/4" in printed and "Epoch 4/4" in printed


def test_a_resumed_fit_equals_the_uninterrupted_fit(resumed, reference, data):
    estimator = resumed[0]
    X, _ = data
    assert estimator.history_ == reference.history_
    np.testing.assert_array_equal(
        estimator.predict_proba(X), reference.predict_proba(X)
    )


def test_a_completed_fit_removes_its_checkpoint(resumed):
    folder = resumed[4]
    assert list(folder.iterdir()) == []


def test_early_stopping_state_is_restored(monkeypatch, tmp_path, data):
    # At a rate this high the validation loss soon rises: early stopping
    # ends the fit an epoch after the best one. Resumed right after the best
    # epoch, a fit that lost early stopping's best value and weights would
    # take the next epoch for the best and go on.
    params = dict(
        learning_rate=0.1,
        learning_rate_schedule="constant",
        early_stopping=1,
        epochs=8,
    )
    reference = _cnn(**params).fit(*data)
    losses = reference.history_["val_loss"]
    assert len(losses) < 8, "early stopping should end the reference fit"
    best = int(np.argmin(losses))
    estimator = _cnn(**params, checkpoint=tmp_path)
    _interrupted_fit(monkeypatch, estimator, *data, epochs_done=best + 1)
    resumed = _cnn(**params, checkpoint=tmp_path).fit(*data)
    assert resumed.history_ == reference.history_
    X, _ = data
    np.testing.assert_array_equal(resumed.predict_proba(X), reference.predict_proba(X))


def test_an_unreadable_checkpoint_is_ignored(monkeypatch, tmp_path, data, reference):
    estimator = _cnn(checkpoint=tmp_path)
    _interrupted_fit(monkeypatch, estimator, *data, epochs_done=1)
    sub, _, _ = _state(tmp_path)
    state = sub / "state.npz"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    with pytest.warns(UserWarning, match="Ignoring the checkpoint .* cannot be read"):
        again = _cnn(checkpoint=tmp_path).fit(*data)
    assert again.history_ == reference.history_
    assert list(tmp_path.iterdir()) == []


def test_another_fit_never_takes_a_checkpoint(monkeypatch, tmp_path, data):
    _interrupted_fit(monkeypatch, _cnn(checkpoint=tmp_path), *data, epochs_done=1)
    (first,) = tmp_path.iterdir()
    X, y = data
    resumes = []
    resume = checkpoints.Checkpoint.resume

    def spy(self, trained, plan):
        resumed = resume(self, trained, plan)
        resumes.append(resumed)
        return resumed

    monkeypatch.setattr(checkpoints.Checkpoint, "resume", spy)
    # Other data (other hyperparameters: see the fingerprint's test): a fit
    # of its own, from scratch.
    _cnn(checkpoint=tmp_path).fit(X[:150], y[:150])
    assert resumes == [None]
    assert list(tmp_path.iterdir()) == [first]  # theirs removed, its own kept


@pytest.mark.slow
def test_random_state_none_resumes_with_the_checkpoints_seed(
    monkeypatch, tmp_path, data
):
    params = dict(epochs=3, validation_split=0.0, early_stopping=None)
    _interrupted_fit(
        monkeypatch,
        _cnn(**params, random_state=None, checkpoint=tmp_path),
        *data,
        epochs_done=1,
    )
    sub, _, _ = _state(tmp_path)
    with np.load(sub / "state.npz") as archive:
        seed = json.loads(str(archive["meta"]))["seed"]
    resumed = _cnn(**params, random_state=None, checkpoint=tmp_path).fit(*data)
    reference = _cnn(**params, random_state=seed).fit(*data)
    assert resumed.history_ == reference.history_


@pytest.mark.slow
def test_a_warm_start_fit_resumes_from_its_own_start(monkeypatch, tmp_path, data):
    params = dict(epochs=3, validation_split=0.0, early_stopping=None)
    first = pickle.dumps(_cnn(**params).fit(*data))
    reference = pickle.loads(first).set_params(warm_start=True).fit(*data)
    interrupted = pickle.loads(first).set_params(warm_start=True, checkpoint=tmp_path)
    _interrupted_fit(monkeypatch, interrupted, *data, epochs_done=1)
    # A network with other weights does not take that state.
    plan = FitPlan(seed=0, epochs=3)
    assert fit_fingerprint(interrupted, *data, plan, reuse=True) != fit_fingerprint(
        pickle.loads(first), *data, plan, reuse=True
    )
    resumed = pickle.loads(first).set_params(warm_start=True, checkpoint=tmp_path)
    resumed.fit(*data)
    assert resumed.history_ == reference.history_
    X, _ = data
    np.testing.assert_array_equal(resumed.predict_proba(X), reference.predict_proba(X))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_backbone_fit_resumes_in_either_phase(
    monkeypatch, tmp_path, data, pretrained_cnn
):
    # No augmentation: phase 1 trains the head on features computed once.
    params = dict(
        backbone=FrozenEstimator(pretrained_cnn),
        dense_units=16,
        epochs=3,
        fine_tune=1.0,
        fine_tune_epochs=3,
        shift=0.0,
        validation_split=0.0,
        early_stopping=None,
    )
    reference = small_cnn(**params).fit(*data)
    assert reference.history_["phase"] == [1, 1, 1, 2, 2, 2]
    _interrupted_fit(
        monkeypatch, small_cnn(**params, checkpoint=tmp_path), *data, epochs_done=1
    )
    # Resumed in phase 1, interrupted again in phase 2, resumed there.
    _interrupted_fit(
        monkeypatch,
        small_cnn(**params, checkpoint=tmp_path),
        *data,
        epochs_done=1,
        phase=2,
    )
    assert _state(tmp_path)[2]["phase"] == 2
    resumed = small_cnn(**params, checkpoint=tmp_path).fit(*data)
    assert resumed.history_ == reference.history_
    X, _ = data
    np.testing.assert_array_equal(resumed.predict_proba(X), reference.predict_proba(X))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_warns_and_training_goes_on(monkeypatch, tmp_path, data):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(checkpoints, "atomic_write", refuse)
    with pytest.warns(UserWarning, match="Could not write the checkpoint") as record:
        estimator = _cnn(checkpoint=tmp_path, epochs=3).fit(*data)
    assert len([w for w in record if "Could not write" in str(w.message)]) == 1
    assert len(estimator.history_["loss"]) == 3


def test_partial_fit_keeps_no_checkpoint(tmp_path, data):
    _cnn(checkpoint=tmp_path).partial_fit(*data, classes=np.arange(10))
    assert list(tmp_path.iterdir()) == []


def test_fingerprints_tell_fits_apart(data):
    X, y = data
    X = X.reshape(-1, 8, 8, 1)
    estimator = _cnn(checkpoint="somewhere")

    def fingerprint(estimator=estimator, X=X, y=y, **plan):
        plan = FitPlan(**{"seed": 0, "epochs": 4, **plan})
        return fit_fingerprint(estimator, X, y, plan, reuse=False)

    base = fingerprint()
    assert len(base) == 64 and base == fingerprint(clone(estimator))
    # What decides nothing the fit computes leaves it alone...
    quiet = clone(estimator).set_params(verbose=2, checkpoint_every=3, checkpoint=".")
    assert fingerprint(quiet) == base
    # ...anything else changes it.
    changed = [
        fingerprint(clone(estimator).set_params(dropout=0.5)),
        fingerprint(clone(estimator).set_params(optimizer__beta_1=0.8)),
        fingerprint(X=X[::-1]),
        fingerprint(X=np.asfortranarray(X[:, :, ::-1])),
        fingerprint(y=np.where(y == 0, 1, y)),
        fingerprint(sample_weight=np.ones(len(y), np.float32)),
        fingerprint(seed=1),
        fingerprint(epochs=5),
        fingerprint(fit_args={"shuffle": False}),
    ]
    assert len({base, *changed}) == len(changed) + 1
    # A non-contiguous array hashes as its contiguous copy.
    flipped = X[:, :, ::-1]
    assert fingerprint(X=flipped) == fingerprint(X=np.ascontiguousarray(flipped))


def test_random_state_none_leaves_the_seed_out(data):
    X, y = data
    estimator = _cnn(random_state=None)
    first, second = (
        fit_fingerprint(estimator, X, y, FitPlan(seed=seed, epochs=4), reuse=False)
        for seed in (1, 2)
    )
    assert first == second


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(checkpoint=5), "checkpoint"),
        (dict(checkpoint_every=0), "checkpoint_every"),
    ],
)
def test_bad_checkpoint_parameters(params, match, data):
    with pytest.raises(InvalidParameterError, match=match):
        _cnn(**params).fit(*data)


def test_a_checkpoint_file_is_refused(tmp_path, data):
    path = tmp_path / "taken"
    path.write_text("")
    with pytest.raises(ValueError, match=f"must be a folder .*got the file {path}"):
        _cnn(checkpoint=path).fit(*data)
    assert os.listdir(tmp_path) == ["taken"]
