r"""Backpropagation through time for one LSTM layer, written to be read next to the maths.

Forward, one step (gate order i, f, g, o, as PyTorch stacks them)::

    z = x W_ih^T + b_ih + h W_hh^T + b_hh      (N, 4H), chunks z_i, z_f, z_g, z_o
    i = sigma(z_i)  f = sigma(z_f)  g = tanh(z_g)  o = sigma(z_o)
    c' = f * c + i * g
    h' = o * tanh(c')

Backward, one step: given ``dh'`` and ``dc'`` (the gradients of the loss with respect to
``h'`` and ``c'``), each line below undoes one line above::

    do   = dh' * tanh(c')                       from h' = o * tanh(c')
    dc'  = dc' + dh' * o * (1 - tanh(c')^2)     the same line, through tanh(c')
    df   = dc' * c ; dc = dc' * f               from c' = f * c + i * g
    di   = dc' * g ; dg = dc' * i
    dz_i = di * i (1 - i) ; dz_f = df * f (1 - f) ; dz_g = dg * (1 - g^2) ; dz_o = do * o (1 - o)
    dx = dz W_ih ; dh = dz W_hh ; dW_ih = dz^T x ; dW_hh = dz^T h ; db_ih = db_hh = sum_N dz

Through time, the state reaching step ``t - 1`` gets gradient along two paths: ``c_{t-1}``
directly, through the forget gate (``dc = dc' * f``), and ``h_{t-1}`` through the four
gates (``dh = dz W_hh``), plus the output's own gradient ``dout_{t-1}``. The weight gradients
are sums over time of the per-step terms.

- :func:`lstm_cell_forward`: one step, returns ``(h_next, c_next, cache)``.
- :func:`lstm_cell_backward`: one step back, from ``cache``.
- :func:`lstm_backward`: a whole sequence, with PyTorch's layout; returns :class:`LSTMGrads`.

The fast version the book's ``LSTM`` uses, :mod:`lstm_helpers._lstm_bptt`, runs the same
recursion, with the parts that do not depend on it moved out of the loop.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from lstm_helpers._checks import format_shape

__all__ = [
    "CellCache", "CellGrads", "LSTMGrads", "lstm_backward", "lstm_cell_backward",
    "lstm_cell_forward", "lstm_forward",
]


class CellCache(NamedTuple):
    """What one forward step keeps for its backward step."""

    x: torch.Tensor  # (N, H_in)
    h: torch.Tensor  # (N, H) h_{t-1}
    c: torch.Tensor  # (N, H) c_{t-1}
    i: torch.Tensor  # (N, H)
    f: torch.Tensor  # (N, H)
    g: torch.Tensor  # (N, H)
    o: torch.Tensor  # (N, H)
    tanh_c_next: torch.Tensor  # (N, H)
    weight_ih: torch.Tensor  # (4H, H_in)
    weight_hh: torch.Tensor  # (4H, H)
    has_bias: bool


class CellGrads(NamedTuple):
    """Gradients of one step: inputs, previous state, parameters (biases ``None`` if absent)."""

    dx: torch.Tensor  # (N, H_in)
    dh: torch.Tensor  # (N, H) reaching h_{t-1}
    dc: torch.Tensor  # (N, H) reaching c_{t-1}
    dweight_ih: torch.Tensor  # (4H, H_in)
    dweight_hh: torch.Tensor  # (4H, H)
    dbias_ih: torch.Tensor | None  # (4H,)
    dbias_hh: torch.Tensor | None  # (4H,)


class LSTMGrads(NamedTuple):
    """Gradients returned by :func:`lstm_backward` (same shapes as the tensors they belong to)."""

    dx: torch.Tensor  # (L, N, H_in)
    dh0: torch.Tensor  # (N, H)
    dc0: torch.Tensor  # (N, H)
    dweight_ih: torch.Tensor  # (4H, H_in)
    dweight_hh: torch.Tensor  # (4H, H)
    dbias_ih: torch.Tensor | None  # (4H,) or None when bias_ih is None
    dbias_hh: torch.Tensor | None  # (4H,) or None when bias_hh is None


# --------------------------------------------------------------------------------------
# Input checks: errors that say what must hold, what was expected and what came
# --------------------------------------------------------------------------------------


def _tensor(name, value):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}")
    return value


def _shape(name, value, expected):
    _tensor(name, value)
    if tuple(value.shape) != tuple(expected):
        raise ValueError(
            f"{name} has the wrong shape: expected {format_shape(expected)}, "
            f"got {format_shape(value.shape)}"
        )


def _check_weights(weight_ih, weight_hh, bias_ih, bias_hh):
    """Check PyTorch's layout; return ``(H, H_in)``."""
    _tensor("weight_hh", weight_hh)
    if weight_hh.dim() != 2 or weight_hh.size(0) != 4 * weight_hh.size(1):
        raise ValueError(
            "weight_hh must have shape (4*hidden_size, hidden_size) with the gates stacked "
            f"i, f, g, o: got {format_shape(weight_hh.shape)}"
        )
    H = weight_hh.size(1)
    _tensor("weight_ih", weight_ih)
    if weight_ih.dim() != 2 or weight_ih.size(0) != 4 * H:
        raise ValueError(
            f"weight_ih must have shape (4*hidden_size, input_size) = ({4 * H}, input_size): "
            f"got {format_shape(weight_ih.shape)}"
        )
    if (bias_ih is None) != (bias_hh is None):
        raise ValueError(
            "bias_ih and bias_hh must both be tensors or both be None (nn.LSTM(bias=False)): "
            f"got bias_ih {'None' if bias_ih is None else 'a tensor'}, "
            f"bias_hh {'None' if bias_hh is None else 'a tensor'}"
        )
    for name, b in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if b is not None:
            _shape(name, b, (4 * H,))
    for name, t in (("weight_ih", weight_ih), ("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if t is not None and t.dtype != weight_hh.dtype:
            raise TypeError(
                f"{name} must have the dtype of weight_hh: expected {weight_hh.dtype}, "
                f"got {t.dtype}"
            )
    return H, weight_ih.size(1)


def _check_state(name, value, N, H, dtype):
    _shape(name, value, (N, H))
    if value.dtype != dtype:
        raise TypeError(f"{name} must have the weights' dtype: expected {dtype}, got {value.dtype}")


# --------------------------------------------------------------------------------------
# One step
# --------------------------------------------------------------------------------------


def lstm_cell_forward(x, h, c, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One LSTM step that also returns what its backward step needs.

    Args:
        x: input ``(N, H_in)``. h, c: previous state ``(N, H)`` each.
        weight_ih ``(4H, H_in)``, weight_hh ``(4H, H)``, bias_ih, bias_hh ``(4H,)`` or
        ``None`` (both): PyTorch's parameters, gates stacked i, f, g, o. Defaults: None.

    Returns:
        ``(h_next, c_next, cache)``: ``(N, H)``, ``(N, H)`` and a :class:`CellCache`.
    """
    H, H_in = _check_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    _tensor("x", x)
    if x.dim() != 2 or x.size(1) != H_in:
        raise ValueError(
            f"x must have shape (N, input_size) with input_size = {H_in}: "
            f"got {format_shape(x.shape)}"
        )
    _check_state("h", h, x.size(0), H, weight_hh.dtype)
    _check_state("c", c, x.size(0), H, weight_hh.dtype)
    z = x @ weight_ih.T + h @ weight_hh.T  # (N, 4H)
    if bias_ih is not None:
        z = z + bias_ih + bias_hh  # (N, 4H)
    z_i, z_f, z_g, z_o = z.chunk(4, dim=1)  # 4 x (N, H)
    i = torch.sigmoid(z_i)  # (N, H) input gate
    f = torch.sigmoid(z_f)  # (N, H) forget gate
    g = torch.tanh(z_g)  # (N, H) candidate
    o = torch.sigmoid(z_o)  # (N, H) output gate
    c_next = f * c + i * g  # (N, H)
    tanh_c_next = torch.tanh(c_next)  # (N, H)
    h_next = o * tanh_c_next  # (N, H)
    cache = CellCache(x, h, c, i, f, g, o, tanh_c_next, weight_ih, weight_hh,
                      bias_ih is not None)
    return h_next, c_next, cache


def lstm_cell_backward(dh_next, dc_next, cache: CellCache) -> CellGrads:
    """One step back: from the gradients reaching ``h_next`` and ``c_next`` to everything
    the step read.

    Args:
        dh_next: ``(N, H)``, all of the gradient of the loss with respect to ``h_next``.
        dc_next: ``(N, H)``, the gradient with respect to ``c_next`` from later steps only
            (the path through ``h_next`` is added here).
        cache: what :func:`lstm_cell_forward` returned.

    Returns:
        :class:`CellGrads` ``(dx, dh, dc, dweight_ih, dweight_hh, dbias_ih, dbias_hh)``.
    """
    if not isinstance(cache, CellCache):
        raise TypeError(
            f"cache must be the CellCache returned by lstm_cell_forward, got {type(cache).__name__}"
        )
    x, h, c, i, f, g, o, tanh_c_next, weight_ih, weight_hh, has_bias = cache
    _shape("dh_next", dh_next, h.shape)
    _shape("dc_next", dc_next, c.shape)
    do = dh_next * tanh_c_next  # (N, H)   h' = o * tanh(c')
    dc_next = dc_next + dh_next * o * (1 - tanh_c_next**2)  # (N, H) both paths into c'
    df = dc_next * c  # (N, H)   c' = f * c + i * g
    dc = dc_next * f  # (N, H)   ... the direct path into c_{t-1}
    di = dc_next * g  # (N, H)
    dg = dc_next * i  # (N, H)
    dz_i = di * i * (1 - i)  # (N, H)  sigma' = sigma (1 - sigma)
    dz_f = df * f * (1 - f)  # (N, H)
    dz_g = dg * (1 - g**2)  # (N, H)   tanh' = 1 - tanh^2
    dz_o = do * o * (1 - o)  # (N, H)
    dz = torch.cat([dz_i, dz_f, dz_g, dz_o], dim=1)  # (N, 4H)
    dx = dz @ weight_ih  # (N, H_in)
    dh = dz @ weight_hh  # (N, H)  the path into h_{t-1}
    dweight_ih = dz.T @ x  # (4H, H_in)
    dweight_hh = dz.T @ h  # (4H, H)
    dbias = dz.sum(0) if has_bias else None  # (4H,)
    return CellGrads(dx, dh, dc, dweight_ih, dweight_hh, dbias,
                     None if dbias is None else dbias.clone())


# --------------------------------------------------------------------------------------
# A whole sequence
# --------------------------------------------------------------------------------------


def _check_sequence(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh):
    H, H_in = _check_weights(weight_ih, weight_hh, bias_ih, bias_hh)
    _tensor("x", x)
    if x.dim() != 3:
        raise ValueError(
            f"x must be a time-major sequence of shape (L, N, input_size): got {x.dim()} "
            f"dimensions, shape {format_shape(x.shape)}"
        )
    if x.size(0) < 1:
        raise ValueError(f"x must have at least one time step: expected L >= 1, got {x.size(0)}")
    if x.size(2) != H_in:
        raise ValueError(
            f"x.size(-1) must equal input_size (weight_ih.size(1)): expected {H_in}, "
            f"got {x.size(2)}"
        )
    if x.dtype != weight_hh.dtype:
        raise TypeError(f"x must have the weights' dtype: expected {weight_hh.dtype}, "
                        f"got {x.dtype}")
    N = x.size(1)
    _check_state("h0", h0, N, H, weight_hh.dtype)
    _check_state("c0", c0, N, H, weight_hh.dtype)
    return H, N


def lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One layer, one direction, step by step with :func:`lstm_cell_forward`.

    Inputs: ``x`` (L, N, H_in), ``h0``, ``c0`` (N, H), parameters as ``nn.LSTM``'s.
    Returns: ``(out, (h_n, c_n), caches)`` with ``out`` (L, N, H) and one cache per step.
    """
    _check_sequence(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
    h, c, outs, caches = h0, c0, [], []
    for x_t in x.unbind(0):  # L x (N, H_in)
        h, c, cache = lstm_cell_forward(x_t, h, c, weight_ih, weight_hh, bias_ih, bias_hh)
        outs.append(h)
        caches.append(cache)
    return torch.stack(outs), (h, c), caches  # (L, N, H)


def lstm_backward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, dout,
                  dh_n=None, dc_n=None) -> LSTMGrads:
    """Backpropagation through time for one LSTM layer and direction, by hand.

    Runs the forward pass (keeping each step's cache), then the steps backwards: the
    gradient reaching ``h_{t-1}`` is ``dout_{t-1}`` plus what step ``t`` sends back through
    its gates; the gradient reaching ``c_{t-1}`` is what step ``t`` sends back through its
    forget gate. The weight gradients add up over the steps.

    Args:
        x: input ``(L, N, H_in)``, time-major (``batch_first=False``).
        h0, c0: initial state ``(N, H)`` each (``nn.LSTM``'s ``(1, N, H)`` is accepted too;
            ``dh0`` and ``dc0`` then have that shape).
        weight_ih ``(4H, H_in)``, weight_hh ``(4H, H)``: ``nn.LSTM``'s ``weight_ih_l0`` and
            ``weight_hh_l0`` (gates stacked i, f, g, o).
        bias_ih, bias_hh: ``(4H,)``, or both ``None`` for ``nn.LSTM(bias=False)``: then
            ``dbias_ih`` and ``dbias_hh`` are ``None`` too.
        dout: ``(L, N, H)``, the gradient of the loss with respect to the output sequence.
        dh_n, dc_n: ``(N, H)``, the gradients with respect to the final ``h_n`` and ``c_n``.
            Default: None (zero: the loss does not use them).

    Returns:
        :class:`LSTMGrads` ``(dx, dh0, dc0, dweight_ih, dweight_hh, dbias_ih, dbias_hh)``.
    """
    # nn.LSTM's own state shape (1, N, H) is accepted too; the gradients keep that shape
    layered = isinstance(h0, torch.Tensor) and h0.dim() == 3 and h0.size(0) == 1
    h0, c0, dh_n, dc_n = (_drop_layer_dim(t) for t in (h0, c0, dh_n, dc_n))
    H, N = _check_sequence(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
    L = x.size(0)
    _shape("dout", dout, (L, N, H))
    dh = torch.zeros_like(h0) if dh_n is None else dh_n  # (N, H)
    dc = torch.zeros_like(c0) if dc_n is None else dc_n  # (N, H)
    if dh_n is not None:
        _shape("dh_n", dh_n, (N, H))
    if dc_n is not None:
        _shape("dc_n", dc_n, (N, H))
    with torch.no_grad():
        _, _, caches = lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)
        dx = torch.empty_like(x)  # (L, N, H_in)
        dweight_ih = torch.zeros_like(weight_ih)  # (4H, H_in)
        dweight_hh = torch.zeros_like(weight_hh)  # (4H, H)
        dbias = None if bias_ih is None else torch.zeros_like(bias_ih)  # (4H,)
        for t in reversed(range(L)):
            step = lstm_cell_backward(dh + dout[t], dc, caches[t])
            dx[t] = step.dx  # (N, H_in)
            dh, dc = step.dh, step.dc  # (N, H) each: reaching h_{t-1} and c_{t-1}
            dweight_ih += step.dweight_ih  # the weights are shared: gradients add over time
            dweight_hh += step.dweight_hh
            if dbias is not None:
                dbias += step.dbias_ih
    if layered:
        dh, dc = dh[None], dc[None]  # (1, N, H) like the h0, c0 given
    return LSTMGrads(dx, dh, dc, dweight_ih, dweight_hh, dbias,
                     None if dbias is None else dbias.clone())


def _drop_layer_dim(t):
    """``(1, N, H)`` (nn.LSTM's state layout, one layer) -> ``(N, H)``; anything else as is."""
    if isinstance(t, torch.Tensor) and t.dim() == 3 and t.size(0) == 1:
        return t[0]
    return t
