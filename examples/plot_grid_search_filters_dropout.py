"""
Grid-searching the CNN's filters and dropout
============================================

:class:`~skcnn.CNNClassifier` exposes its architecture as flat keyword
parameters, so scikit-learn's :class:`~sklearn.model_selection.GridSearchCV`
can tune it like any other estimator. This example searches the number of
filters per convolutional block and the dropout rate with 2-fold
cross-validation on 1,500 MNIST training images, then scores the best model
on the test set and draws the scores as a heat map.
"""

# %%
# Data and pipeline
# -----------------
# The first 1,500 images of the training split keep the search quick; the
# split is stratified and shuffled, so they hold about 150 images per digit.
import time

import pandas as pd
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skcnn import CNNClassifier, ImageReshaper, PixelScaler
from skcnn.datasets import fetch_mnist, split_train_test
from skcnn.plotting import SearchHeatmapDisplay

mnist = fetch_mnist(source="sample")
X_train, X_test, y_train, y_test = split_train_test(mnist)
X_small, y_small = X_train[:1500], y_train[:1500]
print(f"search on {X_small.shape}, test on {X_test.shape}")

pipeline = make_pipeline(
    ImageReshaper(image_shape=(28, 28)),
    PixelScaler(),
    CNNClassifier(epochs=5, random_state=0),
)

# %%
# The grid
# --------
# Parameters of a pipeline step are addressed as ``<step>__<parameter>``;
# :func:`~sklearn.pipeline.make_pipeline` names the step ``cnnclassifier``.
# ``filters`` holds one entry per convolutional block, so ``(8, 16)`` is a
# network of two blocks with 8 and 16 filters. ``dropout`` is the rate applied
# after each block. Classifiers get stratified folds, as usual in
# scikit-learn.
param_grid = {
    "cnnclassifier__filters": [(8, 16), (16, 32)],
    "cnnclassifier__dropout": [0.0, 0.25],
}
search = GridSearchCV(pipeline, param_grid, cv=2)
start = time.perf_counter()
search.fit(X_small, y_small)
print(f"4 candidates x 2 folds + refit in {time.perf_counter() - start:.1f} s")

# %%
# Cross-validation results
# ------------------------
# ``cv_results_`` is a dict of arrays that :class:`pandas.DataFrame` reads
# directly.
columns = [
    "param_cnnclassifier__filters",
    "param_cnnclassifier__dropout",
    "mean_test_score",
    "std_test_score",
    "mean_fit_time",
    "rank_test_score",
]
table = pd.DataFrame(search.cv_results_)[columns]
table.columns = ["filters", "dropout", "mean acc", "std acc", "fit s", "rank"]
print(table.sort_values("rank").to_string(index=False, float_format="%.3f"))

# %%
# The best candidate
# ------------------
# With the default ``refit=True`` the search retrains the best candidate on
# all 1,500 images; ``search`` then predicts and scores like that pipeline.
print(f"best parameters: {search.best_params_}")
print(f"best mean CV accuracy: {search.best_score_:.3f}")
print(f"test accuracy of the refitted best model: {search.score(X_test, y_test):.3f}")

# %%
# Heat map of the scores
# ----------------------
# :meth:`~skcnn.plotting.SearchHeatmapDisplay.from_search` places one
# parameter on each axis; the short names after ``__`` are enough when they
# are unambiguous.
SearchHeatmapDisplay.from_search(search, x="filters", y="dropout")

# %%
# With 750 images per fit and 5 epochs, the gaps between candidates are of
# the same size as the spread between the two folds (the ``std acc`` column),
# so this ranking is only a rough guide. Dropout in particular tends to matter
# more with longer training, where it holds back overfitting; search at the
# data size and number of epochs you intend to train with.
