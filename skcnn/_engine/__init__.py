"""The estimator's TensorFlow-bound internals.

Everything here imports TensorFlow (through :mod:`.runtime`); nothing
outside this package but :mod:`skcnn.classifier`, :mod:`skcnn.architectures`,
:func:`skcnn.inspection.saliency` (on its first call) and the parts of
:mod:`skcnn.plotting` and :mod:`skcnn.cli` that need a network does. One
module per concept:

- ``runtime``: TensorFlow and Keras brought up quietly, once; the release of
  what TensorFlow keeps of traced training steps.
- ``bridge``: ``KerasImageClassifier``, the scikeras ``BaseWrapper``
  subclass that runs the fit and predict flow.
- ``plan``: ``FitPlan``, the state of one fit, and the seeds it derives.
- ``parameters``: parameter names and routing ("did you mean"), the rules
  that need Keras, ``Model.compile`` arguments, the ``epochs="auto"`` rule.
- ``data``: the one place training data reach TensorFlow (seeded batches,
  stratified hold-out, arrays shared without copies).
- ``training``: one ``Model.fit`` run, sample weights, the loss and the
  learning-rate schedule.
- ``fingerprint``: what identifies a fit (its data, hyperparameters, start
  and library versions), hashed; ``checkpoints``: a fit's training state
  kept on disk under its fingerprint, to resume it.
- ``inference``: the forward pass compiled once per fitted model.
- ``saliency``: a fitted network's logits, input gradients and class
  activation maps, compiled once per network, method and layer.
- ``backbones``: pretrained feature extractors, in four forms; ``adaptation``:
  the layers that feed them; ``freezing``: which of their layers train;
  ``fine_tuning``: training around them in two phases; ``weights``: their
  ImageNet weights files, fetched with a timeout.
"""

# First of all: TensorFlow and Keras brought up quietly, with the backend
# checked, before any module of the package (or scikeras) imports them.
from . import runtime  # noqa: E402, F401
