"""skcnn.inspection.saliency on a network that learned where the evidence is.

The images are noise with one textured 8x8 patch each; the texture is the
class, so the patch is the only evidence. A network that classifies them
must look at the patch, and a saliency map that works puts its maximum
there.
"""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from benchmarks.bench_saliency import localisation, textured_patches
from skcnn import CNNClassifier, PixelScaler
from skcnn._param_validation import InvalidParameterError
from skcnn.inspection import DEFAULT_METHOD, METHODS, saliency

LABELS = np.array(["checkerboard", "horizontal", "vertical"])


@pytest.fixture(scope="module")
def data():
    X, y, _ = textured_patches(600, 0)
    X_test, y_test, corners = textured_patches(100, 1)
    # Texture names as labels: targets are labels, never indices.
    names = np.array(["horizontal", "vertical", "checkerboard"])
    return X, names[y], X_test, names[y_test], corners


@pytest.fixture(scope="module")
def fitted(data):
    X, y, X_test, y_test, _ = data
    clf = CNNClassifier(
        filters=(8, 8),
        dense_units=32,
        epochs=10,
        batch_size=32,
        learning_rate=0.01,
        shift=0.0,
        random_state=0,
    ).fit(X, y)
    assert clf.score(X_test, y_test) >= 0.95  # the network found the patches
    return clf


@pytest.fixture(scope="module")
def maps(fitted, data):
    """Each method's maps of the test images, and SmoothGrad's."""
    X_test = data[2]
    found = {method: saliency(fitted, X_test, method=method) for method in METHODS}
    found["gradients, SmoothGrad of 8"] = saliency(
        fitted, X_test, method="gradients", smooth_samples=8, random_state=0
    )
    return found


@pytest.fixture(scope="module")
def rates(maps, data):
    found = {name: localisation(m, data[4]) for name, m in maps.items()}
    print("localisation rates:", found)
    return found


def test_metadata():
    assert METHODS == ("hirescam", "gradcam", "gradients", "occlusion")
    assert DEFAULT_METHOD in METHODS


@pytest.mark.parametrize("method", METHODS)
def test_one_nonnegative_float32_map_per_image(fitted, data, method):
    X_test = data[2]
    maps = saliency(fitted, X_test[:5], method=method)
    assert maps.shape == (5, 32, 32)
    assert maps.dtype == np.float32
    assert np.isfinite(maps).all() and (maps >= 0).all()
    assert (maps.reshape(5, -1).max(axis=1) > 0).all()
    one = saliency(fitted, X_test[:1], method=method)
    assert one.shape == (1, 32, 32)
    # A map does not depend on the other images in its batch.
    np.testing.assert_allclose(one[0], maps[0], rtol=1e-4, atol=1e-6 * maps.max())


def test_the_default_method_and_occlusion_find_the_patch(rates):
    assert rates[DEFAULT_METHOD] >= 0.8
    assert rates["occlusion"] >= 0.8
    assert rates["hirescam"] >= 0.8
    # A map of one value everywhere would score 1/16, the patch's share.
    assert min(rates.values()) > 0.3


def test_default_method_is_used_for_none(fitted, data):
    X_test = data[2][:4]
    np.testing.assert_array_equal(
        saliency(fitted, X_test), saliency(fitted, X_test, method=DEFAULT_METHOD)
    )


def test_randomised_weights_change_the_maps(fitted, data, maps):
    # Adebayo et al.'s sanity check: a map that survives re-initialising the
    # network shows the image, not what the network learned.
    X, y, X_test, _, corners = data
    untrained = clone(fitted).set_params(random_state=1).initialize(X, y)
    n = 50
    for method in ("hirescam", "gradients", "occlusion"):
        trained = maps[method][:n]
        random = saliency(untrained, X_test[:n], method=method)
        correlation = np.mean(
            [
                spearmanr(a.ravel(), b.ravel())[0]
                for a, b in zip(trained, random, strict=True)
            ]
        )
        assert correlation < 0.5, method
        assert (
            localisation(random, corners[:n]) < localisation(trained, corners[:n]) - 0.3
        ), method


def test_maps_are_of_the_logits_not_the_probabilities(fitted, data):
    from skcnn._engine.saliency import saliency_network

    X_test = data[2][:8]
    network = saliency_network(fitted.model_, fitted.input_shape_)
    logits = network.logits(X_test)
    assert logits.shape == (8, 3)
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(
        exp / exp.sum(axis=1, keepdims=True), fitted.predict_proba(X_test), atol=1e-5
    )
    # The network is sure of these images: its softmax is saturated, while
    # the gradient of the logit is not.
    assert fitted.predict_proba(X_test).max(axis=1).min() > 0.9
    assert saliency(fitted, X_test, method="gradients").max() > 1e-3


