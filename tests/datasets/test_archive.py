"""Safe extraction: crafted and malformed archives are refused, nothing leaks out."""

import gzip
import io
import tarfile

import pytest

from skcnn.datasets import DatasetDownloadError, _archive
from tests.datasets._fakes import add_file


def _archive_with(path, *members):
    """A tar.gz holding ``members``: (name, kind, target) with kind file/dir/..."""
    with tarfile.open(path, mode="w:gz") as tar:
        for name, kind, target in members:
            if kind == "file":
                add_file(tar, name)
                continue
            info = tarfile.TarInfo(name)
            info.type = {
                "dir": tarfile.DIRTYPE,
                "symlink": tarfile.SYMTYPE,
                "hardlink": tarfile.LNKTYPE,
                "fifo": tarfile.FIFOTYPE,
                "device": tarfile.CHRTYPE,
            }[kind]
            info.linkname = target or ""
            tar.addfile(info)
    return path


@pytest.fixture
def layout(tmp_path):
    """An archive folder, an empty destination, and a folder beside them."""
    (tmp_path / "dest").mkdir()
    (tmp_path / "beside").mkdir()
    return tmp_path


def _everything(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


CRAFTED = {  # members, and the one to refuse
    "parent": ([("ok/a", "file", None), ("../beside/evil", "file", None)], 1),
    "nested-parent": ([("ok/../../beside/evil", "file", None)], 0),
    "absolute": ([("/tmp/skcnn-evil", "file", None)], 0),
    "symlink-outside": (
        [("ok/link", "symlink", "../../beside"), ("ok/link/evil", "file", None)],
        0,
    ),
    "symlink-absolute": ([("link", "symlink", "/etc/passwd")], 0),
    "hardlink-absolute": ([("link", "hardlink", "/etc/passwd")], 0),
    "fifo": ([("pipe", "fifo", None)], 0),
    "device": ([("dev", "device", None)], 0),
}
HAS_FILTER = hasattr(tarfile, "data_filter")


@pytest.mark.parametrize(
    "protection",
    [
        "both",
        "guard-only",  # as on a Python without tarfile's extraction filters
        pytest.param(
            "filter-only",
            marks=pytest.mark.skipif(not HAS_FILTER, reason="no tarfile filters"),
        ),
    ],
)
@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_archive_is_refused_and_writes_nothing(
    layout, case, protection, monkeypatch
):
    if protection == "guard-only":
        monkeypatch.setattr(_archive, "EXTRACT_OPTIONS", {})
    if protection == "filter-only":
        monkeypatch.setattr(_archive, "_check_member", lambda member, archive: None)
    members, refused = CRAFTED[case]
    archive = _archive_with(layout / "crafted.tar.gz", *members)
    before = _everything(layout)
    if protection == "filter-only" and case == "absolute":
        # The "data" filter strips the leading slash instead of refusing.
        _archive.extract_tar(archive, layout / "dest")
        assert _everything(layout) == [*before, "dest/tmp", "dest/tmp/skcnn-evil"]
        return
    with pytest.raises(DatasetDownloadError, match="Refused to extract") as caught:
        _archive.extract_tar(archive, layout / "dest")
    assert str(archive) in str(caught.value)
    assert repr(members[refused][0]).strip("'") in str(caught.value)
    assert _everything(layout) == before


def test_messages_say_why(layout):
    outside = _archive_with(layout / "a.tar.gz", ("../evil", "file", None))
    with pytest.raises(
        DatasetDownloadError, match="'../evil' would be written outside"
    ):
        _archive.extract_tar(outside, layout / "dest")
    link = _archive_with(layout / "b.tar.gz", ("x", "symlink", "/etc"))
    with pytest.raises(DatasetDownloadError, match="'x' is a link"):
        _archive.extract_tar(link, layout / "dest")


def test_extraction_filter_is_used_where_python_has_it():
    if hasattr(tarfile, "data_filter"):
        assert _archive.EXTRACT_OPTIONS == {"filter": "data"}
    else:
        assert _archive.EXTRACT_OPTIONS == {}


def test_good_archive_is_extracted_in_place(layout):
    archive = _archive_with(
        layout / "good.tar.gz",
        ("top", "dir", None),
        ("top/a", "file", None),
        ("top/sub/b", "file", None),
    )
    written = _archive.extract_tar(archive, layout / "dest", required=["top/a"])
    assert written == [layout / "dest/top/a", layout / "dest/top/sub/b"]
    assert (layout / "dest/top/sub/b").read_bytes() == b"data"
    # The staging folder is gone.
    assert _everything(layout / "dest") == ["top", "top/a", "top/sub", "top/sub/b"]


def test_missing_members_are_named(layout):
    archive = _archive_with(layout / "a.tar.gz", ("top/a", "file", None))
    with pytest.raises(DatasetDownloadError, match="lacks top/b, top/c"):
        _archive.extract_tar(archive, layout / "dest", required=["top/c", "top/b"])
    assert _everything(layout / "dest") == []


def _truncated(path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        add_file(tar, "top/a", bytes(range(256)) * 400)
    path.write_bytes(buffer.getvalue()[:-200])
    return path


MALFORMED = {
    "truncated-gzip": _truncated,
    "not-a-tar": lambda p: p.write_bytes(b"<html>Not found</html>") and p,
    "gzip-not-a-tar": lambda p: p.write_bytes(gzip.compress(b"hello " * 100)) and p,
    "empty": lambda p: p.write_bytes(b"") or p,
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_archive_is_a_clear_error(layout, case):
    archive = MALFORMED[case](layout / "bad.tar.gz")
    with pytest.raises(DatasetDownloadError, match="Could not extract .*bad.tar.gz"):
        _archive.extract_tar(archive, layout / "dest")
    assert _everything(layout / "dest") == []
