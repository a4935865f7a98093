"""The commands' saliency pictures: compare's test images, explain's files.

Both draw :class:`~skcnn.plotting.SaliencyDisplay` figures of a fitted CNN
pipeline and write them with :func:`skcnn.cli._report.save_picture`.
"""

import numpy as np

from ..inspection._saliency import DEFAULT_METHOD
from . import _report

#: At most this many test images get a saliency map in compare's report.
MAX_IMAGES = 10


def compare_picture(cnn, X_test, y_test, y_pred, labels, names, out):
    """Saliency maps of misclassified test images, for ``skcnn compare``.

    ``cnn`` is the fitted CNN pipeline, ``X_test`` its test input (rows,
    images or the paths of a streamed folder), ``y_test`` and ``y_pred``
    class codes, ``labels`` the class names the pipeline predicts (None
    when it predicts the codes) and ``names`` the class names to show.
    Up to :data:`MAX_IMAGES` misclassified images are drawn; when there
    are none, as many correctly classified ones. Returns the picture's
    file name and what ``results.json`` records of it.
    """
    from ..plotting import SaliencyDisplay
    from ..plotting._base import take_rows

    y_test, y_pred = np.asarray(y_test), np.asarray(y_pred)
    wrong = np.flatnonzero(y_test != y_pred)
    kind = "misclassified" if len(wrong) else "correctly classified"
    rows = (wrong if len(wrong) else np.arange(len(y_test)))[:MAX_IMAGES]
    truth = y_test[rows] if labels is None else np.asarray(labels)[y_test[rows]]
    display = SaliencyDisplay.from_estimator(
        cnn,
        take_rows(X_test, rows),
        truth,
        n_images=MAX_IMAGES,
        class_names=None if labels is not None else names,
        n_cols=5,
    )
    _report.wrap_titles(display)
    display.figure_.suptitle(
        f"CNNClassifier: {DEFAULT_METHOD} saliency maps of {kind} test images"
    )
    name = "saliency_misclassified.png" if len(wrong) else "saliency_correct.png"
    file_name = _report.save_picture(display, out / name)
    return file_name, {
        "method": DEFAULT_METHOD,
        "images": kind,
        "n_images": int(len(rows)),
        "of": int(len(wrong) if len(wrong) else len(y_test)),
    }


def file_picture(image, saliency_map, title, method, path):
    """One image with its map over it, titled, written to ``path``."""
    from ..plotting import SaliencyDisplay
    from ..plotting._base import pyplot

    figure, ax = pyplot().subplots(figsize=(3.6, 3.2), layout="constrained")
    display = SaliencyDisplay(
        image[np.newaxis], maps=saliency_map[np.newaxis], method=method
    ).plot(ax=np.array([ax]))
    ax.set_title(title, fontsize=9)
    return _report.save_picture(display, path)
