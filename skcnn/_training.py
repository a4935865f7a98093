"""One Keras training run on validated arrays, seeded by the fit's seed.

Turns the routed ``Model.fit`` arguments into what skcnn feeds Keras: the
stratified ``validation_split`` hold-out (instead of Keras's tail split),
validation images shared with TensorFlow without a copy, and the training
batches in an order drawn from the fit's seed (instead of TensorFlow's
global random state).
"""

from ._seeding import derive_seed, split_generator
from ._tensors import as_tensor, training_dataset
from ._validation_split import validation_split

__all__ = ["train"]

# Arguments skcnn sets itself for every Model.fit call.
_SET_HERE = ("sample_weight", "epochs", "initial_epoch", "steps_per_epoch")


def train(
    model, X, y, sample_weight, *, fit_args, callbacks, seed, first_epoch, epochs
):
    """Train ``model`` for ``epochs`` epochs from ``first_epoch``.

    Parameters
    ----------
    model : keras.Model
        A compiled network.
    X, y, sample_weight : ndarray
        Validated images, encoded labels and weights (or None).
    fit_args : dict
        Routed ``Model.fit`` arguments (``batch_size``, ``shuffle``,
        ``validation_split``, ``validation_data``, ``verbose``, ...).
    callbacks : list of keras.callbacks.Callback
        Callbacks for this run.
    seed : int
        The fit's seed (see :mod:`skcnn._seeding`).
    first_epoch, epochs : int
        Index of the first epoch and number of epochs to train.

    Returns
    -------
    logs : dict of str to list
        Keras's per-epoch history of this run.
    """
    fit_args = {k: v for k, v in fit_args.items() if k not in _SET_HERE}
    batch_size = int(fit_args.pop("batch_size", None) or 32)
    shuffle = bool(fit_args.pop("shuffle", True))
    fraction = fit_args.pop("validation_split", 0.0)
    if fraction and fit_args.get("validation_data") is None:
        X, y, sample_weight, fit_args["validation_data"] = validation_split(
            X, y, sample_weight, fraction, split_generator(seed)
        )
    if isinstance(fit_args.get("validation_data"), tuple):
        images, *rest = fit_args["validation_data"]
        fit_args["validation_data"] = (as_tensor(images), *rest)
        fit_args.setdefault("validation_batch_size", batch_size)
    dataset, steps_per_epoch = training_dataset(
        X,
        y,
        sample_weight,
        batch_size=batch_size,
        seed=derive_seed(seed, "shuffle"),
        first_epoch=first_epoch,
        n_epochs=epochs,
        shuffle=shuffle,
    )
    history = model.fit(
        dataset,
        epochs=first_epoch + epochs,
        initial_epoch=first_epoch,
        steps_per_epoch=steps_per_epoch,
        shuffle=False,  # the dataset is shuffled already, by the fit's seed
        callbacks=callbacks,
        **fit_args,
    )
    return history.history
