"""Loading datasets by their command-line names or from folders, and splitting them."""

import argparse
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image
from sklearn.utils import Bunch

from skcnn import datasets
from skcnn.cli import _data
from skcnn.datasets import load_digits_images, split_train_test
from tests.cli._trees import CLASSES, write_digit_tree


def _write(folder, n, size=(8, 8), mode="L", start=0):
    """``n`` uniform images in ``folder``, image ``i`` of value ``start + 10 i``."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        value = start + 10 * i
        colour = value if mode == "L" else (value, 255 - value, 0)
        Image.new(mode, size, colour).save(folder / f"{i:02d}.png")


def _decoded(path):
    """The pixels of ``path`` as Pillow decodes them, with a channel axis."""
    pixels = np.asarray(Image.open(path))
    return pixels[..., np.newaxis] if pixels.ndim == 2 else pixels


# ----------------------------------------------------------------------
# Named datasets


@pytest.mark.parametrize(
    "name, source", [("auto", "auto"), ("mnist", "full"), ("mnist-sample", "sample")]
)
def test_mnist_names_choose_the_source(name, source, monkeypatch):
    calls, said = [], []

    def fetch(source):
        calls.append(source)
        return Bunch(source="full")

    monkeypatch.setattr(datasets, "fetch_mnist", fetch)
    assert _data.load_dataset(name, said.append).source == "full"
    assert calls == [source] and said == []


def _fake_fetch(source_returned, warn):
    def fetch(source):
        if warn:
            warnings.warn("cannot download MNIST", UserWarning)
        return Bunch(source=source_returned)

    return fetch


def test_auto_says_when_it_falls_back_to_the_sample(monkeypatch):
    said = []
    monkeypatch.setattr(datasets, "fetch_mnist", _fake_fetch("sample", warn=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the download warning is not passed on
        bunch = _data.load_dataset("auto", said.append)
    assert bunch.source == "sample"
    assert said == [
        "note: full MNIST is not cached and could not be downloaded; using the "
        "embedded 5,000-image sample (--dataset mnist to insist)"
    ]


@pytest.mark.parametrize(
    "name, returned, warn",
    [
        ("mnist-sample", "sample", True),  # the sample was asked for
        ("auto", "sample", False),  # no failed download
        ("auto", "full", True),  # another warning, but full MNIST
    ],
)
def test_no_note_without_a_fallback(name, returned, warn, monkeypatch):
    said = []
    monkeypatch.setattr(datasets, "fetch_mnist", _fake_fetch(returned, warn))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _data.load_dataset(name, said.append).source == returned
    assert said == []


def test_digits_and_cifar10(monkeypatch):
    digits = _data.load_dataset("digits")
    reference = load_digits_images()
    np.testing.assert_array_equal(digits.data, reference.data)
    np.testing.assert_array_equal(digits.target, reference.target)
    cifar = Bunch(source="cifar10")
    monkeypatch.setattr(datasets, "fetch_cifar10", lambda: cifar)
    assert _data.load_dataset("cifar10") is cifar


def _args(dataset, out, **options):
    defaults = dict(image_size=None, test_size=None, random_state=0, quiet=False)
    return argparse.Namespace(dataset=dataset, out=out, **{**defaults, **options})


def test_prepare_a_named_dataset(tmp_path):
    said = []
    out = tmp_path / "results" / "deep"
    bunch, split = _data.prepare(_args("digits", out), said.append)
    assert out.is_dir()
    assert said == [
        "dataset: digits (10 classes)",
        "  train images (1437, 64), test images (360, 64), dtype uint8",
    ]
    for part, expected in zip(split, split_train_test(bunch), strict=True):
        np.testing.assert_array_equal(part, expected)
    assert matplotlib.get_backend().lower() == "agg"


# ----------------------------------------------------------------------
# Folders


def test_prepare_a_folder_shows_its_images_shape(digit_tree, tmp_path, capsys):
    said = []
    args = _args(digit_tree, tmp_path / "out")
    bunch, (X_train, X_test, y_train, y_test) = _data.prepare(args, said.append)
    assert said == [
        f"loading images from {digit_tree} ...",
        f"dataset: {digit_tree} (3 classes)",
        "  train images (90, 8, 8, 1), test images (30, 8, 8, 1), dtype uint8",
    ]
    assert X_train.shape == (90, 64) and X_test.shape == (30, 64)
    assert "loading images: 90/90" in capsys.readouterr().err
    _data.prepare(_args(digit_tree, tmp_path / "out", quiet=True), said.append)
    assert capsys.readouterr().err == ""  # no progress lines


def test_train_and_test_folders_are_the_split(digit_tree):
    bunch = _data.load_folder(digit_tree)
    assert bunch.n_train == 90 and bunch.images.shape == (120, 8, 8, 1)
    assert bunch.target_names.tolist() == ["one", "two", "zero"]
    assert (bunch.source, bunch.pixel_max, bunch.color_mode) == (
        str(digit_tree),
        255,
        "grayscale",
    )
    np.testing.assert_array_equal(bunch.data, bunch.images.reshape(120, 64))
    parts = [Path(f).relative_to(digit_tree).parts[0] for f in bunch.filenames]
    assert parts == ["train"] * 90 + ["test"] * 30
    # Every image is its file's pixels, labelled with its class folder.
    for image, label, path in zip(
        bunch.images, bunch.target, bunch.filenames, strict=True
    ):
        np.testing.assert_array_equal(image, _decoded(path))
        assert bunch.target_names[label] == Path(path).parent.name
    assert np.bincount(bunch.target[:90]).tolist() == [30, 30, 30]
    X_train, X_test, y_train, y_test = split_train_test(bunch, images=True)
    assert len(X_train) == 90 and len(y_test) == 30


def test_folder_order_is_shuffled_by_the_seed(digit_tree):
    first = _data.load_folder(digit_tree, random_state=0)
    again = _data.load_folder(digit_tree, random_state=0)
    other = _data.load_folder(digit_tree, random_state=1)
    np.testing.assert_array_equal(first.filenames, again.filenames)
    np.testing.assert_array_equal(first.images, again.images)
    assert not np.array_equal(first.filenames, other.filenames)
    assert sorted(first.filenames[:90]) == sorted(other.filenames[:90])
    # Files are listed by class; shuffled, the first test images mix classes.
    assert list(first.filenames[:90]) != sorted(first.filenames[:90])
    assert len(set(first.target[90:100].tolist())) > 1


def test_test_labels_are_coded_as_in_the_training_folder(tmp_path):
    for name, start in (("ant", 0), ("bee", 100), ("cow", 200)):
        _write(tmp_path / "train" / name, 2, start=start)
    _write(tmp_path / "test" / "bee", 3, start=100)  # the test folder's class 0
    bunch = _data.load_folder(tmp_path)
    assert bunch.target_names.tolist() == ["ant", "bee", "cow"]
    assert bunch.target[6:].tolist() == [1, 1, 1]
    np.testing.assert_array_equal(
        np.sort(bunch.images[6:, 0, 0, 0]), np.array([100, 110, 120], np.uint8)
    )


def test_test_classes_missing_from_training_are_an_error(tmp_path):
    for name in ("ant", "bee"):
        _write(tmp_path / "train" / name, 2)
    for name in ("ant", "bee", "cow", "doe"):
        _write(tmp_path / "test" / name, 1)
    with pytest.raises(ValueError) as raised:
        _data.load_folder(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / 'test'} has classes that {tmp_path / 'train'} lacks: cow, doe"
    )


def test_train_and_test_sizes_must_agree_or_be_resized(tmp_path):
    for name in ("ant", "bee"):
        _write(tmp_path / "train" / name, 2, size=(8, 8))
        _write(tmp_path / "test" / name, 1, size=(12, 10))
    with pytest.raises(ValueError) as raised:
        _data.load_folder(tmp_path)
    assert str(raised.value) == (
        f"the images in {tmp_path / 'train'} are 8x8 but those in "
        f"{tmp_path / 'test'} are 10x12; pass --image-size to resize both"
    )
    bunch = _data.load_folder(tmp_path, image_size=(6, 5))
    assert bunch.images.shape == (6, 6, 5, 1)


def test_test_images_take_the_training_colour_mode(tmp_path):
    gray, colour = tmp_path / "gray_train", tmp_path / "colour_train"
    for name in ("ant", "bee"):
        _write(gray / "train" / name, 2, mode="L")
        _write(gray / "test" / name, 1, mode="RGB", start=30)
        _write(colour / "train" / name, 2, mode="RGB")
        _write(colour / "test" / name, 1, mode="L", start=30)
    bunch = _data.load_folder(gray)
    assert bunch.color_mode == "grayscale" and bunch.images.shape[-1] == 1
    test_file = bunch.filenames[-1]
    luma = np.asarray(Image.open(test_file).convert("L"))
    np.testing.assert_array_equal(bunch.images[-1, ..., 0], luma)
    bunch = _data.load_folder(colour)
    assert bunch.color_mode == "rgb" and bunch.images.shape[-1] == 3
    assert (bunch.images[4:] == 30).all()  # gray test images in three channels


def test_one_folder_is_split_stratified(tmp_path):
    files = write_digit_tree(tmp_path, n_train=8, n_test=2, split=False)
    bunch = _data.load_folder(tmp_path)
    assert bunch.n_train == 24 and len(bunch.target) == 30
    assert np.bincount(bunch.target[:24]).tolist() == [8, 8, 8]
    assert np.bincount(bunch.target[24:]).tolist() == [2, 2, 2]
    assert sorted(bunch.filenames) == sorted(map(str, files))
    for image, label, path in zip(
        bunch.images, bunch.target, bunch.filenames, strict=True
    ):
        np.testing.assert_array_equal(image, _decoded(path))
        assert bunch.target_names[label] == Path(path).parent.name
    assert set(bunch.target_names) == set(CLASSES.values())
    half = _data.load_folder(tmp_path, test_size=0.5)
    assert half.n_train == 15
    again = _data.load_folder(tmp_path, test_size=0.5)
    np.testing.assert_array_equal(half.filenames, again.filenames)
    other = _data.load_folder(tmp_path, test_size=0.5, random_state=3)
    assert set(other.filenames[15:]) != set(half.filenames[15:])


def test_a_stratified_split_needs_two_images_per_class(tmp_path):
    _write(tmp_path / "ant", 3)
    _write(tmp_path / "bee", 1)
    _write(tmp_path / "cow", 1)
    with pytest.raises(ValueError) as raised:
        _data.load_folder(tmp_path)
    assert str(raised.value) == (
        "a stratified split needs at least 2 images per class; in "
        f"{tmp_path} class 'bee', 'cow' has fewer"
    )


def test_a_test_size_too_small_to_split_is_explained(tmp_path):
    for name in ("ant", "bee", "cow"):
        _write(tmp_path / name, 4)
    with pytest.raises(ValueError) as raised:
        _data.load_folder(tmp_path, test_size=0.05)
    message = str(raised.value)
    assert message.startswith(f"cannot split {tmp_path} with --test-size 0.05: ")
    assert "number of classes = 3" in message


def test_a_single_class_is_an_error_and_its_warning_a_line(tmp_path, capsys):
    _write(tmp_path / "ant", 4)
    with pytest.raises(ValueError) as raised:
        _data.load_folder(tmp_path)
    assert str(raised.value) == (
        f"a classifier needs at least two classes; {tmp_path} has one, 'ant'"
    )
    assert capsys.readouterr().err == (
        f"skcnn: warning: {str(tmp_path)!r} holds a single class, 'ant': a "
        "classifier needs at least two class subfolders.\n"
    )


def test_loader_warnings_become_lines_on_stderr(tmp_path, capsys):
    for name in ("ant", "bee"):
        _write(tmp_path / name, 3)
    (tmp_path / "bee" / "broken.png").write_bytes(b"not a png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # printed, not passed on
        bunch = _data.load_folder(tmp_path, test_size=0.4)
    assert len(bunch.target) == 6
    assert "broken.png" not in " ".join(bunch.filenames)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(
        f"skcnn: warning: Skipped 1 unreadable image file(s) in {str(tmp_path)!r}"
    )
    assert "broken.png" in lines[1]
