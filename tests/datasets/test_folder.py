"""load_image_folder: one subfolder per class, from disk to a Bunch."""

import os
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline

from skcnn import ImageLoader, PixelScaler
from skcnn.datasets import load_image_folder
from tests._helpers import small_cnn, write_image


def _tree(root):
    """Three classes of 12 x 10 images in several formats, plus clutter."""
    cats, dogs, owls = root / "cats", root / "dogs", root / "owls"
    for folder in (owls, dogs, cats):  # created out of order on purpose
        folder.mkdir(parents=True)
    write_image(cats / "b.jpg")
    write_image(cats / "a.PNG")
    write_image(cats / "c.Bmp")
    (dogs / "2023").mkdir()
    write_image(dogs / "2023" / "old.gif", mode="P")
    write_image(dogs / "d.jpeg", mode="L")
    write_image(owls / "o.tiff", mode="RGBA")
    write_image(owls / "p.webp")
    (cats / "notes.txt").write_text("not listed")
    (root / "README.md").write_text("not a class")
    (root / ".cache").mkdir()
    write_image(root / ".cache" / "hidden.png")
    write_image(cats / ".hidden.png")
    return root


@pytest.fixture
def tree(tmp_path):
    return _tree(tmp_path / "pets")


def test_classes_targets_and_files_in_sorted_order(tree):
    data = load_image_folder(tree)
    assert data.target_names.tolist() == ["cats", "dogs", "owls"]
    assert data.target.tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert data.target.dtype == np.int64
    names = [os.path.relpath(f, tree) for f in data.filenames]
    assert names == [
        "cats/a.PNG",
        "cats/b.jpg",
        "cats/c.Bmp",
        "dogs/2023/old.gif",
        "dogs/d.jpeg",
        "owls/o.tiff",
        "owls/p.webp",
    ]
    assert data.filenames.dtype.kind == "U"
    assert data.images.shape == (7, 10, 12, 3) and data.images.dtype == np.uint8
    assert data.data.shape == (7, 360) and np.shares_memory(data.data, data.images)
    assert "7 images in 3 classes" in data.DESCR and "cats (3)" in data.DESCR
    again = load_image_folder(str(tree))
    np.testing.assert_array_equal(again.filenames, data.filenames)
    np.testing.assert_array_equal(again.images, data.images)


def test_images_are_those_image_loader_gives(tree):
    data = load_image_folder(tree, image_size=(8, 6), color_mode="grayscale")
    expected = ImageLoader(image_size=(8, 6), color_mode="grayscale").fit_transform(
        data.filenames
    )
    np.testing.assert_array_equal(data.images, expected)
    assert data.images.shape == (7, 8, 6, 1)


def test_load_content_false_gives_file_names_only(tree):
    files = load_image_folder(tree, load_content=False)
    assert "images" not in files and "data" not in files
    assert "File names only" in files.DESCR
    full = load_image_folder(tree)
    np.testing.assert_array_equal(files.filenames, full.filenames)
    np.testing.assert_array_equal(files.target, full.target)
    np.testing.assert_array_equal(
        ImageLoader().fit_transform(files.filenames), full.images
    )


def test_return_X_y(tree):
    images, target = load_image_folder(tree, return_X_y=True)
    assert images.shape == (7, 10, 12, 3) and target.shape == (7,)
    filenames, target = load_image_folder(tree, load_content=False, return_X_y=True)
    assert filenames.shape == (7,) and str(filenames[0]).endswith("a.PNG")


def test_auto_color_mode_and_parallel_loading(tmp_path, capsys):
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        for i in range(3):
            write_image(tmp_path / name / f"{i}.png", mode="L")
    data = load_image_folder(tmp_path)
    assert data.images.shape == (6, 10, 12, 1)
    write_image(tmp_path / "y" / "colour.png", mode="RGB")
    rgb = load_image_folder(tmp_path, n_jobs=2, verbose=1)
    assert rgb.images.shape == (7, 10, 12, 3)
    err = capsys.readouterr().err
    assert "reading image headers: 7/7" in err and "loading images: 7/7" in err


def test_missing_path_and_file_instead_of_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="No such folder: .*nowhere"):
        load_image_folder(tmp_path / "nowhere")
    path = write_image(tmp_path / "one.png")
    with pytest.raises(NotADirectoryError, match="one.png' is a file, not a folder"):
        load_image_folder(path)


