"""Many image files at once: paths, threads, failures, headers, one array."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skcnn.preprocessing import _files
from skcnn.preprocessing._pillow import Header, ImageFileError
from tests._helpers import write_image


def test_check_paths_gives_strings_in_order():
    paths = _files.check_paths([Path("a.png"), b"b.png", "c.png"], "Owner")
    assert paths == ["a.png", "b.png", "c.png"]
    with pytest.raises(TypeError, match="got 3 of type int at position 1"):
        _files.check_paths(["a.png", 3], "Owner")


@pytest.mark.parametrize("n_jobs", [1, 3])
def test_for_each_file_visits_every_index_once_in_chunks(monkeypatch, n_jobs):
    monkeypatch.setattr(_files, "_MIN_CHUNK", 4)
    seen = []
    failures = _files.for_each_file(seen.append, 11, n_jobs, 0, "x", "warn")
    assert failures == [] and sorted(seen) == list(range(11))


def test_for_each_file_collects_or_raises_file_errors():
    def task(i):
        if i in (2, 5):
            raise ImageFileError(f"bad {i}")

    failures = _files.for_each_file(task, 7, 2, 0, "x", "warn")
    assert [(i, str(exc)) for i, exc in failures] == [(2, "bad 2"), (5, "bad 5")]
    with pytest.raises(ImageFileError, match="bad 2"):
        _files.for_each_file(task, 7, 1, 0, "x", "raise")


def test_other_errors_are_never_swallowed():
    def task(i):
        raise KeyError(i)

    with pytest.raises(KeyError):
        _files.for_each_file(task, 3, 1, 0, "x", "warn")


def test_progress_line_counts_up_to_the_total(capsys, monkeypatch):
    monkeypatch.setattr(_files, "_MIN_CHUNK", 2)
    _files.for_each_file(lambda i: None, 3, 1, 1, "loading", "warn")
    assert capsys.readouterr().err.splitlines() == ["loading: 2/3", "loading: 3/3"]


def test_decode_images_fills_one_array_and_leaves_failed_rows_zero(tmp_path):
    good = write_image(tmp_path / "good.png", size=(6, 4), mode="L")
    missing = str(tmp_path / "missing.png")
    out, failures = _files.decode_images(
        [good, missing], (4, 6), 1, "pad", on_error="warn"
    )
    assert out.shape == (2, 4, 6, 1) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, ..., 0], np.asarray(Image.open(good)))
    assert not out[1].any()
    assert [i for i, _ in failures] == [1]


def test_read_headers_marks_unreadable_files_none(tmp_path):
    good = write_image(tmp_path / "good.png", size=(5, 3))
    headers, failures = _files.read_headers(
        [good, str(tmp_path / "no.png")], on_error="warn"
    )
    assert headers == [Header(size=(3, 5), grayscale=False), None]
    assert [i for i, _ in failures] == [1]


def test_resolve_color_mode():
    gray, colour = Header((2, 2), True), Header((2, 2), False)
    assert _files.resolve_color_mode("auto", [gray, gray]) == "grayscale"
    assert _files.resolve_color_mode("auto", [gray, colour]) == "rgb"
    assert _files.resolve_color_mode("grayscale", [colour]) == "grayscale"


def test_common_size_or_an_error_listing_the_sizes():
    same = [Header((4, 5), True)] * 2
    assert _files.common_size(same, ["a", "b"], "Owner") == (4, 5)
    mixed = [Header((4, 5), True), Header((4, 5), True), Header((8, 8), True)]
    with pytest.raises(ValueError) as raised:
        _files.common_size(mixed, ["a", "b", "c"], "Owner")
    assert str(raised.value).startswith(
        "Owner found images of 2 different sizes (height x width): 4x5 in 2 "
        "file(s) such as 'a', 'b'; 8x8 in 1 file(s) such as 'c'."
    )
