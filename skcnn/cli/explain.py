"""``skcnn explain``: a saved CNN's saliency map for each image file.

The model is one ``skcnn predict`` takes (loaded by
:func:`skcnn.cli.predict.load_model`), ending in a CNNClassifier: saliency
maps need the network. Folders are searched as ``skcnn predict`` searches
them. The files are decoded and explained in batches; each gets one PNG in
``--out``: the image as the network sees it, the map over it, its predicted
label and that label's probability.
"""

import copy
import os
from collections import Counter
from pathlib import Path

# Importing these does not bring TensorFlow up, so the parser stays fast.
from ..inspection._saliency import DEFAULT_METHOD, METHODS
from . import _args, _report, _saliency, predict
from ._errors import CommandError


def add_parser(commands):
    """Register ``explain`` on the subparsers action ``commands``."""
    explain = commands.add_parser(
        "explain",
        help="draw a saved CNN's saliency map for each image file",
        description="Load a CNN model saved by `skcnn compare --dataset "
        "FOLDER --save MODEL` and write, for each image file, a PNG of the "
        "image with its saliency map over it: where the network found the "
        "evidence for its prediction. Folders are searched recursively. "
        "Models load as for `skcnn predict`: a .skcnn file without running "
        "code from it, a pickle (.joblib, .pkl) only with --allow-pickle.",
    )
    _args.add_model_and_inputs(explain)
    explain.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder for the pictures, one NAME.png per image file, named "
        "after the file's path below the folder the inputs share (cat__001.png "
        "for cat/001.jpg)",
    )
    explain.add_argument(
        "--method",
        choices=METHODS,
        default=None,
        help="saliency method: hirescam (gradient x activation at the last "
        "convolution), gradcam (gradients averaged over space), gradients "
        "(of the input pixels) or occlusion (covering patches, slower) "
        f"(default: {DEFAULT_METHOD})",
    )
    explain.add_argument(
        "--target",
        metavar="LABEL",
        help="explain the evidence for this class instead of each image's "
        "predicted class",
    )
    explain.add_argument(
        "--batch-size",
        type=_args.positive_int,
        default=32,
        help="images decoded and explained at a time (default: %(default)s)",
    )
    _args.add_allow_pickle_option(explain)
    explain.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines on stderr",
    )
    explain.set_defaults(run=run, check=check, subparser=explain)
    return explain


def check(parser, args):
    """Usage errors that argparse cannot see alone."""
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"argument --out: expected a folder, got the file {args.out}")


def output_names(files):
    """A distinct PNG name for each of ``files``, from its path.

    A file is named after its path below the folder all ``files`` share,
    its parts joined by ``__`` and its extension dropped:
    ``cat/001.jpg`` becomes ``cat__001.png``. Files that would share a name
    keep their extension (``001_jpg.png``, ``001_png.png``), then a number
    (``001-2.png``) if that is not enough.
    """
    paths = [Path(os.path.abspath(f)) for f in files]
    if not paths:
        return []
    root = Path(os.path.commonpath([p.parent for p in paths]))
    stems = ["__".join(p.relative_to(root).with_suffix("").parts) for p in paths]
    # Files, not mentions: a file given twice keeps its plain name.
    counts = Counter(stem for stem, _ in dict.fromkeys(zip(stems, paths, strict=True)))
    stems = [
        f"{stem}_{p.suffix.lstrip('.')}" if counts[stem] > 1 and p.suffix else stem
        for stem, p in zip(stems, paths, strict=True)
    ]
    names, taken = [], Counter()
    for stem in stems:
        taken[stem] += 1
        names.append(stem if taken[stem] == 1 else f"{stem}-{taken[stem]}")
    # A numbered name may meet a file's own name ("a-2"); number on.
    seen, unique = set(), []
    for name in names:
        base, n = name, 1
        while name.lower() in seen:  # case-insensitive file systems too
            n += 1
            name = f"{base}-{n}"
        seen.add(name.lower())
        unique.append(f"{name}.png")
    return unique


