"""One LSTM layer with a hand-derived backward pass (backpropagation through time by hand).

``lstm_layer`` in :mod:`lstm_helpers.lstm` lets autograd record every step of the loop: easy
to read, but each of the ~10 operations of a step becomes a node of the graph and the
backward pass walks them one by one. Here the whole layer is one
:class:`torch.autograd.Function`: the forward pass keeps the gate activations of every step,
and the backward pass runs the recursion for the gradients itself. Per step it needs one
matmul and four small pointwise operations; everything that does not depend on the recursion
(the derivatives of the activations, the weight gradients, the input gradient) is done for
blocks of steps at once, with large matmuls (blocks of about 1,000 rows, steps x batch, so
that the temporaries stay in the caches).

The recursion, for time steps ``t = L-1, ..., 0`` (``z`` are the pre-activations of the four
gates, ``r_t = o_t * tanh(c_t)`` and ``h_t = r_t`` or ``h_t = r_t @ W_hr^T`` with projections)::

    dh_t  = dout_t + dz_{t+1} @ W_hh                  # (N, H_out)  [dz_L @ W_hh := dh_n]
    dr_t  = dh_t (or dh_t @ W_hr)                     # (N, H)
    dc_t  = dc_{t+1} * f_{t+1} + dr_t * o_t * (1 - tanh(c_t)^2)   # (N, H) [dc_L f_L := dc_n]
    dz_t  = [dc_t * g_t * i_t (1 - i_t),   dc_t * c_{t-1} * f_t (1 - f_t),
             dc_t * i_t * (1 - g_t^2),     dr_t * tanh(c_t) * o_t (1 - o_t)]   # (N, 4H)

The forward pass computes ``tanh(a)`` as ``2 sigmoid(2a) - 1`` (torch's CPU tanh is several
times slower than its sigmoid): the g rows of the weights are doubled, exactly, one sigmoid
serves all four gates and the cell state is kept doubled (``C = 2c``).

It is checked against autograd (values and gradients) in ``tests/test_lstm.py``. It can be
differentiated once: a backward pass with ``create_graph=True`` (the start of a second
derivative) raises a clear error; use ``lstm_layer``, the autograd version, for that.
"""

import torch


