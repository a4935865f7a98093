"""Release what TensorFlow keeps of a Keras training step after tracing it.

When Keras traces a training step, the optimizer sums the gradients across
replicas (one replica, on a single device). TensorFlow implements that sum
with a custom gradient, and in graph mode every custom gradient is registered
under a fresh name in TensorFlow's process-wide gradient registry, which is
never emptied. The registered function holds tensors of the traced step, so
the whole step graph (its operations, constants and nested functions) stays
alive after the model is gone: several MB per fit, for as long as the process
runs. A grid search fitting dozens of models grows by hundreds of MB.

A gradient registration is only looked up while the step that created it is
being traced. :func:`released_step_gradients` drops, after a fit, the
registrations made during it that belong to a Keras step function whose
tracing has finished. Registrations of anything else (the user's own
``tf.function`` graphs, a step still being traced in another thread) are left
alone.
"""

from contextlib import contextmanager

from ._compat import gradient_registry
from ._keras import tf

_CUSTOM_GRADIENT_PREFIX = "CustomGradient-"
# Names Keras gives the functions it traces for fit, evaluate and predict.
_KERAS_STEP_PREFIXES = ("one_step_on_", "multi_step_on_")


def _held_graphs(function, depth=0):
    """Graphs of the symbolic tensors a registered gradient function holds."""
    graphs = []
    for cell in getattr(function, "__closure__", None) or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if tf.is_symbolic_tensor(item):
                graphs.append(item.graph)
            elif depth < 2 and callable(item) and hasattr(item, "__closure__"):
                graphs.extend(_held_graphs(item, depth + 1))
    return graphs


def _outermost_function_graph(graph):
    while isinstance(getattr(graph, "outer_graph", None), tf.__internal__.FuncGraph):
        graph = graph.outer_graph
    return graph


def _is_finished_keras_step(graph):
    graph = _outermost_function_graph(graph)
    return (
        isinstance(graph, tf.__internal__.FuncGraph)
        and graph.name.startswith(_KERAS_STEP_PREFIXES)
        and graph.structured_outputs is not None
    )


def _releasable(entry):
    graphs = _held_graphs(entry.get("type")) if isinstance(entry, dict) else []
    return bool(graphs) and all(_is_finished_keras_step(g) for g in graphs)


@contextmanager
def released_step_gradients():
    """Drop the gradient registrations of Keras steps traced in the block.

    Only registrations made while the block runs are considered, and of
    those only the ones whose tensors all belong to a Keras step function
    that has finished tracing. Without TensorFlow's registry (a future
    TensorFlow may move it) this does nothing.
    """
    registry = gradient_registry()
    before = set(registry) if registry is not None else set()
    try:
        yield
    finally:
        if registry is not None:
            for key in list(registry):
                if (
                    key.startswith(_CUSTOM_GRADIENT_PREFIX)
                    and key not in before
                    and _releasable(registry.get(key))
                ):
                    registry.pop(key, None)
