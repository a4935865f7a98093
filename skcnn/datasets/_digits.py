"""scikit-learn's 8×8 handwritten digits as uint8 images (offline)."""

from ._base import make_bunch, stratified_order

__all__ = ["load_digits_images"]

#: Training images in the fixed split of the 1,797 digits (80 %).
DIGITS_TRAIN = 1437

DIGITS = dict(
    source="digits",
    pixel_max=16,
    descr=(
        "scikit-learn's optical recognition of handwritten digits: 1,797 8x8 "
        "grayscale images of the digits 0-9, pixel values 0-16. Samples are "
        "ordered with a fixed stratified training set of 1,437 images first "
        "and 360 test images after it."
    ),
)


def load_digits_images(*, return_X_y=False):
    """Load scikit-learn's 1,797 handwritten digits as 8×8 images.

    Offline: the data ship with scikit-learn. Pixels are integers 0–16
    (``pixel_max=16``: use ``PixelScaler(max_value=16)``). The canonical split
    puts a fixed stratified 80 % first (``n_train=1437``).

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data`` (1797, 64) uint8, ``images`` (1797, 8, 8) uint8, ``target``,
        ``target_names``, ``n_train``, ``source="digits"``, ``pixel_max``,
        ``DESCR``.
    (data, target) : tuple
        When ``return_X_y=True``.

    Examples
    --------
    >>> from skcnn.datasets import load_digits_images
    >>> digits = load_digits_images()
    >>> digits.images.shape, digits.images.dtype, int(digits.images.max())
    ((1797, 8, 8), dtype('uint8'), 16)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = stratified_order(digits.target, DIGITS_TRAIN)
    images, target = digits.images[order], digits.target[order]
    return make_bunch(
        images, target, n_train=DIGITS_TRAIN, return_X_y=return_X_y, **DIGITS
    )
