"""The TensorFlow side of saliency maps: a fitted network's logits and gradients.

A classifier's network ends in a softmax (or a sigmoid), whose gradients
vanish once the network is confident. Saliency is computed on the logits
instead: the network's graph is run node by node, as its own call runs
it, with the last layer's activation left out (a last ``Dense`` layer is
applied without it: its input times its kernel, plus its bias) and the
chosen layer's feature map kept, also inside a nested model such as the
``"backbone"`` of :func:`~skcnn.architectures.build_transfer_cnn`. Nothing
of the fitted model is modified, copied or re-wired.

Each function is a ``tf.function`` with a fixed input signature (any number
of float32 images of the fitted shape, one int32 class index each), traced
once per fitted model, method and layer. They are cached in a dictionary
keyed weakly on the Keras model: a model's functions go when the model
goes.
"""

import threading
import weakref

from .._compat import inference_call, producing_layer, run_graph
from .runtime import keras, tf

__all__ = ["SaliencyNetwork", "saliency_network"]

_CACHE = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()

# The layers whose output the default class activation map is computed on.
_CONVOLUTIONS = (
    keras.layers.Conv2D,
    keras.layers.DepthwiseConv2D,
    keras.layers.SeparableConv2D,
    keras.layers.Conv2DTranspose,
)


def saliency_network(model, input_shape):
    """The :class:`SaliencyNetwork` of ``model``, made once and cached."""
    input_shape = tuple(int(v) for v in input_shape)
    with _CACHE_LOCK:
        network = _CACHE.get(model)
        if network is None or network.input_shape != input_shape:
            network = SaliencyNetwork(model, input_shape)
            _CACHE[model] = network
        return network


def _is_model(layer):
    return isinstance(layer, keras.Model)


def _runnable(model):
    return isinstance(model, keras.Sequential) or hasattr(model, "_run_through_graph")


def _output_shape(layer):
    """The shape of ``layer``'s single output, or None."""
    try:
        output = layer.outputs[0] if _is_model(layer) else layer.output
    except (AttributeError, ValueError, IndexError):  # never called, or several
        return None
    shape = getattr(output, "shape", None)
    return None if shape is None else tuple(shape)