def test_target_is_a_label_one_for_all_or_one_per_image(fitted, data):
    X_test, y_test = data[2][:6], data[3][:6]
    predicted = fitted.predict(X_test)
    np.testing.assert_array_equal(
        saliency(fitted, X_test, method="gradcam"),
        saliency(fitted, X_test, method="gradcam", target=predicted),
    )
    one = saliency(fitted, X_test, method="gradcam", target="vertical")
    np.testing.assert_array_equal(
        one, saliency(fitted, X_test, method="gradcam", target=["vertical"] * 6)
    )
    per_image = saliency(fitted, X_test, method="gradcam", target=list(y_test))
    for i, label in enumerate(y_test):
        np.testing.assert_allclose(
            per_image[i],
            saliency(fitted, X_test[i : i + 1], target=label, method="gradcam")[0],
            rtol=1e-4,
            atol=1e-7,
        )
    # Another class's map differs from the predicted class's.
    other = [c for c in LABELS if c != predicted[0]][0]
    assert not np.allclose(
        saliency(fitted, X_test[:1], target=other, method="gradients"),
        saliency(fitted, X_test[:1], method="gradients"),
    )


def test_a_target_that_is_not_a_class_names_the_classes(fitted, data):
    X_test = data[2][:2]
    with pytest.raises(
        ValueError,
        match=r"target=1 is not a class.*'checkerboard'.*"
        r"labels, not indices.*classes_\[1\], pass target='horizontal'",
    ):
        saliency(fitted, X_test, target=1)
    with pytest.raises(ValueError, match="target='bird' is not a class"):
        saliency(fitted, X_test, target=["vertical", "bird"])
    with pytest.raises(ValueError, match="expected 2 labels, got an array of shape"):
        saliency(fitted, X_test, target=["vertical"] * 3)


def test_compiled_once_whatever_the_number_of_images(fitted, data):
    from skcnn._engine.saliency import saliency_network

    X_test = data[2]
    for n in (1, 3, 7, 40):
        for method in METHODS:
            saliency(fitted, X_test[:n], method=method, batch_size=16)
        saliency(fitted, X_test[:n], method="gradcam", layer="relu1")
        saliency(fitted, X_test[:n], method="gradients", smooth_samples=2)
    counts = saliency_network(fitted.model_, fitted.input_shape_).tracing_counts()
    assert set(counts) >= {
        ("logits",),
        ("gradients",),
        ("hirescam", ("conv2",)),
        ("gradcam", ("conv2",)),
        ("gradcam", ("relu1",)),
    }
    assert set(counts.values()) == {1}, counts


def test_the_fitted_network_is_left_as_it_was(fitted, data):
    X_test = data[2][:4]
    model = fitted.model_
    config, weights = model.get_config(), model.get_weights()
    calls = {layer.name: len(layer._inbound_nodes) for layer in model.layers}
    proba = fitted.predict_proba(X_test)
    for method in METHODS:
        saliency(fitted, X_test, method=method)
    saliency(fitted, X_test, method="hirescam", layer="relu1")
    assert model.get_config() == config
    for before, after in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    assert {layer.name: len(layer._inbound_nodes) for layer in model.layers} == calls
    np.testing.assert_array_equal(fitted.predict_proba(X_test), proba)


def test_the_compiled_functions_go_with_their_network(fitted, data):
    import gc
    import weakref

    from skcnn._engine import saliency as engine

    X, y = data[0][:30], data[1][:30]
    clf = clone(fitted).initialize(X, y)
    saliency(clf, X[:2])
    assert clf.model_ in engine._CACHE
    model = weakref.ref(clf.model_)
    del clf
    gc.collect()
    assert model() is None


def test_smoothgrad_is_seeded_and_leaves_global_state_alone(fitted, data):
    X_test = data[2][:5]
    kwargs = dict(method="gradients", smooth_samples=4)
    state = np.random.get_state()[1].copy()
    first = saliency(fitted, X_test, random_state=0, **kwargs)
    np.testing.assert_array_equal(
        first, saliency(fitted, X_test, random_state=0, **kwargs)
    )
    assert not np.allclose(first, saliency(fitted, X_test, random_state=1, **kwargs))
    assert not np.allclose(first, saliency(fitted, X_test, method="gradients"))
    # Each image has its own noise: the batches do not change it.
    np.testing.assert_allclose(
        first,
        saliency(fitted, X_test, random_state=0, batch_size=2, **kwargs),
        rtol=1e-4,
        atol=1e-6 * first.max(),
    )
    saliency(fitted, X_test, random_state=None, **kwargs)
    saliency(fitted, X_test, random_state=np.random.RandomState(3), **kwargs)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_occlusion_patch_and_baseline(fitted, data):
    X_test = data[2][:3]
    auto = saliency(fitted, X_test, method="occlusion")
    np.testing.assert_array_equal(
        auto, saliency(fitted, X_test, method="occlusion", patch_size=5, stride=2)
    )
    coarse = saliency(fitted, X_test, method="occlusion", patch_size=16, stride=16)
    # Four patches, four blocks of constant drop.
    assert coarse.shape == (3, 32, 32)
    for block in (coarse[:, :16, :16], coarse[:, 16:, 16:]):
        assert np.ptp(block, axis=(1, 2)).max() == 0
    whiter = saliency(fitted, X_test, method="occlusion", baseline=0.5)
    assert not np.allclose(whiter, auto)


