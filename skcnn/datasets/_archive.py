"""Safe extraction of downloaded tar archives.

Every member is checked before anything is written: only regular files and
folders with relative paths that stay inside the destination are accepted;
absolute paths, ``..`` components, links, devices and FIFOs are refused with
a :class:`DatasetDownloadError` naming the archive and the member. Where
Python has extraction filters (3.10.12, 3.11.4, 3.12 and later), tarfile's
``"data"`` filter is applied as well. Files are extracted into a temporary
folder inside the destination and moved into place one by one, each whole
(:mod:`skcnn._atomic`), so a truncated or malformed archive leaves nothing
half-written behind, and a process killed while extracting leaves a
temporary folder that the next write there removes.
"""

import gzip
import lzma
import os
import tarfile
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

from .. import _atomic
from ._download import DatasetDownloadError

#: Keyword arguments of ``TarFile.extractall``: the "data" filter if available.
EXTRACT_OPTIONS = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}

#: What the "data" filter raises for a member it refuses (nothing without it).
_FILTER_ERROR = getattr(tarfile, "FilterError", ())
#: What reading a truncated, corrupted or foreign file raises.
_UNREADABLE = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError)


def extract_tar(archive, destination, *, required=()):
    """Extract the tar archive ``archive`` (any compression) into ``destination``.

    Parameters
    ----------
    archive : path-like
        The archive.
    destination : path-like
        Existing folder to extract into; members keep their relative paths.
    required : iterable of str, default=()
        Member names that must be regular files in the archive.

    Returns
    -------
    extracted : list of Path
        The regular files written, under ``destination``.
    """
    archive, destination = Path(archive), Path(destination)
    try:
        with tarfile.open(archive) as tar:
            members = tar.getmembers()
            for member in members:
                _check_member(member, archive)
            files = [m.name for m in members if m.isfile()]
            missing = sorted(set(required) - set(files))
            if missing:
                raise DatasetDownloadError(
                    f"{archive} lacks {', '.join(missing)}: it is not the "
                    f"expected archive. Delete it to download it again."
                )
            with _atomic.temporary_folder(destination / archive.name) as staging:
                tar.extractall(staging, members=members, **EXTRACT_OPTIONS)
                return _move_files(staging, destination)
    except _FILTER_ERROR as exc:
        raise DatasetDownloadError(f"Refused to extract {archive}: {exc}") from exc
    except _UNREADABLE as exc:
        detail = str(exc).splitlines()[0].rstrip(":") if str(exc) else ""
        raise DatasetDownloadError(
            f"Could not extract {archive}: it is truncated, corrupted or not a "
            f"tar archive ({type(exc).__name__}: {detail}). Delete it to "
            f"download it again."
        ) from exc


def _check_member(member, archive):
    """Refuse a member that is not a plain file or folder inside the destination."""
    name = member.name
    posix, windows = PurePosixPath(name), PureWindowsPath(name)
    if posix.is_absolute() or windows.anchor or ".." in posix.parts + windows.parts:
        raise DatasetDownloadError(
            f"Refused to extract {archive}: its member {name!r} would be written "
            f"outside the destination folder."
        )
    if not (member.isfile() or member.isdir()):
        kind = "link" if member.issym() or member.islnk() else "special file"
        raise DatasetDownloadError(
            f"Refused to extract {archive}: its member {name!r} is a {kind}; "
            f"only regular files and folders are extracted."
        )


def _move_files(staging, destination):
    """Move the regular files extracted under ``staging`` to ``destination``."""
    moved = []
    for folder, _, names in os.walk(staging):  # links are never followed
        for name in sorted(names):
            source = Path(folder) / name
            if source.is_symlink() or not source.is_file():
                continue
            target = destination / source.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic.move_into_place(source, target)
            moved.append(target)
    return sorted(moved)