def _feature_maps(model, prefix=()):
    """``(path, shape)`` of every layer with a 4-D output, nested ones first."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        path = (*prefix, layer.name)
        if _is_model(layer) and _runnable(layer):
            found += _feature_maps(layer, path)
        shape = _output_shape(layer)
        if shape is not None and len(shape) == 4:
            found.append((path, shape))
    return found


def _last_convolution(model):
    """The path of the last convolution layer, nested models searched too."""
    found = None
    for layer in model.layers:
        if _is_model(layer) and _runnable(layer):
            inner = _last_convolution(layer)
            if inner is not None:
                found = (layer.name, *inner)
        elif isinstance(layer, _CONVOLUTIONS):
            found = (layer.name,)
    return found


def _activation_name(layer):
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    if isinstance(layer, (keras.layers.Dense, keras.layers.Activation)):
        return getattr(layer.activation, "__name__", "")
    return ""


def _run(model, x, path, skip, record):
    """``model``'s graph on ``x``, in inference mode.

    The output of the layer at ``path`` (names, outer first) is appended to
    ``record``; the layer ``skip`` passes its input on instead of computing.
    """

    def wrap(layer, call):
        def node(*args, **kwargs):
            if layer is skip:
                return args[0]
            if path and getattr(layer, "name", None) == path[0]:
                if len(path) > 1:
                    output = _run(layer, args[0], path[1:], None, record)
                else:
                    output = call(*args, **kwargs)
                    record.append(output)
                return output
            return call(*args, **kwargs)

        return node

    if isinstance(model, keras.Sequential):
        for layer in model.layers:
            x = wrap(layer, inference_call(layer))(x)
        return x
    return run_graph(model, x, wrap)


class SaliencyNetwork:
    """Compiled logits and gradients of one fitted network.

    Parameters
    ----------
    model : keras.Model
        The fitted network, single input and single output; held weakly.
    input_shape : tuple of int
        Channels-last shape ``(height, width, channels)`` of one image.
    """

    def __init__(self, model, input_shape):
        if not _runnable(model) or len(model.inputs) != 1 or len(model.outputs) != 1:
            raise ValueError(
                "Saliency maps need a functional or sequential Keras network "
                f"of one input and one output; got {type(model).__name__} "
                f"{model.name!r}."
            )
        self.input_shape = tuple(input_shape)
        self._model = weakref.ref(model)
        self._skip, self._to_logits = _logit_head(model)
        self.feature_maps = _feature_maps(model)
        self.default_layer = _last_convolution(model)
        self._functions = {}
        self._lock = threading.Lock()
        self._signature = [
            tf.TensorSpec((None, *self.input_shape), tf.float32, name="images"),
            tf.TensorSpec((None,), tf.int32, name="targets"),
        ]

    def layer_names(self):
        """The names :meth:`resolve_layer` takes, nested ones as ``"outer/inner"``."""
        return ["/".join(path) for path, _ in self.feature_maps]

    def resolve_layer(self, layer):
        """The path of the feature map named ``layer`` (None: the default).

        ``layer`` is a top-level layer's name, a nested layer's path
        ``"outer/inner"`` or a nested layer's own name when no other layer
        has it. The default is the output of the last convolution layer.
        """
        if layer is None:
            if self.default_layer is None:
                raise ValueError(
                    "The network has no convolution layer, whose feature map a "
                    "class activation map is computed on. Use "
                    'method="gradients" or method="occlusion", which need none, '
                    "or name a layer with a (batch, height, width, channels) "
                    "output as layer=."
                )
            return self.default_layer
        by_name = {"/".join(path): path for path, _ in self.feature_maps}
        if layer in by_name:
            return by_name[layer]
        matches = [path for path, _ in self.feature_maps if path[-1] == layer]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValueError(
                f"The layer name {layer!r} is ambiguous: it names "
                + ", ".join(repr("/".join(p)) for p in matches)
                + ". Pass one of those paths."
            )
        model = self._model()
        found = _find_layer(model, layer.split("/")) if model is not None else None
        if found is not None:
            why = (
                f"outputs shape {_output_shape(found)}, not a feature map "
                "(batch, height, width, channels)"
            )
        else:
            why = "is not a layer of the network"
        raise ValueError(
            f"layer={layer!r} {why}. Feature maps of the network: "
            f"{_listing(self.layer_names())}."
        )

    # -- compiled functions ----------------------------------------------

    def logits(self, images):
        """The logits of float32 ``images``, ``(n, n_classes)``."""
        function = self._function(("logits",), self._build_logits)
        return function(tf.convert_to_tensor(images)).numpy()

    def class_activation_maps(self, method, path, images, targets):
        """Grad-CAM or HiResCAM maps at the layer ``path``, at the images' size.

        ``targets`` holds one class index per image, -1 for the predicted
        class. Returns the maps ``(n, height, width)`` and the indices used.
        """
        function = self._function(
            (method, path), lambda model: self._build_cam(model, method, path)
        )
        maps, used = function(tf.convert_to_tensor(images), tf.constant(targets))
        return maps.numpy(), used.numpy()

    def input_gradients(self, images, targets):
        """Largest absolute gradient over the channels of each pixel.

        Returns the maps ``(n, height, width)`` and the class indices used.
        """
        function = self._function(("gradients",), self._build_gradients)
        maps, used = function(tf.convert_to_tensor(images), tf.constant(targets))
        return maps.numpy(), used.numpy()

    def tracing_counts(self):
        """How many times each compiled function was traced, by its key."""
        with self._lock:
            return {
                key: function.experimental_get_tracing_count()
                for key, function in self._functions.items()
            }

    def _function(self, key, build):
        with self._lock:
            function = self._functions.get(key)
            if function is None:
                model = self._model()
                if model is None:
                    raise RuntimeError("The network of these saliency maps is gone.")
                function = self._functions[key] = build(model)
            return function

    def _compile(self, function, signature):
        return tf.function(function, input_signature=signature, autograph=False)

    def _scores(self, model, images, path=()):
        """The logits of ``images``, and the feature map at ``path`` if any."""
        record = []
        logits = self._to_logits(_run(model, images, path, self._skip, record))
        if path and len(record) != 1:
            raise ValueError(
                f"The layer {'/'.join(path)!r} is not on the network's way from "
                "its input to its output."
            )
        return logits, (record[0] if path else None)

    def _build_logits(self, model):
        model = weakref.proxy(model)

        def logits(images):
            return self._scores(model, images)[0]

        return self._compile(logits, self._signature[:1])

    def _build_gradients(self, model):
        model = weakref.proxy(model)

        def gradients(images, targets):
            with tf.GradientTape() as tape:
                tape.watch(images)
                scores = self._scores(model, images)[0]
                targets = _resolved(targets, scores)
                chosen = tf.gather(scores, targets, axis=1, batch_dims=1)
            grads = tape.gradient(chosen, images)
            return tf.reduce_max(tf.abs(grads), axis=-1), targets

        return self._compile(gradients, self._signature)

    def _build_cam(self, model, method, path):
        model = weakref.proxy(model)
        size = self.input_shape[:2]

        def cam(images, targets):
            with tf.GradientTape() as tape:
                # Watching the input records every operation of the pass,
                # frozen layers included, so the gradient reaches the map.
                tape.watch(images)
                scores, maps = self._scores(model, images, path)
                targets = _resolved(targets, scores)
                chosen = tf.gather(scores, targets, axis=1, batch_dims=1)
            grads = tf.cast(tape.gradient(chosen, maps), tf.float32)
            maps = tf.cast(maps, tf.float32)
            if method == "gradcam":
                grads = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
            heat = tf.nn.relu(tf.reduce_sum(grads * maps, axis=-1))
            heat = tf.image.resize(heat[..., None], size, "bilinear", antialias=True)
            return tf.nn.relu(heat[..., 0]), targets

        return self._compile(cam, self._signature)


def _logit_head(model):
    """The layer to leave out and a function from what it gets to the logits.

    The logits are one column per class: the values before the last
    softmax or sigmoid; for a single sigmoid output of two classes, its
    log-odds, negated for the first class. A network ending in anything
    else gets log-probabilities, and nothing is left out.
    """
    last = producing_layer(model.outputs[0])
    activation = _activation_name(last) if last is not None else ""
    if activation not in ("softmax", "sigmoid"):

        def log_probabilities(probabilities):
            p = tf.cast(probabilities, tf.float32)
            if p.shape[-1] == 1:
                p = tf.concat([1.0 - p, p], axis=-1)
            return tf.math.log(tf.maximum(p, 1e-30))

        return None, log_probabilities
    dense = last if isinstance(last, keras.layers.Dense) else None
    sigmoid = activation == "sigmoid"

    def logits(pre):
        z = tf.cast(pre, tf.float32)
        if dense is not None:
            z = tf.cast(keras.ops.matmul(z, dense.kernel), tf.float32)
            if dense.bias is not None:
                z = z + tf.cast(dense.bias, tf.float32)
        if sigmoid and z.shape[-1] == 1:
            z = tf.concat([-z, z], axis=-1)
        return z

    return last, logits


def _resolved(targets, scores):
    """``targets`` with -1 replaced by the class of the largest logit."""
    predicted = tf.argmax(scores, axis=1, output_type=tf.int32)
    return tf.where(targets < 0, predicted, targets)


def _find_layer(model, path):
    layer = model
    for name in path:
        if not _is_model(layer):
            return None
        try:
            layer = layer.get_layer(name)
        except ValueError:
            return None
    return layer


def _listing(names, limit=30):
    if len(names) <= limit:
        return ", ".join(repr(n) for n in names) or "none"
    shown = ", ".join(repr(n) for n in names[-limit:])
    return f"{shown} (the last {limit} of {len(names)})"