def _classifier_pipeline(model, path):
    """The model's loader and its steps up to the CNNClassifier."""
    from .. import CNNClassifier

    if not isinstance(model[-1], CNNClassifier):
        steps = " -> ".join(type(step).__name__ for _, step in model.steps)
        raise CommandError(
            f"{predict.display_path(path)} holds {steps}; skcnn explain needs a "
            "model ending in CNNClassifier (saliency maps are computed from "
            "the network's own layers)"
        )
    loader = model[0]
    if getattr(loader, "stream", False):
        # A batch is decoded at once anyway: --batch-size bounds it.
        loader = copy.copy(loader)
        loader.stream = False
    return loader, model[1:]


def _target(model, text):
    """The class named ``text`` among the model's classes (None: no --target)."""
    if text is None:
        return None
    for label in model.classes_:
        if str(label) == text:
            return label.item() if hasattr(label, "item") else label
    classes = ", ".join(str(label) for label in model.classes_)
    raise CommandError(f"unknown --target {text!r}; the model's classes are {classes}")


def run(args):
    """Run ``skcnn explain``; return the number of pictures written."""
    from ..inspection import saliency
    from ..inspection._saliency import explained_images
    from ._data import _warnings_as_lines

    predict._check_model_file(args.model)  # before the slow part
    _report.check_folders({"--out": (args.out, args.out)})
    # A file named twice (as a file and inside a folder) is drawn once.
    files = list(dict.fromkeys(predict.find_images(args.inputs)))
    # A model saved under other versions warns: one line, like any error.
    with _warnings_as_lines():
        model = predict.load_model(args.model, allow_pickle=args.allow_pickle)
    loader, network = _classifier_pipeline(model, args.model)
    target = _target(model, args.target)
    method = args.method or DEFAULT_METHOD
    args.out.mkdir(parents=True, exist_ok=True)
    names = output_names(files)
    progress = _report.Progress(
        "explaining",
        len(files),
        enabled=not args.quiet and len(files) > args.batch_size,
    )
    failures, written = [], 0
    for start in range(0, len(files), args.batch_size):
        batch = files[start : start + args.batch_size]
        decoded, read, failed = predict._load_batch(loader, batch)
        failures.extend(failed)
        if decoded is not None:
            classifier, images = explained_images(network, decoded)
            maps = saliency(
                classifier,
                images,
                method=method,
                target=target,
                batch_size=args.batch_size,
            )
            proba = classifier.predict_proba(images)
            batch_names = _names_of(read, batch, names[start : start + len(batch)])
            for i, (path, name) in enumerate(zip(read, batch_names, strict=True)):
                best = int(proba[i].argmax())
                title = _title(path, model.classes_[best], proba[i, best], args.target)
                _saliency.file_picture(
                    images[i], maps[i], title, method, args.out / name
                )
                written += 1
        progress.show(min(start + args.batch_size, len(files)))
    progress.close()
    print(f"{written} {method} saliency maps written to {args.out}/")
    if failures:
        listed = "\n  ".join(str(exc) for exc in failures[:20])
        more = f"\n  ... and {len(failures) - 20} more" if len(failures) > 20 else ""
        raise CommandError(
            f"{len(failures)} of {len(files)} files could not be read as images "
            f"and have no saliency map:\n  {listed}{more}"
        )
    return written


def _names_of(read, batch, names):
    """The names of the files ``read``, a sublist of ``batch`` in its order."""
    found, j = [], 0
    for path, name in zip(batch, names, strict=True):
        if j < len(read) and read[j] == path:
            found.append(name)
            j += 1
    return found


def _title(path, label, probability, target):
    """A picture's title: the file's name, the prediction and the map's class."""
    name = predict.display_path(Path(path).name)
    lines = [name, f"pred: {label} ({probability:.2f})"]
    if target is not None:
        lines.append(f"evidence for: {target}")
    return "\n".join(lines)
