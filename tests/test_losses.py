"""lstm_helpers.losses against torch.nn.functional.cross_entropy: values, gradients, errors."""

import ast
import inspect
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_helpers import losses
from lstm_helpers.losses import (
    CrossEntropyLoss,
    cross_entropy,
    log_softmax,
    logsumexp,
    naive_cross_entropy,
)

TIGHT = {"rtol": 1e-12, "atol": 1e-12}
SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def configurations(draw):
    """A random cross-entropy call: shapes, target kind, weight, ignore_index, options."""
    layout = draw(st.sampled_from(["unbatched", "batched", "kdim"]))
    n_classes = draw(st.integers(1, 5))
    if layout == "unbatched":
        shape = (n_classes,)
    elif layout == "batched":
        shape = (draw(st.integers(0, 4)), n_classes)
    else:
        extra = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
        shape = (draw(st.integers(1, 3)), n_classes, *extra)
    seed = draw(st.integers(0, 2**31 - 1))
    gen = torch.Generator().manual_seed(seed)
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    logits = torch.randn(shape, generator=gen, dtype=torch.float64) * scale
    probability = draw(st.booleans())
    if probability:
        target = torch.rand(shape, generator=gen, dtype=torch.float64)
        target = target / target.sum(dim=0 if layout == "unbatched" else 1, keepdim=True)
        ignore_index = -100
    else:
        target_shape = () if layout == "unbatched" else (shape[0], *shape[2:])
        target = torch.randint(0, n_classes, target_shape, generator=gen)
        ignore_index = draw(st.sampled_from([-100, -1, 0, n_classes - 1]))
        hits = draw(st.sampled_from(["none", "some", "all"]))
        if hits == "some" and target.numel():
            mask = torch.rand(target_shape, generator=gen) < 0.4
            target = torch.where(mask, torch.full_like(target, ignore_index), target)
        elif hits == "all":
            target = torch.full_like(target, ignore_index)
    weight = None
    if draw(st.booleans()):
        weight = torch.rand(n_classes, generator=gen, dtype=torch.float64) * 3
        if draw(st.booleans()):
            weight[0] = 0.0
    reduction = draw(st.sampled_from(["none", "mean", "sum"]))
    label_smoothing = draw(st.sampled_from([0.0, 0.1, 0.37, 1.0]))
    return {
        "input": logits,
        "target": target,
        "weight": weight,
        "ignore_index": ignore_index,
        "reduction": reduction,
        "label_smoothing": label_smoothing,
    }


def _both(cfg, fn):
    """Run ``fn`` (ours or PyTorch's) on a fresh leaf copy; return output and input grad."""
    x = cfg["input"].clone().requires_grad_(True)
    target = cfg["target"]
    if target.is_floating_point():
        target = target.clone().requires_grad_(True)
    out = fn(
        x,
        target,
        weight=cfg["weight"],
        ignore_index=cfg["ignore_index"],
        reduction=cfg["reduction"],
        label_smoothing=cfg["label_smoothing"],
    )
    grad_out = torch.linspace(-1.0, 2.0, out.numel(), dtype=out.dtype).reshape(out.shape)
    inputs = [x] + ([target] if target.requires_grad else [])
    grads = torch.autograd.grad(out, inputs, grad_out, allow_unused=True)
    return out, grads


@SETTINGS
@given(configurations())
def test_functional_matches_pytorch_values_and_gradients(cfg):
    ours, our_grads = _both(cfg, cross_entropy)
    theirs, their_grads = _both(cfg, F.cross_entropy)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype
    torch.testing.assert_close(ours, theirs, equal_nan=True, **TIGHT)
    for mine, ref in zip(our_grads, their_grads, strict=True):
        torch.testing.assert_close(mine, ref, equal_nan=True, **TIGHT)


