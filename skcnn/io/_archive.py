"""The zip archive of a model file: member names, size limits, bounded reads.

A model file is a zip archive holding ``format.json``, ``estimator.json``,
``arrays/N.npy`` and ``networks/N.keras`` (each network itself a zip
archive, Keras's ``.keras`` format). Nothing else is read. Before anything
is decompressed, the names and the sizes the archive declares are checked;
while reading, the bytes actually decompressed are counted against the
same limits, since a zip directory can lie about sizes. A nested ``.keras``
archive is checked the same way, member by member and decompressed in
full, before Keras opens it.

The limits below hold for a whole :func:`~skcnn.io.load`, nested archives
included. They are far above what skcnn's models take (a few megabytes to
a few hundred for the largest backbones) and keep a crafted file from
filling the memory or the disk.
"""

import re
import zipfile
import zlib

from ..exceptions import ModelFileError

#: Bytes one load may decompress in all: the members of the file and those
#: of the networks' ``.keras`` archives inside it (a network's bytes count
#: about twice: once as a member, once as its own members).
MAX_TOTAL_BYTES = 2 * 1024**3
#: Members one archive (the file, or a network inside it) may hold.
MAX_MEMBERS = 10_000
#: Bytes of ``estimator.json`` (and of ``format.json``).
MAX_JSON_BYTES = 64 * 1024**2

FORMAT_MEMBER = "format.json"
ESTIMATOR_MEMBER = "estimator.json"

#: The names a model file's members may have, all of them.
_MEMBER = re.compile(
    r"^(format\.json|estimator\.json|arrays/\d+\.npy|networks/\d+\.keras)$"
)
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_CHUNK = 1024**2
_LOCAL_HEADER = b"PK\x03\x04"


class Budget:
    """The bytes left to decompress in one load (:data:`MAX_TOTAL_BYTES`)."""

    def __init__(self, limit=None):
        self.limit = MAX_TOTAL_BYTES if limit is None else limit
        self.used = 0

    def reserve(self, n_bytes, what):
        """Count ``n_bytes`` more, or refuse when they pass the limit."""
        self.used += n_bytes
        if self.used > self.limit:
            raise ModelFileError(
                f"{what} decompresses past the limit of {self.limit:,} bytes "
                "that loading a model file allows (skcnn.io's MAX_TOTAL_BYTES): "
                "refused as a possible zip bomb."
            )


def unsafe_name(name):
    """Why ``name`` may not name a member (None when it may)."""
    if not name or "\x00" in name:
        return "an empty name or a NUL character"
    if "\\" in name:
        return "a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in name.split("/"):
        return "a '..' component"
    return None


def check_members(archive, what, *, budget, names=None):
    """Check an archive's directory before anything is decompressed.

    Every member's name must be safe (and match ``names``, a compiled
    pattern, when given); members may not repeat, be encrypted or use a
    compression other than stored or deflated; their count and declared
    sizes must fit the limits. Returns the members by name.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(
            f"{what} holds {len(infos):,} members, more than the "
            f"{MAX_MEMBERS:,} a model file may hold."
        )
    members = {}
    declared = 0
    for info in infos:
        name = info.orig_filename
        reason = unsafe_name(name) or unsafe_name(info.filename)
        if reason is not None:
            raise ModelFileError(
                f"{what} has a member named {name!r}, with {reason}: refused "
                "(a member's name must stay inside the archive)."
            )
        if names is not None and not names.match(name):
            raise ModelFileError(
                f"{what} has a member {name!r} that a skcnn model file does "
                "not hold (format.json, estimator.json, arrays/N.npy, "
                "networks/N.keras)."
            )
        if name in members:
            raise ModelFileError(f"{what} holds the member {name!r} twice.")
        if info.flag_bits & 0x1:
            raise ModelFileError(f"{what} has an encrypted member {name!r}.")
        if info.compress_type not in _COMPRESSIONS:
            raise ModelFileError(
                f"{what} compresses its member {name!r} with method "
                f"{info.compress_type}; a model file uses stored or deflated "
                "members only."
            )
        declared += info.file_size
        members[name] = info
    if declared > budget.limit - budget.used:
        raise ModelFileError(
            f"{what} declares {declared:,} bytes of members, more than the "
            f"{budget.limit - budget.used:,} left of the {budget.limit:,} that "
            "loading a model file allows (skcnn.io's MAX_TOTAL_BYTES): refused "
            "as a possible zip bomb."
        )
    return members


def is_model_archive(path):
    """Whether the file at ``path`` starts as a zip archive does.

    A model file starts with its first member; a file that merely contains
    a zip archive somewhere (a pickle holding a ``.keras`` network) does not.
    """
    with open(path, "rb") as file:
        return file.read(4) == _LOCAL_HEADER


def open_model_archive(path, what, budget):
    """The model file at ``path`` as an open ``ZipFile`` and its members."""
    if not is_model_archive(path):
        raise ModelFileError(
            f"{what} is not a skcnn model file: it is not a zip archive."
        )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ModelFileError(
            f"{what} is not a skcnn model file: it is not a zip archive."
        ) from None
    try:
        members = check_members(archive, what, budget=budget, names=_MEMBER)
    except BaseException:
        archive.close()
        raise
    return archive, members


def iter_member(archive, info, what, budget, limit=None):
    """The decompressed bytes of ``info`` in chunks, counted as they come.

    Refuses more bytes than the member declares, than ``limit`` or than the
    budget has left; a member that decompresses to other bytes than its
    checksum says is refused too.
    """
    declared = info.file_size
    if limit is not None and declared > limit:
        raise ModelFileError(
            f"{what}: the member {info.orig_filename!r} declares {declared:,} "
            f"bytes, more than the {limit:,} allowed for it."
        )
    seen = 0
    try:
        with archive.open(info) as member:
            while True:
                chunk = member.read(_CHUNK)
                if not chunk:
                    break
                seen += len(chunk)
                if seen > declared or (limit is not None and seen > limit):
                    raise ModelFileError(
                        f"{what}: the member {info.orig_filename!r} "
                        f"decompresses to more than the {declared:,} bytes "
                        "its header declares: refused as a possible zip bomb."
                    )
                budget.reserve(len(chunk), what)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(
            f"{what}: the member {info.orig_filename!r} is corrupt ({exc})."
        ) from None
    if seen != declared:
        raise ModelFileError(
            f"{what}: the member {info.orig_filename!r} holds {seen:,} bytes, "
            f"not the {declared:,} its header declares."
        )


def read_member(archive, info, what, budget, limit=None):
    """The whole decompressed member ``info``, as bytes (see :func:`iter_member`)."""
    return b"".join(iter_member(archive, info, what, budget, limit))


def check_nested_archive(path, what, budget):
    """Check the ``.keras`` archive at ``path`` before Keras opens it.

    Its directory is checked as the model file's is; then every member is
    decompressed once and counted, so that sizes a header understates are
    caught here rather than inside Keras.
    """
    try:
        if not is_model_archive(path):
            raise zipfile.BadZipFile
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ModelFileError(f"{what} is not a .keras (zip) archive.") from None
    with archive:
        members = check_members(archive, what, budget=budget)
        for info in members.values():
            for _ in iter_member(archive, info, what, budget):
                pass
