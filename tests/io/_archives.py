"""Model files rewritten member by member, for the tests that tamper with them."""

import io
import json
import zipfile


def members(path):
    """The members of the zip archive at ``path``, name -> bytes."""
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_archive(path, contents, compression=zipfile.ZIP_DEFLATED):
    """Write ``contents`` (name -> bytes) as a zip archive at ``path``."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    return path


def archive_bytes(contents, compression=zipfile.ZIP_DEFLATED):
    """``contents`` as the bytes of a zip archive."""
    buffer = io.BytesIO()
    write_archive(buffer, contents, compression)
    return buffer.getvalue()


def rewrite(source, target, **changes):
    """Copy the archive ``source`` to ``target`` with members changed.

    Each keyword is a member name with ``/`` written ``__`` and ``.`` written
    ``_`` as in ``estimator_json``; its value is the new bytes, a function of
    the old bytes, or None to remove the member. Use :func:`rewrite_members`
    for names that do not fit a keyword.
    """
    return rewrite_members(source, target, {_name(k): v for k, v in changes.items()})


def rewrite_members(source, target, changes):
    contents = members(source)
    for name, change in changes.items():
        if change is None:
            contents.pop(name, None)
        elif callable(change):
            contents[name] = change(contents[name])
        else:
            contents[name] = change
    return write_archive(target, contents)


def _name(keyword):
    folder, _, rest = keyword.rpartition("__")
    stem, _, suffix = rest.rpartition("_")
    name = f"{stem}.{suffix}"
    return f"{folder}/{name}" if folder else name


def edit_json(function):
    """A change for :func:`rewrite`: the JSON member passed through ``function``."""

    def change(data):
        document = json.loads(data)
        result = function(document)
        return json.dumps(document if result is None else result).encode()

    return change


def lie_about_size(data, name, declared):
    """A zip archive's bytes with ``name``'s uncompressed size set to ``declared``.

    Both the local header and the central directory say ``declared``; the
    data and its checksum stay as they were.
    """
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(name)
        offset = info.header_offset
        real = info.file_size
    # Local file header: uncompressed size at offset 22.
    assert data[offset : offset + 4] == b"PK\x03\x04"
    data[offset + 22 : offset + 26] = declared.to_bytes(4, "little")
    # Central directory entries: uncompressed size at offset 24.
    start = 0
    while (start := data.find(b"PK\x01\x02", start)) != -1:
        name_length = int.from_bytes(data[start + 28 : start + 30], "little")
        if data[start + 46 : start + 46 + name_length] == name.encode():
            assert int.from_bytes(data[start + 24 : start + 28], "little") == real
            data[start + 24 : start + 28] = declared.to_bytes(4, "little")
        start += 4
    return bytes(data)
