"""What every loader shares: the Bunch it returns and the canonical split.

Every Bunch holds ``data`` (flat rows), ``images`` (a view of the same
pixels), ``target``, ``target_names``, ``DESCR``, ``source``, ``pixel_max``
and ``n_train``: samples are ordered training set first, so the canonical
split is ``[:n_train]`` / ``[n_train:]`` (see :func:`split_train_test`).
Pixels are uint8.
"""

import numpy as np
from sklearn.utils import Bunch

__all__ = ["split_train_test"]

#: Names of the ten digit classes, shared by the digit datasets.
DIGIT_NAMES = tuple(str(d) for d in range(10))


def split_train_test(bunch, *, images=False):
    """Canonical train/test split of a dataset Bunch, as array views.

    Parameters
    ----------
    bunch : Bunch
        A dataset returned by one of the loaders of :mod:`skcnn.datasets`.
    images : bool, default=False
        Return ``bunch.images`` instead of the flat ``bunch.data``.

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        Views of the Bunch's arrays (no copy).

    Examples
    --------
    >>> from skcnn.datasets import load_digits_images, split_train_test
    >>> X_train, X_test, y_train, y_test = split_train_test(load_digits_images())
    >>> X_train.shape, X_test.shape
    ((1437, 64), (360, 64))
    """
    X = bunch.images if images else bunch.data
    n = bunch.n_train
    return X[:n], X[n:], bunch.target[:n], bunch.target[n:]


def make_bunch(
    images,
    target,
    *,
    n_train,
    source,
    descr,
    return_X_y,
    target_names=DIGIT_NAMES,
    pixel_max=255,
):
    """The loaders' return value: a Bunch of uint8 pixels, or ``(data, target)``."""
    images = np.ascontiguousarray(images, dtype=np.uint8)
    target = np.asarray(target, dtype=np.int64).ravel()
    data = images.reshape(len(images), -1)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        images=images,
        target=target,
        target_names=np.asarray(target_names),
        n_train=int(n_train),
        source=source,
        pixel_max=pixel_max,
        DESCR=descr,
    )


def stratified_order(target, n_train, seed=0):
    """Indices putting a fixed stratified training set first, shuffled.

    Shuffled rather than sorted: the raw files are ordered by class, and a
    class-sorted training set would make any tail validation split hold a
    single class.
    """
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        np.arange(len(target)), train_size=n_train, stratify=target, random_state=seed
    )
    return np.concatenate([train, test])
