"""The ``skcnn`` command: compare a CNN with baselines, or grid-search it.

``skcnn compare`` loads a dataset, trains :class:`~skcnn.CNNClassifier` and
plain scikit-learn baselines on the same split through the same kind of
pipeline, prints a comparison table and writes pictures, ``results.json`` and
``report.md`` to ``--out``; with ``--backbone``, also a pretrained network,
fine-tuned (:class:`~skcnn.CNNClassifier` with ``backbone=``) and as
features for a logistic regression (:class:`~skcnn.ImageEmbedder`).
``skcnn search`` runs a grid search over filters × dropout and saves its
heatmap. Both run offline on the embedded MNIST sample. ``skcnn predict``
applies a saved model to image files, ``skcnn explain`` draws its saliency
map for each.

Layout: :mod:`._main` holds the parser and the exit codes, one module per
subcommand (:mod:`.compare`, :mod:`.search`, :mod:`.predict`,
:mod:`.explain`) registers its options and runs it, :mod:`._data` loads and
splits datasets, :mod:`._models` builds the pipelines, :mod:`._report`
writes tables, pictures and reports and :mod:`._saliency` draws the
saliency pictures.
"""

from ._main import build_parser, console_main, main

__all__ = ["build_parser", "console_main", "main"]
