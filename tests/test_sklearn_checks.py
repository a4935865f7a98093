"""scikit-learn's own estimator checks for every skcnn estimator.

CNNClassifier is checked three times: with its defaults (only seeded), with
a small network that keeps the other defaults (augmentation included), and
with a fast tuned instance. Expected failures are listed with their reasons;
there are only the ones scikit-learn itself declares for its minibatch
learners (SGDClassifier).
"""

import pytest
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from skcnn import (
    CNNClassifier,
    ImageEmbedder,
    ImageLoader,
    ImageReshaper,
    ImageResizer,
    PixelScaler,
)

# A small, fast network that still learns sklearn's toy problems.
SMALL_CNN = CNNClassifier(
    filters=(4,),
    dense_units=16,
    dropout=0.0,
    dense_dropout=0.0,
    epochs=20,
    batch_size=32,
    learning_rate=0.02,
    random_state=0,
)

# The defaults, seeded: sklearn's toy data become (1, n_features, 1) strips,
# on which the default augmentation is left out.
DEFAULT_CNN = CNNClassifier(random_state=0)

# A small network with the other parameters at their defaults, but for a
# larger learning rate: 20 epochs of so few weights at the default rate do
# not learn scikit-learn's class-weight problem well enough (measured).
SMALL_DEFAULT_CNN = CNNClassifier(
    filters=(4,),
    dense_units=8,
    epochs=20,
    batch_size=32,
    learning_rate=0.01,
    random_state=0,
)

EXPECTED_FAILED_CHECKS = {
    "CNNClassifier": {
        # The same reason scikit-learn gives for SGDClassifier: a minibatch
        # learner shuffles and batches the samples, so a weight of 2 is not
        # the same as repeating a sample.
        "check_sample_weight_equivalence_on_dense_data": (
            "sample_weight is not equivalent to removing/repeating samples "
            "for a minibatch learner."
        ),
    },
}


def _expected_failures(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(
    [ImageReshaper(), PixelScaler(), PixelScaler(method="standard")],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_transformer(estimator, check):
    check(estimator)


# Every check that fits trains a network (the defaults: the full-size one for
# "auto" epochs): about ten minutes in all, so left out of the quick subset.
@pytest.mark.slow
@parametrize_with_checks(
    [DEFAULT_CNN, SMALL_DEFAULT_CNN, SMALL_CNN],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_classifier(estimator, check):
    check(estimator)


# scikit-learn runs this check on its own estimators only: every parameter
# has a constraint, and a value of the wrong type or out of range raises
# InvalidParameterError with scikit-learn's wording, from fit, before any
# data are looked at (so no network is trained or built here). ImageEmbedder
# takes images only, never the 2-D data of the other checks, which skip
# estimators without the two_d_array tag: its own tests cover the rest.
@pytest.mark.parametrize(
    "estimator",
    [
        CNNClassifier(),
        ImageReshaper(),
        PixelScaler(),
        ImageLoader(),
        ImageResizer(image_size=8),
        ImageEmbedder(weights=None, image_size=32),
    ],
    ids=lambda est: type(est).__name__,
)
def test_every_parameter_is_validated_with_one_error_type(estimator):
    check_param_validation(type(estimator).__name__, estimator)
