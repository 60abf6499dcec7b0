"""lstm_helpers.shapes agrees with PyTorch: same result shapes, errors exactly when torch errs."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_helpers.shapes import (
    ShapeError,
    ShapeExplanation,
    as_shape,
    broadcast_shape,
    explain_broadcast,
    explain_matmul,
    format_shape,
)

# Tiny sizes so that real tensors stay small; 0 and 1 are the interesting ones.
sizes = st.sampled_from([0, 1, 1, 2, 3])
shapes = st.lists(sizes, min_size=0, max_size=5).map(tuple)
# Pairs that often fit: the second shape is derived from the first.


@st.composite
def related_pairs(draw):
    """Pairs of shapes that agree in most dimensions, so that both outcomes are common."""
    a = draw(shapes)
    b = list(a)
    b = b[draw(st.integers(0, len(b))) :]  # drop some leading dimensions
    for k in range(len(b)):
        choice = draw(st.integers(0, 4))
        if choice == 0:
            b[k] = 1
        elif choice == 1:
            b[k] = draw(sizes)
    if draw(st.booleans()):
        b = [draw(sizes) for _ in range(draw(st.integers(0, 2)))] + b
    a, b = (tuple(b), a) if draw(st.booleans()) else (a, tuple(b))
    return a, tuple(b)


@st.composite
def matmul_pairs(draw):
    """Pairs whose inner sizes usually match, with batch dimensions that often broadcast."""
    a, b = draw(related_pairs())
    if len(a) >= 1 and len(b) >= 1 and draw(st.integers(0, 3)) > 0:
        k = a[-1]
        b = list(b)
        b[-2 if len(b) >= 2 else -1] = k
        b = tuple(b)
    return a, b


def torch_broadcast(a, b):
    try:
        return torch.broadcast_shapes(a, b)
    except RuntimeError:
        return None


def torch_add(a, b):
    try:
        return (torch.zeros(a) + torch.zeros(b)).shape
    except RuntimeError:
        return None


def torch_matmul(a, b):
    try:
        return torch.matmul(torch.zeros(a), torch.zeros(b)).shape
    except RuntimeError:
        return None


def helper(fn, a, b):
    try:
        result = fn(a, b)
    except ShapeError as err:
        assert isinstance(err, ValueError)
        assert err.steps and err.dims
        return None
    except ValueError:
        # only 0-d operands of matmul are refused this way
        assert fn is explain_matmul and (len(a) == 0 or len(b) == 0)
        return None
    assert isinstance(result, ShapeExplanation)
    assert isinstance(result.shape, torch.Size)
    assert all(isinstance(s, str) and s for s in result.steps)
    return result.shape


@settings(max_examples=1000, deadline=None)
@given(st.one_of(related_pairs(), st.tuples(shapes, shapes)))
def test_broadcast_matches_torch(pair):
    a, b = pair
    expected = torch_broadcast(a, b)
    assert expected == torch_add(a, b)
    assert helper(explain_broadcast, a, b) == expected


@settings(max_examples=1000, deadline=None)
@given(st.one_of(matmul_pairs(), st.tuples(shapes, shapes)))
def test_matmul_matches_torch(pair):
    a, b = pair
    assert helper(explain_matmul, a, b) == torch_matmul(a, b)


@settings(max_examples=100, deadline=None)
@given(matmul_pairs())
def test_matmul_matches_torch_on_meta_tensors_with_larger_sizes(pair):
    # meta tensors have shapes but no memory: sizes up to 7 cost nothing
    a = tuple(s * 7 // 3 for s in pair[0])
    b = tuple(s * 7 // 3 for s in pair[1])
    try:
        expected = torch.matmul(torch.empty(a, device="meta"), torch.empty(b, device="meta"))
        expected = expected.shape
    except RuntimeError:
        expected = None
    assert helper(explain_matmul, a, b) == expected


SMALL_SHAPES = [s for d in range(4) for s in itertools.product((0, 1, 2), repeat=d)]


def test_every_small_pair_matches_torch():
    """Exhaustive: all 40 shapes with up to 3 dims of sizes 0, 1, 2; all 1600 pairs."""
    for a, b in itertools.product(SMALL_SHAPES, repeat=2):
        assert helper(explain_broadcast, a, b) == torch_add(a, b), (a, b)
        assert helper(explain_matmul, a, b) == torch_matmul(a, b), (a, b)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((5, 3), (3,), (5, 3)),  # the source post: a row added to every row
        ((3,), (3, 1), (3, 3)),  # the classic surprise
        ((0,), (1,), (0,)),
        ((1,), (0,), (0,)),
        ((), (2, 3), (2, 3)),
        ((8, 1, 6, 1), (7, 1, 5), (8, 7, 6, 5)),
    ],
)
def test_broadcast_examples(a, b, expected):
    assert explain_broadcast(a, b).shape == torch.Size(expected)
    assert broadcast_shape(a, b) == torch.Size(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((5, 3), (3, 1), (5, 1)),  # the source post
        ((5, 3), (3,), (5,)),  # the source post: the 1-D operand's dimension is removed again
        ((3,), (3,), ()),  # dot product
        ((3,), (3, 4), (4,)),
        ((3,), (2, 3, 4), (2, 4)),
        ((2, 5, 3), (3,), (2, 5)),
        ((10, 1, 5, 3), (4, 3, 2), (10, 4, 5, 2)),
        ((0,), (0,), ()),
        ((2, 0), (0, 4), (2, 4)),
    ],
)
def test_matmul_examples(a, b, expected):
    assert explain_matmul(a, b).shape == torch.Size(expected)


def test_shape_kinds_accepted():
    for a in [(5, 3), [5, 3], torch.Size([5, 3]), (np.int64(5), 3), [torch.tensor(5), 3]]:
        assert explain_broadcast(a, (3,)).shape == (5, 3)
        assert explain_matmul(a, [3]).shape == (5,)


def test_broadcast_error_names_the_dimensions():
    with pytest.raises(ShapeError) as info:
        explain_broadcast((5, 3), (4,))
    message = str(info.value)
    assert "(5, 3)" in message and "(4,)" in message
    assert "a's dim 1" in message and "b's dim 0" in message
    assert "3 and 4" in message
    assert info.value.dims == ((1, 0),)
    assert "error" in info.value.steps[-1]


def test_broadcast_zero_does_not_stretch():
    with pytest.raises(ShapeError, match="0 and 3"):
        explain_broadcast((0,), (3,))


def test_broadcast_reports_every_mismatch():
    with pytest.raises(ShapeError) as info:
        explain_broadcast((2, 3), (4, 5))
    assert info.value.dims == ((0, 0), (1, 1))


def test_matmul_inner_error_names_the_dimensions():
    with pytest.raises(ShapeError) as info:
        explain_matmul((5, 3), (4, 1))
    message = str(info.value)
    assert "a's last dimension (dim 1) has size 3" in message
    assert "b's second-to-last dimension (dim 0) has size 4" in message
    with pytest.raises(ShapeError, match="b's only dimension has size 4"):
        explain_matmul((5, 3), (4,))
    with pytest.raises(ShapeError, match="a's only dimension has size 4"):
        explain_matmul((4,), (5, 3))


def test_matmul_batch_error_names_the_dimensions():
    with pytest.raises(ShapeError) as info:
        explain_matmul((2, 5, 3), (7, 4, 3, 1))
    assert "batch" in str(info.value)
    assert info.value.dims == ((0, 1),)


@pytest.mark.parametrize(("a", "b"), [((), (3,)), ((3,), ()), ((), ())])
def test_matmul_refuses_0d(a, b):
    with pytest.raises(ValueError, match="0-d"):
        explain_matmul(a, b)
    with pytest.raises(RuntimeError):
        torch.matmul(torch.zeros(a), torch.zeros(b))
    # broadcasting a 0-d tensor is fine
    assert explain_broadcast(a, b).shape == torch.broadcast_shapes(a, b)


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        ((3, -1), ValueError, r"shape_a\[1\] must be a size >= 0, got -1"),
        ((3, 2.0), TypeError, r"shape_a\[1\] must be an int, got float"),
        ((True, 3), TypeError, r"shape_a\[0\] must be an int, got bool"),
        (("5", 3), TypeError, r"shape_a\[0\] must be an int, got str"),
        ("53", TypeError, "got str"),
        (5, TypeError, "got int 5"),
        (None, TypeError, "got NoneType"),
        (torch.zeros(5, 3), TypeError, r"got a tensor; pass its \.shape"),
        ({5, 3}, TypeError, "got set"),
    ],
)
def test_bad_shapes_rejected(bad, error, words):
    for fn in (explain_broadcast, explain_matmul):
        with pytest.raises(error, match=words):
            fn(bad, (3,))
    with pytest.raises(error, match=words.replace("shape_a", "shape_b")):
        explain_broadcast((3,), bad)


def test_result_object():
    r = explain_broadcast([5, 3], torch.Size([3]))
    assert r.shape_a == torch.Size([5, 3]) and r.shape_b == torch.Size([3])
    assert r.aligned_a == (5, 3) and r.aligned_b == (1, 3)
    assert r.operation == "broadcast"
    text = str(r)
    assert text.splitlines()[0] == "(5, 3) + (3,) -> (5, 3)"
    assert len(text.splitlines()) == 1 + len(r.steps)
    assert "right" in r.steps[0]
    with pytest.raises(AttributeError):
        r.shape = torch.Size([1])  # frozen
    assert r == explain_broadcast((5, 3), (3,))
    assert hash(r) == hash(explain_broadcast((5, 3), (3,)))

    m = explain_matmul((5, 3), (3,))
    assert m.operation == "matmul"
    assert m.aligned_b == (3, 1)
    assert str(m).splitlines()[0] == "(5, 3) @ (3,) -> (5,)"
    assert any("removed" in s for s in m.steps)


def test_as_shape_and_format():
    assert as_shape([2, 3]) == torch.Size([2, 3])
    assert format_shape(torch.Size([3])) == "(3,)"
    assert format_shape(()) == "()"


# The figures ---------------------------------------------------------------------------


def _patches(ax):
    from matplotlib.patches import Rectangle

    return [p for p in ax.patches if isinstance(p, Rectangle)]


@pytest.mark.parametrize(
    ("a", "b", "out"),
    [
        ((5, 3), (3,), (5, 3)),
        ((3,), (3, 1), (3, 3)),
        ((), (2, 2), (2, 2)),
        ((0, 3), (1, 3), (0, 3)),
    ],
)
def test_draw_broadcast_stretches_the_smaller_operand(a, b, out):
    import math

    import matplotlib.pyplot as plt

    from lstm_helpers.figures.shapes import FADED, draw_broadcast

    fig = draw_broadcast(a, b)
    try:
        ax_a, ax_b, ax_out = fig.axes
        cells = math.prod(out)
        for ax, shape in ((ax_a, a), (ax_b, b)):
            patches = _patches(ax)
            assert len(patches) == cells  # drawn over the whole result grid
            faded = [p for p in patches if p.get_alpha() == FADED]
            assert len(faded) == cells - (math.prod(shape) if cells else 0)  # copies fade
        assert len(_patches(ax_out)) == cells
        assert format_shape(out) in ax_out.get_title()
    finally:
        plt.close(fig)


def test_draw_broadcast_writes_values_and_refuses_bad_input():
    import matplotlib.pyplot as plt

    from lstm_helpers.figures.shapes import draw_broadcast

    fig = draw_broadcast(torch.ones(2, 3), torch.tensor([1.0, 2.0, 3.0]), op="*")
    texts = [t.get_text() for t in fig.axes[2].texts]
    assert texts.count("3.00") == 2 and "a * b (2, 3)" in fig.axes[2].get_title()
    plt.close(fig)
    with pytest.raises(ShapeError):
        draw_broadcast((5, 3), (4,))
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        draw_broadcast((2, 5, 3), (3,))
    with pytest.raises(ValueError, match="op must be one of"):
        draw_broadcast((5, 3), (3,), op="@")


def test_draw_matmul():
    import matplotlib.pyplot as plt

    from lstm_helpers.figures.shapes import draw_matmul

    fig = draw_matmul([((5, 3), (3, 1)), ((5, 3), (3,)), ((3,), (3,))])
    try:
        titles = [ax.get_title(loc="left") for ax in fig.axes]
        assert titles[0].startswith("(5, 3) @ (3, 1) -> (5, 1)")
        assert titles[1].startswith("(5, 3) @ (3,) -> (5,)") and "removed again" in titles[1]
        assert titles[2].startswith("(3,) @ (3,) -> ()")
        assert len(_patches(fig.axes[0])) == 5 * 3 + 3 + 5
        labels = [[t.get_text() for t in ax.texts] for ax in fig.axes]
        assert "b (3, 1)" in labels[0]
        assert "b (3,) -> (3, 1)" in labels[1]  # the 1-D operand as given, then as promoted
        assert "a (3,) -> (1, 3)" in labels[2] and "b (3,) -> (3, 1)" in labels[2]
    finally:
        plt.close(fig)
    with pytest.raises(ShapeError):
        draw_matmul([((5, 3), (4, 1))])
    with pytest.raises(ValueError, match="0-d"):
        draw_matmul([((), (3,))])
    with pytest.raises(ValueError, match="1-D and 2-D"):
        draw_matmul([((2, 5, 3), (3, 1))])
