"""Loading a dataset by its command-line name and splitting it."""

import warnings


def load_dataset(name, say=print):
    """Load a dataset by its command-line name; report a fallback with ``say``."""
    from .. import datasets

    if name == "digits":
        return datasets.load_digits_images()
    if name == "cifar10":
        return datasets.load_cifar10()
    source = {"auto": "auto", "mnist": "full", "mnist-sample": "sample"}[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        bunch = datasets.load_mnist(source=source)
    if bunch.source == "sample" and name == "auto" and caught:
        say(
            "note: full MNIST is not cached and could not be downloaded; using "
            "the embedded 5,000-image sample (--dataset mnist to insist)"
        )
    return bunch


def prepare(args, say):
    """Load the dataset, print its shapes and create ``--out``.

    Returns the Bunch and its canonical split ``(X_train, X_test, y_train,
    y_test)``. Pictures are drawn off-screen (matplotlib's Agg backend).
    """
    import matplotlib

    from ..datasets import split_train_test

    matplotlib.use("Agg")
    bunch = load_dataset(args.dataset, say)
    split = split_train_test(bunch)
    X_train, X_test = split[:2]
    say(f"dataset: {bunch.source} ({len(bunch.target_names)} classes)")
    say(
        f"  train images {X_train.shape}, test images {X_test.shape}, "
        f"dtype {X_train.dtype}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    return bunch, split
