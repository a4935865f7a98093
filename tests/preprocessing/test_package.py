"""The public import paths of skcnn.preprocessing, and that it needs no TensorFlow."""

import subprocess
import sys
from pathlib import Path

import pytest

import skcnn
from skcnn import preprocessing

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_public_import_paths():
    from skcnn._validation import infer_image_shape
    from skcnn.preprocessing._reshaper import ImageReshaper
    from skcnn.preprocessing._scaler import PixelScaler

    assert preprocessing.ImageReshaper is ImageReshaper is skcnn.ImageReshaper
    assert preprocessing.PixelScaler is PixelScaler is skcnn.PixelScaler
    assert preprocessing.infer_image_shape is infer_image_shape
    assert set(preprocessing.__all__) >= {
        "ImageReshaper",
        "PixelScaler",
        "infer_image_shape",
    }


def _run(code):
    """Run ``code`` in a fresh interpreter and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.slow
def test_transformers_do_not_import_tensorflow():
    code = (
        "import skcnn, sys; skcnn.ImageReshaper(); skcnn.PixelScaler(); "
        "print('tensorflow' in sys.modules)"
    )
    assert _run(code) == "False"


@pytest.mark.slow
def test_fit_transform_does_not_import_tensorflow():
    code = (
        "import sys, numpy as np; from skcnn import ImageReshaper, PixelScaler; "
        "X = np.zeros((2, 48), dtype=np.uint8); "
        "PixelScaler(method='standard').fit_transform("
        "ImageReshaper().fit_transform(X)); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert _run(code) == "False False"