@SETTINGS
@given(configurations())
def test_module_matches_pytorch_module(cfg):
    kwargs = {k: cfg[k] for k in ("weight", "ignore_index", "reduction", "label_smoothing")}
    ours = CrossEntropyLoss(**kwargs)(cfg["input"], cfg["target"])
    theirs = torch.nn.CrossEntropyLoss(**kwargs)(cfg["input"], cfg["target"])
    torch.testing.assert_close(ours, theirs, equal_nan=True, **TIGHT)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(2, 6),
    st.sampled_from([1e4, -1e4, 1e3]),
    st.sampled_from([torch.float32, torch.float64]),
    st.integers(0, 2**31 - 1),
)
def test_finite_and_exact_for_huge_logits(n, c, big, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, c, generator=gen, dtype=dtype)
    x[:, 0] += big  # one logit of +-1e4 per row: exp() of it overflows in either dtype
    y = torch.randint(0, c, (n,), generator=gen)
    for reduction in ("none", "sum"):
        xa = x.clone().requires_grad_(True)
        xb = x.clone().requires_grad_(True)
        ours = cross_entropy(xa, y, reduction=reduction)
        theirs = F.cross_entropy(xb, y, reduction=reduction)
        assert torch.isfinite(ours).all()
        tol = TIGHT if dtype == torch.float64 else {"rtol": 1e-6, "atol": 1e-5}
        torch.testing.assert_close(ours, theirs, **tol)
        ours.sum().backward()
        theirs.sum().backward()
        assert torch.isfinite(xa.grad).all()
        torch.testing.assert_close(xa.grad, xb.grad, **tol)


def test_naive_formula_inf_and_nan_cases():
    # another class's exp overflows: p_y = finite / inf = 0, loss inf (not nan)
    x = torch.tensor([[89.0, 0.0]])
    assert torch.isposinf(naive_cross_entropy(x, torch.tensor([1]))).all()
    # the true class's exp overflows too: inf / inf = nan
    assert torch.isnan(naive_cross_entropy(x, torch.tensor([0]))).all()
    # underflow: exp(-200) rounds to 0 in float32, p_y = 0, loss inf; ours is exact
    small = torch.tensor([[0.0, -200.0]])
    assert torch.isposinf(naive_cross_entropy(small, torch.tensor([1]))).all()
    torch.testing.assert_close(cross_entropy(small, torch.tensor([1])), torch.tensor(200.0))
    # every exp underflows: 0 / 0 = nan
    tiny = torch.tensor([[-1000.0, -1001.0]])
    assert torch.isnan(naive_cross_entropy(tiny, torch.tensor([0]))).all()


def test_naive_formula_overflows_where_ours_does_not():
    x = torch.tensor([[1000.0, 0.0, -3.0]], dtype=torch.float64)
    y = torch.tensor([0])
    assert torch.isnan(naive_cross_entropy(x, y)).all()
    assert torch.isfinite(cross_entropy(x, y))
    torch.testing.assert_close(cross_entropy(x, y), F.cross_entropy(x, y), **TIGHT)
    small = torch.tensor([[1.0, 0.5, -3.0]], dtype=torch.float64)
    torch.testing.assert_close(
        naive_cross_entropy(small, y)[0], F.cross_entropy(small, y), **TIGHT
    )


def test_logsumexp_and_log_softmax_match_pytorch():
    x = torch.randn(3, 4, 5, dtype=torch.float64) * 50
    x[0, 0, 0] = float("-inf")
    torch.testing.assert_close(logsumexp(x, dim=1), torch.logsumexp(x, dim=1), **TIGHT)
    torch.testing.assert_close(log_softmax(x, dim=2), torch.log_softmax(x, dim=2), **TIGHT)
    x = torch.full((2, 3), float("-inf"), dtype=torch.float64)
    torch.testing.assert_close(logsumexp(x, dim=1), torch.logsumexp(x, dim=1))


def test_identity_and_weighted_form_from_the_seed():
    x = torch.tensor([1.0, 2.0, 0.5, -1.0], dtype=torch.float64)
    cls = 2
    direct = -torch.log(torch.exp(x[cls]) / torch.exp(x).sum())
    identity = -x[cls] + torch.log(torch.exp(x).sum())
    ours = cross_entropy(x, torch.tensor(cls), reduction="none")
    torch.testing.assert_close(ours, direct, **TIGHT)
    torch.testing.assert_close(ours, identity, **TIGHT)
    w = torch.tensor([0.5, 1.0, 3.0, 2.0], dtype=torch.float64)
    weighted = cross_entropy(x, torch.tensor(cls), weight=w, reduction="none")
    torch.testing.assert_close(weighted, w[cls] * identity, **TIGHT)


