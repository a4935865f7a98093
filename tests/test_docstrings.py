"""Every public class and function documents exactly the parameters it takes."""

import inspect

import numpydoc.docscrape as numpydoc
import pytest

from skcnn import (
    CNNClassifier,
    ImageLoader,
    ImageReshaper,
    ImageResizer,
    PixelScaler,
    architectures,
    datasets,
    io,
    parallel,
    plotting,
    preprocessing,
)


def _public_objects():
    objects = [CNNClassifier, ImageLoader, ImageReshaper, ImageResizer, PixelScaler]
    for module in (architectures, datasets, io, parallel, plotting, preprocessing):
        for name in module.__all__:
            obj = getattr(module, name)
            if getattr(obj, "__module__", "").startswith("skcnn"):
                objects.append(obj)
    unique = {id(obj): obj for obj in objects}
    return sorted(unique.values(), key=lambda obj: obj.__qualname__)


def _callables(obj):
    """The object itself and, for classes, its public methods."""
    if inspect.isclass(obj) and issubclass(obj, Exception):
        return []  # exceptions take *args
    if not inspect.isclass(obj):
        return [(obj.__qualname__, obj)]
    found = [(obj.__qualname__, obj)]
    for name, member in vars(obj).items():
        if name.startswith("_"):
            continue
        function = member.__func__ if isinstance(member, classmethod) else member
        if inspect.isfunction(function):
            found.append((f"{obj.__qualname__}.{name}", function))
    return found


CALLABLES = [item for obj in _public_objects() for item in _callables(obj)]


@pytest.mark.parametrize("name, obj", CALLABLES, ids=[name for name, _ in CALLABLES])
def test_documented_parameters_match_the_signature(name, obj):
    if inspect.isclass(obj):
        doc = numpydoc.ClassDoc(obj)
        signature = inspect.signature(obj.__init__)
    else:
        doc = numpydoc.FunctionDoc(obj)
        signature = inspect.signature(obj)
    documented = []
    for param in doc["Parameters"]:
        # numpydoc allows "a, b : type" for parameters documented together.
        documented += [p.strip().lstrip("*") for p in param.name.split(",")]
    accepted = [
        p.name for p in signature.parameters.values() if p.name not in ("self", "cls")
    ]
    assert obj.__doc__, f"{name} has no docstring"
    assert documented == accepted, f"{name}: documented {documented}, takes {accepted}"


@pytest.mark.parametrize("obj", _public_objects(), ids=lambda o: o.__qualname__)
def test_public_objects_have_an_example(obj):
    assert "Examples" in (obj.__doc__ or ""), f"{obj.__qualname__} has no example"