# -- bad input -----------------------------------------------------------------


def test_an_unfitted_classifier_is_refused(data):
    with pytest.raises(NotFittedError, match="needs a fitted CNNClassifier"):
        saliency(CNNClassifier(), data[2][:2])
    with pytest.raises(NotFittedError):
        saliency(make_pipeline(PixelScaler(), CNNClassifier()), data[2][:2])


def test_only_a_cnn_classifier_or_a_pipeline_ending_in_one(data):
    X, y = data[0][:20].reshape(20, -1), data[1][:20]
    logreg = make_pipeline(PixelScaler(), LogisticRegression(max_iter=50)).fit(X, y)
    with pytest.raises(TypeError, match="got a Pipeline ending in LogisticRegression"):
        saliency(logreg, X[:2])
    with pytest.raises(TypeError, match="got a LogisticRegression"):
        saliency(logreg[-1], X[:2])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"method": "lime"}, "'method' parameter of saliency must be"),
        ({"method": 3}, "'method' parameter of saliency must be"),
        ({"batch_size": 0}, "'batch_size' parameter of saliency"),
        ({"smooth_samples": -1}, "'smooth_samples' parameter"),
        ({"noise_level": -0.1}, "'noise_level' parameter"),
        ({"patch_size": "big"}, "'patch_size' parameter"),
        ({"stride": 0}, "'stride' parameter"),
        ({"baseline": "mean"}, "'baseline' parameter"),
        ({"layer": 3}, "'layer' parameter"),
        ({"random_state": "seed"}, "'random_state' parameter"),
    ],
)
def test_bad_parameters_raise_invalid_parameter_error(fitted, data, params, match):
    with pytest.raises(InvalidParameterError, match=match):
        saliency(fitted, data[2][:2], **params)


def test_bad_images_get_the_classifier_s_own_message(fitted):
    with pytest.raises(ValueError, match=r"expected images of shape \(32, 32, 1\)"):
        saliency(fitted, np.zeros((2, 16, 16, 1), np.float32))


def test_layers_that_are_not_feature_maps_are_refused_with_the_list(fitted, data):
    X_test = data[2][:2]
    with pytest.raises(ValueError, match=r"'nowhere' is not a layer.*'conv1'.*'relu2'"):
        saliency(fitted, X_test, method="gradcam", layer="nowhere")
    with pytest.raises(
        ValueError, match=r"'dense' outputs shape \(None, 32\), not a feature map"
    ):
        saliency(fitted, X_test, method="gradcam", layer="dense")
    with pytest.raises(ValueError, match="layer='relu1' is for the class activation"):
        saliency(fitted, X_test, method="occlusion", layer="relu1")
    with pytest.raises(ValueError, match="but the default method, 'occlusion', works"):
        saliency(fitted, X_test, layer="relu1")


def _dense_only(meta, compile_kwargs):
    from skcnn._engine.runtime import keras

    model = keras.Sequential(
        [
            keras.Input(meta["input_shape_"]),
            keras.layers.Flatten(),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )
    model.compile(**compile_kwargs)
    return model


def test_a_network_without_convolution_gets_the_other_methods(data):
    X, y, X_test = data[0][:100], data[1][:100], data[2][:3]
    clf = CNNClassifier(model=_dense_only, epochs=1, random_state=0).fit(X, y)
    for method in ("hirescam", "gradcam"):
        with pytest.raises(
            ValueError, match='method="gradients" or method="occlusion"'
        ):
            saliency(clf, X_test, method=method)
    for method in ("gradients", "occlusion"):
        assert saliency(clf, X_test, method=method).shape == (3, 32, 32)
    # A sequential network's logits are its last Dense layer's, without the
    # softmax.
    from skcnn._engine.saliency import saliency_network

    logits = saliency_network(clf.model_, clf.input_shape_).logits(X_test)
    dense = clf.model_.layers[-1]
    expected = X_test.reshape(3, -1) @ dense.kernel.numpy() + dense.bias.numpy()
    np.testing.assert_allclose(logits, expected, rtol=1e-4, atol=1e-4)


# -- the function itself -------------------------------------------------------


def test_the_declarations_match_the_signature_and_the_docstring():
    import inspect

    import numpydoc.docscrape as numpydoc

    from skcnn.inspection._saliency import PARAMETERS, explained_images

    signature = inspect.signature(saliency)
    defaults = {
        name: p.default
        for name, p in signature.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert defaults == {name: spec.default for name, spec in PARAMETERS.items()}
    for function in (saliency, explained_images):
        documented = [p.name for p in numpydoc.FunctionDoc(function)["Parameters"]]
        assert documented == list(inspect.signature(function).parameters)


@pytest.mark.slow
def test_importing_the_module_does_not_import_tensorflow():
    from tests._helpers import imports_tensorflow

    assert not imports_tensorflow("import skcnn.inspection")
    # The check can fail: the classifier does import it.
    assert imports_tensorflow("import skcnn.inspection, skcnn.classifier")