def test_mean_with_weights_divides_by_weight_sum_not_n():
    x = torch.randn(4, 3, dtype=torch.float64)
    y = torch.tensor([0, 2, 2, 1])
    w = torch.tensor([0.5, 2.0, 3.0], dtype=torch.float64)
    per_sample = cross_entropy(x, y, weight=w, reduction="none")
    mean = cross_entropy(x, y, weight=w)
    torch.testing.assert_close(mean, per_sample.sum() / w[y].sum(), **TIGHT)
    assert not torch.allclose(mean, per_sample.mean())


def test_all_ignored_mean_is_nan_sum_is_zero():
    x = torch.randn(3, 4, dtype=torch.float64)
    y = torch.full((3,), -100)
    assert torch.isnan(cross_entropy(x, y))
    assert torch.isnan(cross_entropy(x, y, label_smoothing=0.2))
    assert cross_entropy(x, y, reduction="sum") == 0
    assert torch.equal(cross_entropy(x, y, reduction="none"), torch.zeros(3, dtype=x.dtype))


def test_gradient_is_softmax_minus_onehot():
    x = torch.randn(5, 4, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 3, 1, 1, 2])
    cross_entropy(x, y, reduction="sum").backward()
    p = torch.exp(x.detach()) / torch.exp(x.detach()).sum(1, keepdim=True)
    torch.testing.assert_close(x.grad, p - F.one_hot(y, 4).double(), **TIGHT)


def test_unbatched_accepts_shape_one_target_like_pytorch():
    x = torch.randn(4, dtype=torch.float64)
    for y in (torch.tensor(2), torch.tensor([2])):
        ours = cross_entropy(x, y, reduction="none")
        theirs = F.cross_entropy(x, y, reduction="none")
        assert ours.shape == theirs.shape == ()
        torch.testing.assert_close(ours, theirs, **TIGHT)


def test_uint8_targets_and_ignore_index():
    x = torch.randn(3, 4, dtype=torch.float64)
    y = torch.tensor([1, 255, 3], dtype=torch.uint8)
    ours = cross_entropy(x, y, ignore_index=255, reduction="none")
    theirs = F.cross_entropy(x, y, ignore_index=255, reduction="none")
    torch.testing.assert_close(ours, theirs, **TIGHT)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
def test_lower_precision_dtypes(dtype):
    x = torch.randn(6, 5).to(dtype)
    y = torch.tensor([0, 1, 2, 3, 4, 0])
    ours = cross_entropy(x, y)
    theirs = F.cross_entropy(x, y)
    assert ours.dtype == theirs.dtype == dtype
    torch.testing.assert_close(ours, theirs, rtol=1e-2, atol=1e-2)
    p = torch.rand(6, 5).to(dtype)
    assert cross_entropy(x, p).dtype == F.cross_entropy(x, p).dtype


def test_probability_target_dtype_promotion_and_weight_gradient():
    x = torch.randn(3, 4, dtype=torch.float32)
    t = torch.rand(3, 4, dtype=torch.float64)
    w32 = torch.rand(4, dtype=torch.float32)
    assert cross_entropy(x, t).dtype == F.cross_entropy(x, t).dtype == torch.float64
    assert cross_entropy(x, t, weight=w32).dtype == F.cross_entropy(x, t, weight=w32).dtype
    x64 = x.double()
    wa = torch.rand(4, dtype=torch.float64, requires_grad=True)
    wb = wa.detach().clone().requires_grad_(True)
    (ga,) = torch.autograd.grad(cross_entropy(x64, t, weight=wa), wa)
    (gb,) = torch.autograd.grad(F.cross_entropy(x64, t, weight=wb), wb)
    torch.testing.assert_close(ga, gb, **TIGHT)


