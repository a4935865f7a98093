"""``skcnn predict``: a saved model's predictions for image files.

The model is a file written by ``skcnn compare --dataset FOLDER --save
MODEL``: a fitted scikit-learn Pipeline (ImageLoader → PixelScaler →
CNNClassifier, or ImageLoader → PixelScaler → ImageEmbedder →
LogisticRegression) in skcnn's own format (:mod:`skcnn.io`, read without
running code from the file), or pickled with joblib, read only with
``--allow-pickle`` (:func:`load_model`, which ``skcnn explain`` shares).
Folders are searched recursively for image files, which are decoded and
predicted in batches; one row per file (path, predicted label, its
probability) goes to stdout as it is ready.

A batch is decoded into one array, unless that array and its float32 copy
would exceed ``--memory-budget`` or the model's ImageLoader streams (a model
saved from a streamed ``skcnn compare`` run): then each batch goes to the
network as an :class:`~skcnn.preprocessing.ImageStream`, which decodes it
one network batch at a time.
"""

import copy
import csv
import json
import os
import sys

import numpy as np

from . import _args, _report
from ._errors import CommandError

FORMATS = ("table", "csv", "json")

#: Bytes a batch decoded in memory holds per pixel value, for the budget:
#: 1 for the uint8 images and 4 for the float32 copy PixelScaler makes.
BYTES_PER_VALUE = 5


def add_parser(commands):
    """Register ``predict`` on the subparsers action ``commands``."""
    predict = commands.add_parser(
        "predict",
        help="predict image files with a model saved by `skcnn compare --save`",
        description="Load a model saved by `skcnn compare --dataset FOLDER "
        "--save MODEL` and print the predicted label and its probability for "
        "each image file. Folders are searched recursively. A .skcnn model "
        "file loads without running code from it; a pickle (.joblib, .pkl) "
        "runs code stored in it and needs --allow-pickle.",
    )
    _args.add_model_and_inputs(predict)
    predict.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="output format (default: %(default)s)",
    )
    predict.add_argument(
        "--batch-size",
        type=_args.positive_int,
        default=256,
        help="images decoded and predicted at a time (default: %(default)s)",
    )
    _args.add_memory_budget_option(
        predict,
        "the memory a batch of --batch-size images may take, decoded and "
        f"scaled ({BYTES_PER_VALUE} bytes per pixel value: 1 for the image, 4 "
        "for its float32 copy). Beyond it, or when the model's ImageLoader "
        "streams (saved from a streamed skcnn compare run), each batch goes to "
        "the network as a stream, decoded a network batch at a time.",
    )
    _args.add_allow_pickle_option(predict)
    predict.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines on stderr",
    )
    predict.add_argument(
        "--verbose",
        action="store_true",
        help="print on stderr, before the predictions, the versions of skcnn, "
        "scikit-learn, Keras and TensorFlow the model was saved with and "
        "those running",
    )
    predict.set_defaults(run=run, check=lambda parser, args: None, subparser=predict)
    return predict