class LSTMLayerFunction(torch.autograd.Function):
    """One LSTM layer over a padded, time-major sequence, with a hand-written backward.

    Inputs: ``x`` (L, N, H_in), ``h0`` (N, H_out), ``c0`` (N, H_cell), ``weight_ih``
    (4 H_cell, H_in), ``weight_hh`` (4 H_cell, H_out), ``bias_ih``/``bias_hh`` (4 H_cell) or
    ``None``, ``weight_hr`` (H_out, H_cell) or ``None``.
    Outputs: ``out`` (L, N, H_out), ``h_n`` (N, H_out), ``c_n`` (N, H_cell).
    """

    @staticmethod
    def forward(ctx, x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, weight_hr):
        L, N, _ = x.shape
        H = weight_hh.size(0) // 4
        H_out = weight_hh.size(1)
        # tanh(a) = 2 sigmoid(2a) - 1: torch's tanh is several times slower than its sigmoid
        # on CPU, so the g rows of the weights are doubled (exactly: a power of two), one
        # sigmoid serves all four gates, and the cell state is kept doubled, C = 2c.
        scale = weight_hh.new_ones(4 * H, 1)  # (4H, 1)
        scale[2 * H:3 * H] = 2.0
        x2d = x.reshape(L * N, x.size(2))  # (L*N, H_in)
        w_ih_t = (weight_ih * scale).T  # (H_in, 4H)
        bias = bias_sum(bias_ih, bias_hh)  # (4H,) or None
        if bias is not None:
            z = torch.addmm(bias * scale[:, 0], x2d, w_ih_t)  # (L*N, 4H) all steps at once
        else:
            z = x2d @ w_ih_t  # (L*N, 4H)
        z = z.view(L, N, 4 * H)  # (L, N, 4H): becomes i, f, 2g, o, in place
        z4 = z.view(L, N, 4, H)  # (L, N, 4, H): gate k is z4[:, :, k]
        c_all = z.new_empty(L + 1, N, H)  # (L+1, N, H) C = 2c: 2c0, 2c_0, ..., 2c_{L-1}
        torch.mul(c0, 2, out=c_all[0])
        tc_all = z.new_empty(L, N, H)  # (L, N, H) tanh(c_t)
        out = z.new_empty(L, N, H_out)  # (L, N, H_out) h_t
        r_all = z.new_empty(L, N, H) if weight_hr is not None else out  # (L, N, H) o*tanh(c)
        w_hh_t = (weight_hh * scale).T  # (H_out, 4H)
        w_hr_t = weight_hr.T if weight_hr is not None else None  # (H, H_out)
        minus_one, minus_two = z.new_full((), -1.0), z.new_full((), -2.0)
        h_prev = [h0, *out[:-1].unbind(0)]  # L x (N, H_out)
        steps = zip(
            z.unbind(0), z4[:, :, 0].unbind(0), z4[:, :, 1].unbind(0), z4[:, :, 2].unbind(0),
            z4[:, :, 3].unbind(0), c_all[:-1].unbind(0), c_all[1:].unbind(0), tc_all.unbind(0),
            r_all.unbind(0), out.unbind(0), h_prev,
            strict=True,
        )  # unbind once: indexing z[t] in the loop would make a new view every step
        for z_t, i_t, f_t, g_t, o_t, c_prev, c_t, tc_t, r_t, h_t, h_p in steps:
            z_t.addmm_(h_p, w_hh_t)  # (N, 4H) pre-activations, the g slot doubled
            z_t.sigmoid_()  # (N, 4H) i, f, sigmoid(2 z_g), o
            torch.add(minus_two, g_t, alpha=4, out=g_t)  # (N, H) 2g = 4 sigmoid(2 z_g) - 2
            torch.mul(f_t, c_prev, out=c_t)  # (N, H)
            c_t.addcmul_(i_t, g_t)  # (N, H) 2c_t = f * 2c_{t-1} + i * 2g
            torch.sigmoid(c_t, out=tc_t)  # (N, H)
            torch.add(minus_one, tc_t, alpha=2, out=tc_t)  # (N, H) tanh(c_t)
            torch.mul(o_t, tc_t, out=r_t)  # (N, H) h_t (or r_t with projections)
            if w_hr_t is not None:
                torch.mm(r_t, w_hr_t, out=h_t)  # (N, H_out)
        ctx.save_for_backward(
            x, h0, weight_ih, weight_hh, weight_hr, z, c_all, tc_all, out,
            r_all if weight_hr is not None else None,
        )
        return out, out[-1].clone(), c_all[-1] * 0.5

    @staticmethod
    def backward(ctx, grad_out, grad_hn, grad_cn):
        if torch.is_grad_enabled():  # create_graph=True: a second derivative is wanted
            raise RuntimeError(
                "LSTM: the hand-written backward pass (lstm_layer_bptt) can be differentiated "
                "only once, but create_graph=True asks to differentiate twice; use the "
                "autograd version instead (model.use_bptt = False, or lstm_layer)"
            )
        (x, h0, weight_ih, weight_hh, weight_hr,
         act, c_all, tc_all, out, r_all) = ctx.saved_tensors
        L, N, H_in = x.shape
        need = ctx.needs_input_grad
        grads = _Grads(x, h0, weight_ih, weight_hh, weight_hr, out, r_all, need)
        dh = grad_out[-1] + grad_hn  # (N, H_out) all of the gradient reaching h_{L-1}
        dcf = grad_cn  # (N, H) the gradient reaching c_{L-1} from later steps
        block = max(1, _BLOCK_ROWS // max(N, 1))  # steps per block: temporaries stay small
        for stop in range(L, 0, -block):
            t0 = max(0, stop - block)
            dz, dh_block, dh, dcf = _backward_block(
                grad_out[max(t0 - 1, 0):stop - 1], t0 > 0, act[t0:stop], c_all[t0:stop + 1],
                tc_all[t0:stop], weight_hh, weight_hr, dh, dcf,
            )
            grads.add_block(t0, stop, dz, dh_block)
        return grads.result(dh, dcf)


_BLOCK_ROWS = 1024  # rows (steps x batch) per block: its temporaries stay in the caches


def _backward_block(grad_before, has_before, act, c, tc, weight_hh, weight_hr, dh, dcf):
    """The recursion over one block of T steps t0..stop-1, in reverse.

    ``dh`` is all of the gradient reaching h_{stop-1}, ``dcf`` the part of the gradient of
    c_{stop-1} that comes from later steps. ``grad_before`` holds ``grad_out`` of steps
    t0-1..stop-2 (t0..stop-2 when ``has_before`` is False, at t0 = 0). ``act`` holds i, f,
    2g, o and ``c`` T + 1 doubled cell states (2c_{t0-1} .. 2c_{stop-1}), as the forward pass
    left them. Returns ``dz`` (T, N, 4, H), with projections ``dh`` (T, N, H_out) (else
    ``None``), and the gradients reaching h_{t0-1} and (from step t0 on) c_{t0-1}.
    """
    T, N, _ = act.shape
    H = tc.size(2)
    act4 = act.view(T, N, 4, H)  # (T, N, 4, H)
    i, f, o = act4[:, :, 0], act4[:, :, 1], act4[:, :, 3]  # (T, N, H) each
    g = act4[:, :, 2] * 0.5  # (T, N, H)
    m = act.new_empty(T, N, 4, H)  # (T, N, 4, H) dz = [dc, dc, dc, dr] * m
    torch.mul(g, i * (1 - i), out=m[:, :, 0])
    torch.mul(c[:-1] * 0.5, f * (1 - f), out=m[:, :, 1])
    torch.mul(i, 1 - g * g, out=m[:, :, 2])
    torch.mul(tc, o * (1 - o), out=m[:, :, 3])
    k = o * (1 - tc * tc)  # (T, N, H) d c_t / d r_t through h = o * tanh(c)
    dz = act.new_empty(T, N, 4, H)  # (T, N, 4, H) gradients of the pre-activations
    proj = weight_hr is not None
    dh_all = act.new_empty(T, N, weight_hh.size(1)) if proj else None  # (T, N, H_out)
    before = list(grad_before.unbind(0)) if has_before else [None, *grad_before.unbind(0)]
    steps = zip(
        reversed(before), reversed(m.unbind(0)), reversed(k.unbind(0)),
        reversed(f.unbind(0)), reversed(dz.unbind(0)),
        reversed(dh_all.unbind(0)) if proj else [None] * T,
        strict=True,
    )
    for gout_prev, m_t, k_t, f_t, dz_t, dh_t in steps:
        if proj:
            dr = dh_t.copy_(dh) @ weight_hr  # (N, H); dh kept for dW_hr
        else:
            dr = dh  # (N, H)
        dc = torch.addcmul(dcf, dr, k_t)  # (N, H) all of the gradient reaching c_t
        torch.mul(torch.stack((dc, dc, dc, dr), 1), m_t, out=dz_t)  # (N, 4, H)
        dcf = dc * f_t  # (N, H) reaching c_{t-1}
        dz_gates = dz_t.view(N, 4 * H)  # (N, 4H)
        if gout_prev is None:  # t = 0: the gradient reaching h_0
            dh = dz_gates @ weight_hh  # (N, H_out)
        else:  # reaching h_{t-1}: from its own output and from step t
            dh = torch.addmm(gout_prev, dz_gates, weight_hh)  # (N, H_out)
    return dz, dh_all, dh, dcf


class _Grads:
    """Accumulates the gradients that are sums over time, one block at a time."""

    def __init__(self, x, h0, weight_ih, weight_hh, weight_hr, out, r_all, need):
        self.x, self.h0, self.out, self.r_all = x, h0, out, r_all
        self.weight_ih, self.need = weight_ih, need
        self.dx = x.new_empty(x.shape) if need[0] else None  # (L, N, H_in), contiguous
        self.dw_ih = torch.zeros_like(weight_ih) if need[3] else None  # (4H, H_in)
        self.dw_hh = torch.zeros_like(weight_hh) if need[4] else None  # (4H, H_out)
        # need[5] / need[6] are False for a bias that is None: each may be given alone
        self.db = weight_hh.new_zeros(weight_hh.size(0)) if need[5] or need[6] else None  # (4H,)
        has_hr = weight_hr is not None and need[7]
        self.dw_hr = torch.zeros_like(weight_hr) if has_hr else None  # (H_out, H)

    def add_block(self, t0, stop, dz, dh):
        T, N = dz.shape[:2]
        dz2 = dz.view(T * N, -1)  # (T*N, 4H)
        if self.dx is not None:
            torch.mm(dz2, self.weight_ih, out=self.dx[t0:stop].view(T * N, -1))
        if self.dw_ih is not None:
            self.dw_ih.addmm_(dz2.T, self.x[t0:stop].reshape(T * N, -1))  # (4H, H_in)
        if self.dw_hh is not None:  # h_{t-1} for t = t0..stop-1
            if t0 == 0:
                self.dw_hh.addmm_(dz[0].view(N, -1).T, self.h0)
                if T > 1:
                    self.dw_hh.addmm_(dz2[N:].T, self.out[: stop - 1].reshape((T - 1) * N, -1))
            else:
                self.dw_hh.addmm_(dz2.T, self.out[t0 - 1:stop - 1].reshape(T * N, -1))
        if self.db is not None:
            self.db += dz2.sum(0)
        if self.dw_hr is not None:
            self.dw_hr.addmm_(dh.view(T * N, -1).T, self.r_all[t0:stop].reshape(T * N, -1))

    def result(self, dh0, dc0):
        need = self.need
        db_ih = self.db if need[5] else None  # both biases get the same gradient
        db_hh = None if not need[6] else self.db.clone() if need[5] else self.db
        return (self.dx, dh0 if need[1] else None, dc0 if need[2] else None, self.dw_ih,
                self.dw_hh, db_ih, db_hh, self.dw_hr)


def bias_sum(bias_ih, bias_hh):
    """``bias_ih + bias_hh``, either of which may be ``None`` (as in ``torch.lstm_cell``).

    Returns ``None`` when both are ``None``.
    """
    if bias_ih is None:
        return bias_hh
    if bias_hh is None:
        return bias_ih
    return bias_ih + bias_hh  # (4H,)


def lstm_layer_bptt(input, hx, weight_ih, weight_hh, bias_ih=None, bias_hh=None,
                    weight_hr=None):
    """Same interface and results as :func:`lstm_helpers.lstm.lstm_layer`, faster backward.

    Inputs: ``input`` (L, N, H_in), ``hx = (h_0, c_0)`` with shapes (N, H_out), (N, H_cell).
    Outputs: ``output`` (L, N, H_out), ``(h_n, c_n)``.
    """
    out, h_n, c_n = LSTMLayerFunction.apply(
        input, hx[0], hx[1], weight_ih, weight_hh, bias_ih, bias_hh, weight_hr
    )
    return out, (h_n, c_n)