def test_deprecated_size_average_and_reduce_as_pytorch():
    x = torch.randn(3, 4, dtype=torch.float64)
    y = torch.tensor([0, 1, 3])
    cases = [
        ({"size_average": False}, "sum"),
        ({"reduce": False}, "none"),
        ({"size_average": True, "reduce": True}, "mean"),
        ({"size_average": False, "reduce": False}, "none"),
    ]
    for kwargs, expected in cases:
        with pytest.warns(UserWarning, match=f"reduction='{expected}'"):
            module = CrossEntropyLoss(**kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = torch.nn.CrossEntropyLoss(**kwargs)
        assert module.reduction == reference.reduction == expected
        torch.testing.assert_close(module(x, y), reference(x, y), **TIGHT)
        with pytest.warns(UserWarning):
            functional = cross_entropy(x, y, reduction="mean", **kwargs)
        torch.testing.assert_close(functional, reference(x, y), **TIGHT)


def test_module_interface_matches_pytorch():
    ours = inspect.signature(CrossEntropyLoss.__init__)
    theirs = inspect.signature(torch.nn.CrossEntropyLoss.__init__)
    assert list(ours.parameters) == list(theirs.parameters)
    for name, param in theirs.parameters.items():
        assert ours.parameters[name].default == param.default
    w = torch.rand(3)
    module = CrossEntropyLoss(weight=w, ignore_index=1, reduction="sum", label_smoothing=0.2)
    assert "weight" in dict(module.named_buffers())
    assert module.double().weight.dtype == torch.float64
    assert module.ignore_index == 1 and module.reduction == "sum"
    assert module.label_smoothing == 0.2
    params = list(inspect.signature(cross_entropy).parameters)
    assert params[:6] == [
        "input", "target", "weight", "ignore_index", "reduction", "label_smoothing"
    ]


BANNED = ("cross_entropy", "log_softmax", "softmax", "logsumexp", "nll_loss", "nll_loss_nd")


def test_source_calls_no_pytorch_loss_or_softmax():
    tree = ast.parse(inspect.getsource(losses))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in BANNED, ast.unparse(node)


def test_runs_with_pytorchs_loss_and_softmax_disabled(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("called a PyTorch loss/softmax function")

    for owner in (torch, F, torch.Tensor, torch.special, torch._C._nn):
        for name in BANNED + ("special_logsumexp", "cross_entropy_loss"):
            if hasattr(owner, name):
                monkeypatch.setattr(owner, name, forbidden)
    x = torch.randn(3, 4, 2, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0, 1], [3, -100], [2, 2]])
    w = torch.rand(4, dtype=torch.float64)
    cross_entropy(x, y, weight=w, label_smoothing=0.2).backward()
    cross_entropy(x, torch.rand(3, 4, 2, dtype=torch.float64), weight=w).backward()
    CrossEntropyLoss()(x[0, :, 0], torch.tensor(1)).backward()
    monkeypatch.undo()
    assert torch.isfinite(x.grad).all()


# ----------------------------------------------------------------------------- errors
X = torch.randn(3, 5, dtype=torch.float64)
Y = torch.tensor([1, 2, 0])


