"""Plots for image classification, as scikit-learn style Display objects.

Each display stores the data it draws, given to its constructor (the data
first, everything else by keyword). Its ``from_*`` class methods compute
that data and call :meth:`plot`, which draws into new or given matplotlib
Axes and keeps the figure, the Axes and the drawn artists in attributes
ending in ``_``. Importing this module loads neither pyplot nor TensorFlow.

Confusion matrices need nothing image-specific: use scikit-learn's
:class:`~sklearn.metrics.ConfusionMatrixDisplay`, re-exported here.
"""

from sklearn.metrics import ConfusionMatrixDisplay

from ._class_distribution import ClassDistributionDisplay
from ._conv_filters import ConvFiltersDisplay
from ._image_grid import ImageGridDisplay
from ._saliency import SaliencyDisplay
from ._search_heatmap import SearchHeatmapDisplay
from ._training_history import TrainingHistoryDisplay

__all__ = [
    "ClassDistributionDisplay",
    "ConfusionMatrixDisplay",
    "ConvFiltersDisplay",
    "ImageGridDisplay",
    "SaliencyDisplay",
    "SearchHeatmapDisplay",
    "TrainingHistoryDisplay",
]