def test_empty_folder_and_loose_images(tmp_path):
    with pytest.raises(ValueError, match="is empty: .* one subfolder per class"):
        load_image_folder(tmp_path)
    write_image(tmp_path / "loose.png")
    with pytest.raises(ValueError, match="holds 1 image file.* no class subfolders"):
        load_image_folder(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("text")
    with pytest.raises(ValueError, match="No image files .*png.* in the class"):
        load_image_folder(tmp_path)


def test_class_folder_without_images_is_left_out_with_a_warning(tree):
    (tree / "empty").mkdir()
    (tree / "texts").mkdir()
    (tree / "texts" / "a.txt").write_text("text")
    with pytest.warns(UserWarning, match="2 class folder.*'empty', 'texts'"):
        data = load_image_folder(tree)
    assert data.target_names.tolist() == ["cats", "dogs", "owls"]
    assert data.target.max() == 2


def test_a_single_class_loads_with_a_warning(tmp_path):
    (tmp_path / "only").mkdir()
    write_image(tmp_path / "only" / "a.png")
    with pytest.warns(UserWarning, match="single class, 'only'.*at least two"):
        data = load_image_folder(tmp_path)
    assert data.target.tolist() == [0] and data.target_names.tolist() == ["only"]


def _damage(tree):
    """Unreadable files of every kind in the 'cats' and 'owls' classes."""
    (tree / "cats" / "empty.png").touch()
    (tree / "cats" / "letter.jpg").write_text("Dear cat, ...")
    good = (tree / "cats" / "a.PNG").read_bytes()
    (tree / "owls" / "half.png").write_bytes(good[: len(good) // 2])
    (tree / "owls" / "gone.png").symlink_to(tree / "nowhere.png")
    (tree / "owls" / "loop.png").symlink_to(tree / "owls" / "loop.png")
    os.mkfifo(tree / "owls" / "pipe.png")
    return ["empty.png", "letter.jpg", "gone.png", "half.png", "loop.png", "pipe.png"]


def test_unreadable_files_are_skipped_with_one_warning(tree):
    damaged = _damage(tree)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = load_image_folder(tree)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "Skipped 6 unreadable image file(s)" in message
    for name in damaged:
        assert name in message
    assert "it is empty" in message and "truncated" in message
    assert "not a regular file" in message and "symbolic links" in message
    assert data.images.shape == (7, 10, 12, 3)
    assert data.target.tolist() == [0, 0, 0, 1, 1, 2, 2]
    assert not any(Path(f).name in damaged for f in data.filenames)
    assert "6 unreadable file(s) skipped" in data.DESCR


def test_headers_are_checked_without_load_content(tree):
    damaged = _damage(tree)
    with pytest.warns(UserWarning, match="Skipped 5 unreadable") as caught:
        files = load_image_folder(tree, load_content=False)
    message = str(caught[0].message)
    # A truncated file has a good header: it fails only when decoded.
    assert "half.png" in [Path(f).name for f in files.filenames]
    assert "half.png" not in message
    assert all(name in message for name in damaged if name != "half.png")


@pytest.mark.parametrize("load_content", [True, False])
def test_on_error_raise_names_the_file(tree, load_content):
    (tree / "cats" / "empty.png").touch()
    with pytest.raises(OSError, match=r"empty\.png': it is empty"):
        load_image_folder(tree, on_error="raise", load_content=load_content)


def test_truncated_file_raises_when_decoded(tree):
    good = (tree / "cats" / "a.PNG").read_bytes()
    (tree / "cats" / "half.png").write_bytes(good[: len(good) // 2])
    with pytest.raises(OSError, match=r"half\.png.*truncated"):
        load_image_folder(tree, on_error="raise")


def test_a_class_with_only_unreadable_files_is_left_out(tree):
    (tree / "bad").mkdir()
    (tree / "bad" / "x.png").write_text("nope")
    with pytest.warns(UserWarning, match="without a readable image.*'bad'"):
        data = load_image_folder(tree)
    assert data.target_names.tolist() == ["cats", "dogs", "owls"]


def test_nothing_readable_is_an_error(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.png").touch()
    with pytest.raises(ValueError, match="None of the 2 image files .* read.*empty"):
        load_image_folder(tmp_path)


def test_mixed_sizes_need_image_size(tree):
    write_image(tree / "dogs" / "big.png", size=(30, 20))
    with pytest.raises(ValueError, match="2 different sizes.*big.png.*image_size"):
        load_image_folder(tree)
    data = load_image_folder(tree, image_size=16, keep_aspect="crop")
    assert data.images.shape == (8, 16, 16, 3)
    assert load_image_folder(tree, load_content=False).target.shape == (8,)


def test_sixteen_bit_and_alpha_images(tmp_path):
    for name in ("deep", "clear"):
        (tmp_path / name).mkdir()
    write_image(tmp_path / "deep" / "a.png", mode="I;16")
    rgba = np.zeros((10, 12, 4), dtype=np.uint8)
    rgba[..., 0], rgba[:, 6:, 3] = 255, 255  # red, transparent on the left
    Image.fromarray(rgba, "RGBA").save(tmp_path / "clear" / "b.png")
    data = load_image_folder(tmp_path)
    assert data.images.shape == (2, 10, 12, 3)
    clear = data.images[data.target_names.tolist().index("clear")]
    assert not clear[:, :6].any() and (clear[:, 6:, 0] == 255).all()
    deep = data.images[data.target_names.tolist().index("deep")]
    assert deep[0, -1].tolist() == [255, 255, 255] and deep[0, 0].tolist() == [0, 0, 0]


def test_decompression_bomb_is_skipped(tree, monkeypatch):
    write_image(tree / "dogs" / "huge.png", size=(120, 100))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # above 2x: refused
    with pytest.warns(UserWarning, match="huge.png.*MAX_IMAGE_PIXELS"):
        data = load_image_folder(tree)
    assert len(data.target) == 7


def test_non_utf8_names(tmp_path):
    root = os.fsencode(tmp_path)
    os.mkdir(os.path.join(root, b"plain"))
    odd = [os.path.join(root, cls, b"\xff.png") for cls in (b"caf\xe9", b"plain")]
    try:
        os.mkdir(os.path.dirname(odd[0]))
        for name in odd:
            open(name, "xb").close()
    except OSError as exc:
        pytest.skip(f"the file system refuses non-UTF-8 names: {exc}")
    for name in odd:
        write_image(os.fsdecode(name))
    data = load_image_folder(tmp_path)
    assert data.target_names.tolist() == ["caf\udce9", "plain"]
    assert data.filenames[0].endswith("caf\udce9/\udcff.png")
    assert data.images.shape == (2, 10, 12, 3)
    files = load_image_folder(root, load_content=False)
    np.testing.assert_array_equal(
        ImageLoader().fit_transform(files.filenames), data.images
    )


def test_links_are_followed_once_and_loops_end(tree, tmp_path):
    (tree / "cats" / "again").symlink_to(tree / "cats")  # a loop
    (tree / "dogs" / "up").symlink_to(tree)  # reaches the other classes
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_image(elsewhere / "e.png")
    (tree / "linked").symlink_to(elsewhere)  # a class folder that is a link
    data = load_image_folder(tree)
    names = data.target_names.tolist()
    assert names == ["cats", "dogs", "linked", "owls"]
    counts = np.bincount(data.target).tolist()
    # 'cats' lists its files once; 'dogs' also finds every other class's files
    # through its link to the root, each folder once.
    assert counts[0] == 3 and counts[2] == 1 and counts[3] == 2
    assert counts[1] == 2 + 3 + 2 + 1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"on_error": "ignore"}, "on_error must be 'warn' or 'raise'"),
        ({"image_size": (0, 4)}, "image_size"),
        ({"color_mode": "RGB"}, "color_mode"),
        ({"keep_aspect": None}, "keep_aspect"),
        ({"n_jobs": 1.5}, "n_jobs"),
    ],
)
def test_bad_parameters_fail_before_the_folder_is_read(tmp_path, params, match):
    with pytest.raises(ValueError, match=match):
        load_image_folder(tmp_path / "nowhere", **params)


@pytest.fixture(scope="module")
def digit_folder(tmp_path_factory, digits):
    """The digits 0, 1 and 2 of the shared fixture as 8 x 8 PNG files."""
    X, y = digits
    root = tmp_path_factory.mktemp("digits")
    for i, (pixels, label) in enumerate(zip(X, y, strict=True)):
        if label <= 2:
            folder = root / f"digit-{label}"
            folder.mkdir(exist_ok=True)
            Image.fromarray(pixels.reshape(8, 8)).save(folder / f"{i:03d}.png")
    return root


@pytest.mark.slow
def test_pipeline_trains_and_predicts_on_files(digit_folder, tmp_path):
    files = load_image_folder(digit_folder, load_content=False)
    X_train, X_test, y_train, y_test = train_test_split(
        files.filenames, files.target, test_size=0.25, stratify=files.target,
        random_state=0,
    )  # fmt: skip
    cnn = make_pipeline(ImageLoader(), PixelScaler(), small_cnn(epochs=10))
    cnn.fit(X_train, y_train)
    assert cnn[0].image_size_ == (8, 8) and cnn[0].color_mode_ == "grayscale"
    assert cnn.score(X_test, y_test) >= 0.8  # 3 classes: chance is 0.33
    # The files give what the same pixels in memory give.
    pixels = load_image_folder(digit_folder).images
    in_memory = cnn[1:].predict_proba(pixels[np.isin(files.filenames, X_test)])
    order = np.argsort(X_test)
    np.testing.assert_allclose(cnn.predict_proba(X_test)[order], in_memory, atol=1e-6)
    # Saved with joblib, the fitted pipeline predicts the same files alike.
    joblib.dump(cnn, tmp_path / "cnn.joblib")
    restored = joblib.load(tmp_path / "cnn.joblib")
    np.testing.assert_allclose(
        restored.predict_proba(X_test), cnn.predict_proba(X_test), atol=1e-6
    )


@pytest.mark.slow
def test_grid_search_over_the_loaders_image_size(digit_folder):
    filenames, target = load_image_folder(
        digit_folder, load_content=False, return_X_y=True
    )
    cnn = make_pipeline(ImageLoader(), PixelScaler(), small_cnn(epochs=1))
    search = GridSearchCV(cnn, {"imageloader__image_size": [8, (12, 10)]}, cv=2)
    search.fit(filenames, target)
    assert [p["imageloader__image_size"] for p in search.cv_results_["params"]] == [
        8,
        (12, 10),
    ]
    assert search.best_estimator_[0].image_size_ in {(8, 8), (12, 10)}
    assert search.predict(filenames[:5]).shape == (5,)