def _pytorch_raises(call):
    """The exception type PyTorch raises for the same call (None if it does not raise)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call(F.cross_entropy)
    except Exception as err:  # noqa: BLE001 - we want whatever PyTorch raises
        return type(err)
    return None


ERROR_CASES = {
    "target out of range": (
        lambda ce: ce(X, torch.tensor([1, 5, 0])),
        IndexError,
        ["target", "5", "[0, C) = [0, 5)"],
    ),
    "negative target": (lambda ce: ce(X, torch.tensor([1, -1, 0])), IndexError, ["-1"]),
    "batch size mismatch": (
        lambda ce: ce(X, torch.tensor([1, 2])), ValueError, ["target", "(3,)", "(2,)"]
    ),
    "k-dim target shape": (
        lambda ce: ce(torch.randn(2, 3, 4), torch.zeros(2, 5, dtype=torch.long)),
        RuntimeError,
        ["expected (2, 4)", "got (2, 5)"],
    ),
    "unbatched target of two": (
        lambda ce: ce(X[0], torch.tensor([2, 1])), ValueError, ["expected shape ()", "(2,)"]
    ),
    "weight wrong length": (
        lambda ce: ce(X, Y, weight=torch.ones(4, dtype=torch.float64)),
        RuntimeError,
        ["weight", "(5,)", "(4,)"],
    ),
    "weight 2-d": (
        lambda ce: ce(X, Y, weight=torch.ones(1, 5, dtype=torch.float64)),
        RuntimeError,
        ["weight", "(1, 5)"],
    ),
    "weight wrong dtype": (
        lambda ce: ce(X, Y, weight=torch.ones(5)),
        RuntimeError,
        ["weight", "torch.float64", "torch.float32"],
    ),
    "label smoothing above 1": (
        lambda ce: ce(X, Y, label_smoothing=1.5), RuntimeError, ["label_smoothing", "1.5"]
    ),
    "bad reduction": (
        lambda ce: ce(X, Y, reduction="avg"), ValueError, ["reduction", "'avg'", "'mean'"]
    ),
    "float targets of wrong shape": (
        lambda ce: ce(X, torch.rand(3, 4, dtype=torch.float64)),
        RuntimeError,
        ["target", "(3, 5)", "(3, 4)"],
    ),
    "integer targets stored as float": (
        lambda ce: ce(X, torch.tensor([1.0, 2.0, 0.0], dtype=torch.float64)),
        RuntimeError,
        ["target", "int64", "torch.float64", "long()"],
    ),
    "int32 targets": (
        lambda ce: ce(X, Y.int()), RuntimeError, ["target", "int64", "torch.int32"]
    ),
    "integer probabilities": (
        lambda ce: ce(X, torch.zeros(3, 5, dtype=torch.long)),
        RuntimeError,
        ["probabilities", "floating point", "torch.int64"],
    ),
    "ignore_index with probabilities": (
        lambda ce: ce(X, torch.rand(3, 5, dtype=torch.float64), ignore_index=1),
        RuntimeError,
        ["ignore_index", "-100", "got 1"],
    ),
    "integer logits": (
        lambda ce: ce(torch.ones(3, 5, dtype=torch.long), Y),
        NotImplementedError,
        ["input", "floating", "torch.int64"],
    ),
    "0-d input": (lambda ce: ce(torch.tensor(1.0), torch.tensor(0)), RuntimeError, ["0-d"]),
    "target not a tensor": (lambda ce: ce(X, [1, 2, 0]), TypeError, ["target", "list"]),
    "input not a tensor": (lambda ce: ce([[1.0, 2.0]], Y), TypeError, ["input", "list"]),
    "weight not a tensor": (lambda ce: ce(X, Y, weight=[1.0] * 5), TypeError, ["weight", "list"]),
    "float ignore_index": (lambda ce: ce(X, Y, ignore_index=1.0), TypeError, ["ignore_index"]),
    "string label_smoothing": (
        lambda ce: ce(X, Y, label_smoothing="a"), TypeError, ["label_smoothing", "str"]
    ),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_bad_input_raises_pytorchs_type_with_a_clear_message(name):
    call, expected_type, fragments = ERROR_CASES[name]
    assert _pytorch_raises(call) is expected_type  # the table describes PyTorch truly
    with pytest.raises(expected_type) as info:
        call(cross_entropy)
    assert isinstance(info.value, ValueError | TypeError | RuntimeError | IndexError)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"weight": torch.tensor([1.0, -0.5, 2.0, 1.0, 1.0], dtype=torch.float64)}, "-0.5"),
        ({"weight": torch.tensor([1.0, float("nan"), 1, 1, 1], dtype=torch.float64)}, "nan"),
        ({"label_smoothing": -0.1}, "-0.1"),
        ({"label_smoothing": float("nan")}, "nan"),
    ],
)
def test_values_pytorch_silently_accepts_are_rejected_clearly(kwargs, fragment):
    # PyTorch computes something for these; a negative weight or smoothing is never meant.
    with pytest.raises(ValueError) as info:
        cross_entropy(X, Y, **kwargs)
    assert fragment in str(info.value)
    assert ">= 0" in str(info.value) or "between 0.0 and 1.0" in str(info.value)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"reduction": "avg"}, ValueError),
        ({"label_smoothing": 1.5}, RuntimeError),
        ({"label_smoothing": -1}, ValueError),
        ({"weight": -torch.ones(3)}, ValueError),
        ({"weight": torch.ones(3, dtype=torch.long)}, TypeError),
        ({"weight": torch.ones(1, 3)}, ValueError),
        ({"ignore_index": "x"}, TypeError),
    ],
)
def test_module_rejects_bad_arguments_when_built(kwargs, error):
    with pytest.raises(error):
        CrossEntropyLoss(**kwargs)


def test_bad_target_error_names_position_and_range():
    with pytest.raises(IndexError) as info:
        cross_entropy(torch.randn(2, 3, 2), torch.tensor([[0, 1], [2, 7]]))
    message = str(info.value)
    assert "(1, 1)" in message and "7" in message and "ignore_index = -100" in message


@pytest.mark.parametrize("soft", [False, True])
def test_gradcheck_and_gradgradcheck(soft):
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(3, 4, 2, generator=gen, dtype=torch.float64, requires_grad=True)
    w = torch.rand(4, generator=gen, dtype=torch.float64)
    if soft:
        target = torch.rand(3, 4, 2, generator=gen, dtype=torch.float64).softmax(1)
    else:
        target = torch.tensor([[0, 1], [3, -100], [2, 2]])

    def fn(x):
        return cross_entropy(x, target, weight=w, label_smoothing=0.15)

    assert torch.autograd.gradcheck(fn, (x,))
    assert torch.autograd.gradgradcheck(fn, (x,))


# What must hold, then expected and got, each said once (no "got 'x' ('x' is not valid ...)").
SAID_ONCE = {
    "bad reduction": (
        lambda: cross_entropy(X, Y, reduction="avg"),
        "reduction must be one of 'none', 'mean', 'sum': got 'avg'",
    ),
    "label smoothing above 1": (
        lambda: cross_entropy(X, Y, label_smoothing=1.5),
        "label_smoothing must be between 0.0 and 1.0: got 1.5",
    ),
    "negative weight": (
        lambda: cross_entropy(X, Y, weight=-torch.ones(5, dtype=torch.float64)),
        "weight must be non-negative (every weight >= 0): got -1.0",
    ),
    "integer weight": (
        lambda: cross_entropy(X, Y, weight=torch.ones(5, dtype=torch.long)),
        "weight must be a floating-point tensor: got torch.int64",
    ),
    "int32 targets": (
        lambda: cross_entropy(X, Y.int()),
        "target (class indices) must have dtype torch.int64 (or torch.uint8): got torch.int32",
    ),
    "target out of range": (
        lambda: cross_entropy(X, torch.tensor([1, 5, 0])),
        "target class indices must be in [0, C) = [0, 5) or equal ignore_index = -100: "
        "got 5 at position (1,)",
    ),
}


@pytest.mark.parametrize("name", list(SAID_ONCE))
def test_error_messages_say_it_once(name):
    call, message = SAID_ONCE[name]
    with pytest.raises(Exception) as info:
        call()
    assert str(info.value) == message


def _places():
    """Where to put the input: on the GPU when there is one; and always on the CPU while the
    default device is ``meta``, so that any tensor built without ``device=`` lands elsewhere
    than the input (the same mistake that fails on a GPU)."""
    places = [pytest.param("cpu", "meta", id="cpu-input-meta-default")]
    if torch.cuda.is_available():
        places.append(pytest.param("cuda", None, id="cuda"))
    return places


@pytest.mark.parametrize("device, default_device", _places())
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_class_index_targets_without_weight_stay_on_the_input_device(
    device, default_device, label_smoothing
):
    gen = torch.Generator().manual_seed(11)
    x = torch.randn(4, 3, generator=gen, dtype=torch.float64).to(device)
    y = torch.tensor([0, 2, 1, -100], device=device)
    expected = F.cross_entropy(x, y, label_smoothing=label_smoothing)
    if default_device is None:
        ours = cross_entropy(x, y, label_smoothing=label_smoothing)
    else:
        with torch.device(default_device):
            ours = cross_entropy(x, y, label_smoothing=label_smoothing)
    assert ours.device == x.device
    torch.testing.assert_close(ours, expected, **TIGHT)
