"""A seeded, checkpointed fit in a process of its own, for the fault tests.

``python -m tests._checkpoint_worker FOLDER OUT [--block-at EPOCH]`` fits
:func:`estimator` on :func:`data` with ``checkpoint=FOLDER``. It appends
each epoch it trains to ``OUT/epochs.txt`` as it goes and, when the fit
completes, writes ``OUT/proba.npy`` and ``OUT/history.json``. With
``--block-at``, it stops at the start of that epoch (after the states of
the epochs before it are saved), writes ``OUT/blocked`` and waits there
until it is signalled. Ctrl-C (SIGINT) makes it exit with code 130.
"""

import argparse
import json
import sys
import time
from pathlib import Path

#: The fit: dropout, augmentation, a validation hold-out, early stopping and
#: the one-cycle schedule, so that a resumed fit has all of them to restore.
PARAMS = dict(
    filters=(4,),
    dense_units=16,
    dropout=0.25,
    shift=0.1,
    epochs=5,
    batch_size=32,
    learning_rate=0.01,
    validation_split=0.2,
    early_stopping=3,
    random_state=0,
)


def data():
    """200 of scikit-learn's 8x8 digits, scaled to [0, 1], and their labels."""
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data[:200] / 16).astype(np.float32), digits.target[:200]


def estimator(**params):
    from skcnn import CNNClassifier

    return CNNClassifier(**{**PARAMS, **params})


def _recorder(out, block_at):
    from skcnn._engine.runtime import keras

    class Recorder(keras.callbacks.Callback):
        """Records the epochs trained; waits at the start of ``block_at``."""

        def on_epoch_begin(self, epoch, logs=None):
            if epoch == block_at:
                (out / "blocked").write_text(str(epoch))
                while True:  # until a signal ends the wait
                    time.sleep(0.05)

        def on_epoch_end(self, epoch, logs=None):
            with open(out / "epochs.txt", "a") as log:
                log.write(f"{epoch}\n")

    return Recorder()


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--block-at", type=int)
    args = parser.parse_args(argv)
    X, y = data()
    model = estimator(
        checkpoint=args.folder, callbacks=[_recorder(args.out, args.block_at)]
    )
    try:
        model.fit(X, y)
    except KeyboardInterrupt:
        return 130
    import numpy as np

    np.save(args.out / "proba.npy", model.predict_proba(X))
    (args.out / "history.json").write_text(json.dumps(model.history_))
    return 0


if __name__ == "__main__":
    sys.exit(main())