def display_path(path):
    """``path`` as printable text: undecodable bytes of a name become ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def find_images(inputs):
    """Image files named by ``inputs``: files as given, folders searched.

    A folder is searched as :func:`~skcnn.datasets.load_image_folder`
    searches a class folder: recursively, for names ending in an image
    extension in any letter case, hidden files and folders left out, links
    to folders followed once (a link loop ends); its files come sorted.
    """
    from ..datasets._folder import _image_files
    from ..preprocessing._pillow import IMAGE_EXTENSIONS

    files = []
    for path in inputs:
        if path.is_dir():
            found = _image_files(str(path))
            if not found:
                raise CommandError(
                    f"no image files ({', '.join(IMAGE_EXTENSIONS)}) found in "
                    f"{display_path(path)}"
                )
            files.extend(found)
        elif path.exists():
            files.append(str(path))
        else:
            raise CommandError(f"no such file or folder: {display_path(path)}")
    return files


def _check_model_file(path):
    if not path.exists():
        raise CommandError(f"no such model file: {display_path(path)}")
    if path.is_dir():
        raise CommandError(
            f"expected a model file, got the folder {display_path(path)}"
        )


def _is_skcnn_model(model):
    """A fitted Pipeline ending in CNNClassifier, or with an ImageEmbedder."""
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import check_is_fitted

    from .. import CNNClassifier, ImageEmbedder

    if not isinstance(model, Pipeline):
        return False
    final = model[-1]
    if isinstance(final, CNNClassifier):
        return hasattr(final, "model_")
    steps = [step for _, step in model.steps[:-1]]
    if not any(isinstance(step, ImageEmbedder) for step in steps):
        return False
    if not hasattr(final, "predict_proba"):
        return False
    try:
        check_is_fitted(final)
    except NotFittedError:
        return False
    return True


def _read_model(path, allow_pickle):
    """What the file at ``path`` holds: a .skcnn archive, or a pickle if allowed."""
    from ..io._archive import is_model_archive

    # A pickle may hold a zip archive (a network) inside it: a model file
    # is one from its first byte.
    if is_model_archive(path):
        from ..io import load

        # Errors name the file and what is wrong with it (ValueError: one
        # line from the command).
        return load(path)
    if not allow_pickle:
        raise CommandError(
            f"{display_path(path)} is not a .skcnn model file. If it is a "
            "pickle (a .joblib or .pkl file, as skcnn compare --save "
            "MODEL.joblib writes), loading it runs code stored in the file: "
            "pass --allow-pickle to load it, only if you trust where it came "
            "from. skcnn compare --save MODEL.skcnn writes a file that loads "
            "without running code from it."
        )
    import joblib

    from ..exceptions import IncompatibleModelError

    try:
        return joblib.load(path)
    except IncompatibleModelError:
        raise
    except EOFError:  # its message is a fragment of the stream
        raise CommandError(
            f"{display_path(path)} is not a skcnn model file: it ends before the "
            "pickled data does (an empty or truncated file)"
        ) from None
    except Exception as exc:
        raise CommandError(
            f"{display_path(path)} is not a skcnn model file (joblib cannot "
            f"load it: {type(exc).__name__}: {exc})"
        ) from None


def load_model(path, *, allow_pickle=False):
    """The file pipeline saved in ``path``, or a :class:`CommandError`.

    A .skcnn file is read with :func:`skcnn.io.load`; any other file is
    taken for a pickle and read with joblib, only with ``allow_pickle``
    (``--allow-pickle``): unpickling runs code stored in the file.
    """
    _check_model_file(path)
    from .. import ImageLoader

    model = _read_model(path, allow_pickle)
    if not _is_skcnn_model(model):
        raise CommandError(
            f"{display_path(path)} holds a {type(model).__name__}, not a skcnn "
            "model (a fitted Pipeline ending in CNNClassifier, or with an "
            "ImageEmbedder before its classifier, as written by skcnn compare "
            "--save)"
        )
    if not isinstance(model[0], ImageLoader):
        raise CommandError(
            f"{display_path(path)} is a model for image arrays (saved from a "
            "named dataset); skcnn predict needs one that takes image files, "
            "saved by skcnn compare --dataset FOLDER --save. In Python, load it "
            "with skcnn.io.load (joblib.load for a pickle) and call its predict "
            "on arrays."
        )
    return model


def _load_batch(loader, files):
    """Decode ``files``; returns the images, the files read and the failures."""
    try:
        return loader.transform(files), files, []
    except OSError:  # find which files failed; decode the others
        pass
    images, read, failed = [], [], []
    for path in files:
        try:
            images.append(loader.transform([path])[0])
            read.append(path)
        except OSError as exc:
            failed.append(exc)
    return (np.stack(images) if images else None), read, failed


class _Rows:
    """Write prediction rows to ``stream`` in one of :data:`FORMATS`."""

    def __init__(self, fmt, stream, path_width, label_width):
        self.fmt, self.stream, self.n = fmt, stream, 0
        self.widths = (max(path_width, 4), max(label_width, 5))
        if fmt == "csv":
            self.csv = csv.writer(stream, lineterminator="\n")
            self.csv.writerow(["path", "label", "probability"])
        elif fmt == "table":
            self._line("path", "label", "probability")
            self._line("-" * self.widths[0], "-" * self.widths[1], "-" * 11)

    def _line(self, path, label, probability):
        w_path, w_label = self.widths
        print(f"{path:<{w_path}}  {label:<{w_label}}  {probability}", file=self.stream)

    def write(self, path, label, probability):
        if self.fmt == "table":
            self._line(path, label, f"{probability:.4f}")
        elif self.fmt == "csv":
            self.csv.writerow([path, label, repr(probability)])
        else:
            row = {"path": path, "label": label, "probability": probability}
            self.stream.write(("[\n  " if self.n == 0 else ",\n  ") + json.dumps(row))
        self.n += 1

    def close(self):
        if self.fmt == "json":
            self.stream.write("[]\n" if self.n == 0 else "\n]\n")
        self.stream.flush()


def _stream_batch(loader, network, files):
    """Probabilities of ``files`` through a streaming ``loader``, and failures.

    A stream decodes its files as the network reads them: when one cannot
    be read, each file is decoded alone to find which, and the others are
    predicted.
    """
    try:
        return network.predict_proba(loader.transform(files)), files, []
    except OSError:
        pass
    read, failed = [], []
    for path in files:
        try:
            loader.transform([path]).read()
            read.append(path)
        except OSError as exc:
            failed.append(exc)
    proba = network.predict_proba(loader.transform(read)) if read else None
    return proba, read, failed


def _predict_batch(loader, network, files):
    """Probabilities of the readable ``files``, those files and the failures."""
    if getattr(loader, "stream", False):
        return _stream_batch(loader, network, files)
    images, read, failed = _load_batch(loader, files)
    proba = None if images is None else network.predict_proba(images)
    return proba, read, failed


def _streaming_loader(loader, n_files, args):
    """``loader``, or a copy that streams, and why it streams (None: it does not)."""
    # A loader pickled before ImageLoader could stream has no such setting.
    if getattr(loader, "stream", False):
        return loader, "the model's ImageLoader streams"
    budget = _args.MEMORY_BUDGET if args.memory_budget is None else args.memory_budget
    h, w = loader.image_size_
    batch = min(args.batch_size, n_files)
    estimate = batch * h * w * loader.n_channels_ * BYTES_PER_VALUE
    if estimate <= budget:
        return loader, None
    streaming = copy.copy(loader)
    streaming.stream = True
    return streaming, (
        f"a batch of {batch:,} images at {h}x{w} would take about "
        f"{_args.format_bytes(estimate)} in memory, more than --memory-budget "
        f"{_args.format_bytes(budget)}"
    )


def print_versions(model, path):
    """Print on stderr the versions ``model``'s file recorded and the running ones.

    One line per estimator holding a network (CNNClassifier, ImageEmbedder)
    in the pipeline, with the versions its file recorded for it (both a
    pickle and a .skcnn file record them; a pickle from before skcnn did
    has none), then the running versions.
    """
    from .. import CNNClassifier, ImageEmbedder
    from .._versions import current_versions, recorded_versions
    from ..exceptions import format_versions

    steps = [step for _, step in model.steps] if hasattr(model, "steps") else [model]
    for step in steps:
        if isinstance(step, CNNClassifier | ImageEmbedder):
            versions = recorded_versions(step)
            text = (
                "no versions recorded"
                if versions is None
                else format_versions(versions)
            )
            print(
                f"{display_path(path)}: {type(step).__name__} saved with {text}",
                file=sys.stderr,
            )
    print(f"running {format_versions(current_versions())}", file=sys.stderr)


def run(args):
    """Run ``skcnn predict``; return the number of files predicted."""
    from ._data import _warnings_as_lines

    _check_model_file(args.model)  # before the slow part
    files = find_images(args.inputs)
    # A model saved under other versions warns: one line, like any error.
    with _warnings_as_lines():
        model = load_model(args.model, allow_pickle=args.allow_pickle)
    if args.verbose:
        print_versions(model, args.model)
    loader, network = model[0], model[1:]
    loader, reason = _streaming_loader(loader, len(files), args)
    if reason is not None and not args.quiet:
        print(
            f"streaming the images to the network, one network batch at a "
            f"time: {reason}",
            file=sys.stderr,
            flush=True,
        )
    labels = [
        label.item() if hasattr(label, "item") else label for label in model.classes_
    ]
    rows = _Rows(
        args.format,
        sys.stdout,
        max(len(display_path(path)) for path in files),
        max(len(str(label)) for label in labels),
    )
    progress = _report.Progress(
        "predicting",
        len(files),
        enabled=not args.quiet and len(files) > args.batch_size,
    )
    failures = []
    for start in range(0, len(files), args.batch_size):
        proba, read, failed = _predict_batch(
            loader, network, files[start : start + args.batch_size]
        )
        failures.extend(failed)
        if proba is not None:
            for path, row in zip(read, proba, strict=True):
                best = int(np.argmax(row))
                rows.write(display_path(path), labels[best], float(row[best]))
        progress.show(min(start + args.batch_size, len(files)))
    progress.close()
    rows.close()
    if failures:
        listed = "\n  ".join(str(exc) for exc in failures[:20])
        more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
        raise CommandError(
            f"{len(failures)} of {len(files)} files could not be read as images "
            f"and have no prediction:\n  {listed}{more}"
        )
    return rows.n
