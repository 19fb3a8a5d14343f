"""mathdl.information against torch (float64, every device) and scikit-learn."""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.distributions as D
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import mutual_info_score
from strategies import SEEDS, SETTINGS

from mathdl import information as info
from mathdl.autodiff import Tensor
from mathdl.functional import softmax
from mathdl.testing import assert_close, compare_with_torch, to_torch

LN2 = math.log(2)


def simplex(seed, shape, zeros=0.0):
    """Random distributions along the last axis; a fraction ``zeros`` of exact zeros."""
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    drop = rng.random(shape) < zeros
    drop[..., 0] &= ~drop[..., 1:].all(axis=-1)  # keep one entry per distribution
    p = np.where(drop, 0.0, p)
    return p / p.sum(axis=-1, keepdims=True)


def table(seed, shape, zeros=0.0):
    """A random joint table summing to 1 over all entries."""
    flat = simplex(seed, (math.prod(shape),), zeros)
    return flat.reshape(shape)


def xlogy(x, y):
    return torch.special.xlogy(x, y)


# Reference formulas in torch, each the textbook definition.
def torch_entropy(p, dim=-1):
    return torch.special.entr(p).sum(dim)


def torch_cross_entropy(p, q):
    return -xlogy(p, q).sum(-1)


def torch_kl(p, q):
    return (xlogy(p, p) - xlogy(p, q)).sum(-1)


def torch_js(p, q):
    m = (p + q) / 2
    return 0.5 * (torch_kl(p, m) + torch_kl(q, m))


def torch_conditional(joint, dim):
    return -(xlogy(joint, joint) - xlogy(joint, joint.sum(dim, keepdim=True))).sum()


def torch_mutual_information(joint):
    outer = joint.sum(1, keepdim=True) * joint.sum(0, keepdim=True)
    return (xlogy(joint, joint) - xlogy(joint, outer)).sum()


# Rows summing to 1 in float64, with exact zeros and 1e-300 on either side.
P_EXTREME = np.array(
    [
        [1e-300, 1.0, 0.0],
        [0.5, 0.5, 0.0],
        [0.0, 1.0, 0.0],
        [1e-300, 0.5, 0.5],
        [0.25, 0.75, 0.0],
        [1 / 3, 1 / 3, 1 / 3],
    ]
)
Q_EXTREME = np.array(
    [
        [1.0, 1e-300, 0.0],
        [1e-300, 1.0, 0.0],
        [1e-300, 1.0, 0.0],
        [0.5, 0.5, 0.0],
        [0.0, 1.0, 0.0],
        [0.5, 0.25, 0.25],
    ]
)


# ----------------------------------------------------------------------------- entropy


@pytest.mark.parametrize("shape", [(2,), (5,), (4, 3), (2, 3, 6)])
@pytest.mark.parametrize("zeros", [0.0, 0.3])
def test_entropy_vs_torch_categorical(device, shape, zeros):
    p = simplex(0, shape, zeros)
    expected = D.Categorical(probs=to_torch(p, device)).entropy()
    assert_close(info.entropy(p), expected, rtol=1e-12, atol=1e-15)


def test_entropy_extremes_vs_torch_entr(device):
    got = info.entropy(P_EXTREME)
    assert_close(got, torch_entropy(to_torch(P_EXTREME, device)), rtol=1e-13, atol=1e-300)
    assert got[2] == 0.0 and not np.signbit(got[2])  # a certain outcome: exactly +0


@pytest.mark.parametrize("dim", [0, 1, -2])
def test_entropy_dim(device, dim):
    p = np.moveaxis(simplex(1, (3, 5, 4), 0.2), -1, dim)
    expected = torch_entropy(to_torch(p, device), dim)
    assert_close(info.entropy(p, dim=dim), expected, rtol=1e-13)


def test_entropy_bases():
    assert float(info.entropy([0.5, 0.5], base=2)) == 1.0
    assert_close(info.entropy(np.full(8, 1 / 8), base=2), 3.0, rtol=1e-15)
    assert_close(info.entropy(np.full(10, 0.1), base=10), 1.0, rtol=1e-15)
    assert_close(info.entropy(np.full(7, 1 / 7)), math.log(7), rtol=1e-15)


def test_entropy_keeps_float32_and_returns_arrays():
    out = info.entropy(np.full(4, 0.25, dtype=np.float32))
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    assert isinstance(info.entropy([0.5, 0.5]), np.ndarray)
    assert isinstance(info.entropy(Tensor([0.5, 0.5])), Tensor)


def test_joint_entropy_vs_torch(device):
    joint = table(2, (3, 4, 2), 0.2)
    expected = torch.special.entr(to_torch(joint, device)).sum()
    assert_close(info.joint_entropy(joint), expected, rtol=1e-13)
    assert_close(info.joint_entropy(joint), info.entropy(joint.reshape(-1)), rtol=1e-15)
    assert float(info.joint_entropy(np.full((2, 4), 1 / 8), base=2)) == 3.0


@pytest.mark.parametrize("dim", [0, 1])
def test_conditional_entropy_vs_torch(device, dim):
    joint = table(3, (4, 5), 0.2)
    expected = torch_conditional(to_torch(joint, device), dim)
    assert_close(info.conditional_entropy(joint, dim=dim), expected, rtol=1e-12)


def test_conditional_entropy_chain_rule_and_bounds():
    joint = table(4, (4, 3), 0.25)
    h_xy, h_y = info.joint_entropy(joint), info.entropy(joint.sum(0))
    h_x_given_y = info.conditional_entropy(joint, dim=0)
    assert_close(h_x_given_y, h_xy - h_y, rtol=1e-13)
    assert 0 <= h_x_given_y <= info.entropy(joint.sum(1))
    assert float(info.conditional_entropy(np.eye(3) / 3)) == 0.0  # X = Y
    three = table(5, (2, 3, 4))  # H(X_1 | X_0, X_2) = H(all) - H(X_0, X_2)
    rest = info.joint_entropy(three.sum(1))
    assert_close(info.conditional_entropy(three, dim=1), info.joint_entropy(three) - rest)


# ----------------------------------------------------------------------------- cross-entropy, KL


@pytest.mark.parametrize("zeros", [0.0, 0.3])
def test_cross_entropy_vs_torch(device, zeros):
    p, q = simplex(5, (6, 4), zeros), simplex(6, (6, 4))
    expected = torch_cross_entropy(to_torch(p, device), to_torch(q, device))
    assert_close(info.cross_entropy(p, q), expected, rtol=1e-13)


def test_cross_entropy_extremes_vs_torch(device):
    got = info.cross_entropy(P_EXTREME, Q_EXTREME)
    expected = torch_cross_entropy(to_torch(P_EXTREME, device), to_torch(Q_EXTREME, device))
    assert_close(got, expected, rtol=1e-13, atol=1e-300)
    assert got[4] == np.inf  # q = 0 < p
    assert float(info.cross_entropy([0.0, 1.0], [0.0, 1.0])) == 0.0  # p = 0 where q = 0


@pytest.mark.parametrize("zeros", [0.0, 0.3])
def test_kl_vs_torch(device, zeros):
    p, q = simplex(7, (5, 6), zeros), simplex(8, (5, 6))
    expected = torch_kl(to_torch(p, device), to_torch(q, device))
    assert_close(info.kl_divergence(p, q), expected, rtol=1e-12, atol=1e-15)


def test_kl_extremes_vs_torch(device):
    got = info.kl_divergence(P_EXTREME, Q_EXTREME)
    expected = torch_kl(to_torch(P_EXTREME, device), to_torch(Q_EXTREME, device))
    assert_close(got, expected, rtol=1e-13, atol=1e-300)
    assert got[4] == np.inf
    assert_close(got[0], 300 * math.log(10), rtol=1e-15)  # log(1 / 1e-300)


def test_kl_subnormal_quotient_stays_finite():
    # p / q would overflow: the logarithm is taken as log p - log q there.
    got = info.kl_divergence([0.5, 0.5], [1e-320, 1.0])
    expected = 0.5 * (math.log(0.5) - math.log(1e-320)) + 0.5 * math.log(0.5)
    assert_close(got, expected, rtol=1e-13)


def test_kl_of_identical_is_exactly_zero():
    for p in (simplex(9, (4, 7), 0.3), P_EXTREME, np.full(3, 1 / 3)):
        assert np.all(info.kl_divergence(p, p) == 0.0)
        assert np.all(info.js_divergence(p, p) == 0.0)


def test_kl_and_cross_entropy_bases():
    p, q = simplex(10, (3, 4)), simplex(11, (3, 4))
    assert_close(info.kl_divergence(p, q, base=2), info.kl_divergence(p, q) / LN2, rtol=1e-15)
    assert_close(info.cross_entropy(p, q, base=2), info.cross_entropy(p, q) / LN2, rtol=1e-15)


@SETTINGS
@given(seed=SEEDS, k=st.integers(1, 8), zeros=st.sampled_from([0.0, 0.4]))
def test_gibbs_decomposition_and_nonnegativity(seed, k, zeros):
    p, q = simplex(seed, (3, k), zeros), simplex(seed + 1, (3, k))
    kl = info.kl_divergence(p, q)
    assert np.all(kl >= -1e-15)
    assert_close(info.cross_entropy(p, q), info.entropy(p) + kl, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------- Jensen-Shannon


@pytest.mark.parametrize("zeros", [0.0, 0.4])
def test_js_vs_torch(device, zeros):
    p, q = simplex(12, (5, 4), zeros), simplex(13, (5, 4), zeros)
    expected = torch_js(to_torch(p, device), to_torch(q, device))
    assert_close(info.js_divergence(p, q), expected, rtol=1e-12, atol=1e-15)


def test_js_extremes_vs_torch(device):
    got = info.js_divergence(P_EXTREME, Q_EXTREME)
    expected = torch_js(to_torch(P_EXTREME, device), to_torch(Q_EXTREME, device))
    assert_close(got, expected, rtol=1e-13, atol=1e-300)
    assert np.all(np.isfinite(got))  # finite where KL is not


@SETTINGS
@given(seed=SEEDS, k=st.integers(1, 8), zeros=st.sampled_from([0.0, 0.5]))
def test_js_symmetric_and_bounded(seed, k, zeros):
    p, q = simplex(seed, (4, k), zeros), simplex(seed + 1, (4, k), zeros)
    js = info.js_divergence(p, q)
    assert np.array_equal(js, info.js_divergence(q, p))
    assert np.all(js >= -1e-16) and np.all(js <= LN2 * (1 + 1e-14))
    assert np.all(info.js_divergence(p, q, base=2) <= 1 + 1e-14)


def test_js_disjoint_supports_reach_the_bound():
    p, q = np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.25, 0.75])
    assert_close(info.js_divergence(p, q), LN2, rtol=1e-15)
    assert float(info.js_divergence([1.0, 0.0], [0.0, 1.0], base=2)) == 1.0


# ----------------------------------------------------------------------------- mutual information


@pytest.mark.parametrize("zeros", [0.0, 0.3])
def test_mutual_information_vs_torch(device, zeros):
    joint = table(14, (4, 6), zeros)
    expected = torch_mutual_information(to_torch(joint, device))
    assert_close(info.mutual_information(joint), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_mutual_information_vs_sklearn(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 6, size=(4, 5)) * (rng.random((4, 5)) < 0.8)
    counts[0, 0] += 1  # at least one observation
    expected = mutual_info_score(None, None, contingency=counts)
    got = info.mutual_information(counts / counts.sum())
    assert_close(got, expected, rtol=1e-12, atol=1e-15)


def test_mutual_information_identities():
    joint = table(15, (3, 5), 0.2)
    h_x, h_y = info.entropy(joint.sum(1)), info.entropy(joint.sum(0))
    mi = info.mutual_information(joint)
    assert_close(mi, h_x - info.conditional_entropy(joint, dim=0), rtol=1e-12, atol=1e-15)
    assert_close(mi, h_x + h_y - info.joint_entropy(joint), rtol=1e-12, atol=1e-15)
    outer = joint.sum(1)[:, None] * joint.sum(0)[None, :]
    assert_close(mi, info.kl_divergence(joint.reshape(-1), outer.reshape(-1)), rtol=1e-12)


def test_mutual_information_independent_and_copy():
    px, py = simplex(16, (4,)), simplex(17, (6,))
    assert float(info.mutual_information(np.outer(px, py))) == pytest.approx(0.0, abs=1e-15)
    assert float(info.mutual_information(np.full((3, 7), 1 / 21))) == 0.0
    assert float(info.mutual_information(np.eye(2) / 2, base=2)) == 1.0
    diag = np.diag(px)  # X = Y: I = H(X)
    assert_close(info.mutual_information(diag), info.entropy(px), rtol=1e-13)


# ----------------------------------------------------------------------------- gradients


def test_entropy_gradient_vs_torch(device):
    p = simplex(20, (4, 5))
    compare_with_torch(info.entropy, torch_entropy, [p], device, arrays_too=True)


def test_entropy_gradient_dim0_base2_vs_torch(device):
    p = simplex(21, (3, 4)).T

    def ours(x):
        return info.entropy(x, dim=0, base=2)

    def theirs(x):
        return torch_entropy(x, 0) / LN2

    compare_with_torch(ours, theirs, [p], device, arrays_too=True)


def test_cross_entropy_gradient_vs_torch(device):
    p, q = simplex(22, (3, 4)), simplex(23, (3, 4))
    compare_with_torch(info.cross_entropy, torch_cross_entropy, [p, q], device, arrays_too=True)


def test_kl_gradient_vs_torch(device):
    p, q = simplex(24, (3, 4)), simplex(25, (3, 4))
    compare_with_torch(info.kl_divergence, torch_kl, [p, q], device, arrays_too=True)


def test_js_gradient_vs_torch(device):
    p, q = simplex(26, (3, 4)), simplex(27, (3, 4))
    compare_with_torch(info.js_divergence, torch_js, [p, q], device, rtol=1e-11, arrays_too=True)


def test_table_gradients_vs_torch(device):
    joint = table(28, (3, 4))
    compare_with_torch(
        info.joint_entropy, lambda t: torch.special.entr(t).sum(), [joint], device, arrays_too=True
    )
    for dim in (0, 1):
        compare_with_torch(
            lambda t, d=dim: info.conditional_entropy(t, dim=d),
            lambda t, d=dim: torch_conditional(t, d),
            [joint],
            device,
            rtol=1e-11,
            arrays_too=True,
        )
    compare_with_torch(
        info.mutual_information, torch_mutual_information, [joint], device, rtol=1e-11
    )


def test_gradient_through_softmax_vs_torch(device):
    # The chapter's demo: the entropy of softmax(logits) and its gradient in the logits.
    logits = np.random.default_rng(29).standard_normal((2, 5))
    compare_with_torch(
        lambda z: info.entropy(softmax(z)),
        lambda z: torch_entropy(torch.softmax(z, -1)),
        [logits],
        device,
        rtol=1e-11,
        atol=1e-15,
    )
    target = simplex(30, (2, 5))
    compare_with_torch(
        lambda z: info.kl_divergence(target, softmax(z)).sum(),
        lambda z: torch_kl(to_torch(target, device), torch.softmax(z, -1)).sum(),
        [logits],
        device,
        rtol=1e-11,
        atol=1e-15,
    )


def test_no_runtime_warning_on_extremes():
    p, q = Tensor(P_EXTREME, requires_grad=True), Tensor(Q_EXTREME, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (info.cross_entropy, info.kl_divergence, info.js_divergence):
            f(P_EXTREME, Q_EXTREME)
            f(p, q).backward(np.ones(len(P_EXTREME)))
        info.entropy(p).backward(np.ones(len(P_EXTREME)))
        joint = Tensor(np.array([[0.5, 0.0], [0.0, 0.5]]), requires_grad=True)
        for f in (info.joint_entropy, info.conditional_entropy, info.mutual_information):
            f(joint).backward()


# ----------------------------------------------------------------------------- closed forms


class _Fake:
    """A stand-in distribution carrying torch's parameter values (for the formulas alone)."""

    def __init__(self, **params):
        for name, value in params.items():
            setattr(self, name, value.detach().cpu().numpy())

    def log_prob(self, value):
        raise NotImplementedError

    def sample(self, shape=()):
        raise NotImplementedError


class FakeNormal(_Fake):
    pass


class FakeMVN(_Fake):
    pass


class FakeCategorical(_Fake):
    pass


class FakeBernoulli(_Fake):
    pass


info.register_kl(FakeNormal, FakeNormal)(info._kl_normal_normal)
info.register_kl(FakeMVN, FakeMVN)(info._kl_mvn_mvn)
info.register_kl(FakeCategorical, FakeCategorical)(info._kl_categorical_categorical)
info.register_kl(FakeBernoulli, FakeBernoulli)(info._kl_bernoulli_bernoulli)


def spd(rng, batch, n):
    """Well-conditioned symmetric positive definite matrices (batch..., n, n)."""
    a = rng.standard_normal((*batch, n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def torch_pairs(family, device, seed=0):
    """Two batched torch distributions of ``family`` with broadcasting parameters."""
    rng = np.random.default_rng(seed)

    def t(x):
        return to_torch(x, device)

    if family == "Normal":
        return (
            D.Normal(t(rng.standard_normal((3, 2))), t(rng.uniform(0.2, 3, (3, 2)))),
            D.Normal(t(rng.standard_normal(2)), t(rng.uniform(0.2, 3, 2))),
        )
    if family == "MultivariateNormal":
        return (
            D.MultivariateNormal(t(rng.standard_normal((2, 3))), t(spd(rng, (2,), 3))),
            D.MultivariateNormal(t(rng.standard_normal(3)), t(spd(rng, (), 3))),
        )
    if family == "Categorical":
        return (
            D.Categorical(probs=t(simplex(seed, (4, 5), 0.3))),
            D.Categorical(probs=t(simplex(seed + 1, (5,)))),
        )
    return (
        D.Bernoulli(probs=t(np.array([0.0, 0.3, 0.9, 1.0, 0.5]))),
        D.Bernoulli(probs=t(np.array([0.2, 0.3, 0.01, 0.7, 1.0]))),
    )


def fake(d):
    """The stand-in with ``d``'s parameters."""
    if isinstance(d, D.MultivariateNormal):
        return FakeMVN(loc=d.loc, covariance_matrix=d.covariance_matrix)
    if isinstance(d, D.Normal):
        return FakeNormal(loc=d.loc, scale=d.scale)
    cls = FakeCategorical if isinstance(d, D.Categorical) else FakeBernoulli
    return cls(probs=d.probs, logits=d.logits)


FAMILIES = ["Normal", "MultivariateNormal", "Categorical", "Bernoulli"]


@pytest.mark.parametrize("family", FAMILIES)
def test_closed_form_formulas_vs_torch(device, family):
    p, q = torch_pairs(family, device)
    for a, b in ((p, q), (q, p), (p, p)):
        expected = D.kl_divergence(a, b)
        got = info.kl_divergence(fake(a), fake(b))
        assert got.shape == tuple(expected.shape)
        assert_close(got, expected, rtol=1e-12, atol=1e-15)
    assert_close(info.kl_divergence(fake(p), fake(q), base=2), D.kl_divergence(p, q) / LN2)


def test_closed_form_bernoulli_infinite_where_torch_is():
    p = D.Bernoulli(probs=torch.tensor([0.5, 0.0, 1.0], dtype=torch.float64))
    q = D.Bernoulli(probs=torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64))
    got = info.kl_divergence(fake(p), fake(q))
    assert got[0] == np.inf and got[1] == 0.0 and got[2] == 0.0
    assert_close(got, D.kl_divergence(p, q))


def test_private_cholesky_and_solve():
    rng = np.random.default_rng(31)
    A = spd(rng, (4, 2), 5)
    L = info._cholesky(A)
    assert_close(L, np.linalg.cholesky(A), rtol=1e-12, atol=1e-14)
    B = rng.standard_normal((5, 3))
    assert_close(L @ info._solve_lower(L, B), np.broadcast_to(B, (4, 2, 5, 3)), atol=1e-12)


def _probability_module():
    return pytest.importorskip("mathdl.probability", reason="mathdl.probability not written yet")


def ours_from_torch(d, P):
    """The mathdl.probability distribution with ``d``'s parameters."""
    if isinstance(d, D.MultivariateNormal):
        return P.MultivariateNormal(d.loc.cpu().numpy(), d.covariance_matrix.cpu().numpy())
    if isinstance(d, D.Normal):
        return P.Normal(d.loc.cpu().numpy(), d.scale.cpu().numpy())
    cls = P.Categorical if isinstance(d, D.Categorical) else P.Bernoulli
    return cls(probs=d.probs.cpu().numpy())


@pytest.mark.parametrize("family", FAMILIES)
def test_closed_forms_of_mathdl_distributions_vs_torch(device, family):
    P = _probability_module()
    p, q = torch_pairs(family, device, seed=1)
    for a, b in ((p, q), (q, p), (p, p)):
        got = info.kl_divergence(ours_from_torch(a, P), ours_from_torch(b, P))
        assert_close(got, D.kl_divergence(a, b), rtol=1e-12, atol=1e-15)


def test_closed_form_of_mathdl_categorical_matches_the_array_form():
    P = _probability_module()
    p, q = simplex(32, (3, 4)), simplex(33, (3, 4))
    got = info.kl_divergence(P.Categorical(probs=p), P.Categorical(probs=q))
    assert_close(got, info.kl_divergence(p, q), rtol=1e-12, atol=1e-15)


def test_normal_kl_gradient_in_the_parameters_vs_torch(device):
    # The closed-form KL term of a Gaussian ELBO: differentiable in Tensor loc and scale.
    P = _probability_module()
    rng = np.random.default_rng(34)
    params = [rng.standard_normal(3), rng.uniform(0.5, 2, 3), rng.standard_normal(3), [1.5]]

    def ours(mp, sp, mq, sq):
        return info.kl_divergence(P.Normal(mp, sp), P.Normal(mq, sq))

    def theirs(mp, sp, mq, sq):
        return D.kl_divergence(D.Normal(mp, sp), D.Normal(mq, sq))

    compare_with_torch(ours, theirs, params, device, rtol=1e-12, atol=1e-15)
    out = info.kl_divergence(P.Normal(Tensor(0.0, True), 1.0), P.Normal(1.0, 2.0), base=2)
    assert isinstance(out, Tensor) and out.requires_grad
    one, two = to_torch(1.0), to_torch(2.0)
    assert_close(out, D.kl_divergence(D.Normal(one - 1, one), D.Normal(one, two)) / LN2)


def test_register_kl_dispatches_on_subclasses():
    class Child(FakeNormal):
        pass

    p = Child(loc=torch.tensor(0.0), scale=torch.tensor(1.0))
    q = FakeNormal(loc=torch.tensor(1.0), scale=torch.tensor(2.0))
    expected = D.kl_divergence(D.Normal(0.0, 1.0), D.Normal(1.0, 2.0))
    assert_close(info.kl_divergence(p, q), expected.double(), rtol=1e-6)


# ----------------------------------------------------------------------------- bad input


def _raises(exc, start, f, *args, **kwargs):
    with pytest.raises(exc) as err:
        f(*args, **kwargs)
    assert str(err.value).startswith(start), str(err.value)
    return str(err.value)


def test_negative_probability():
    msg = _raises(ValueError, "entropy: p must be non-negative", info.entropy, [-0.1, 1.1])
    assert "-0.1 at index (0,)" in msg


def test_negative_probability_in_q():
    msg = _raises(
        ValueError,
        "kl_divergence: q must be non-negative",
        info.kl_divergence,
        [[0.5, 0.5], [0.5, 0.5]],
        [[0.5, 0.5], [1.5, -0.5]],
    )
    assert "-0.5 at index (1, 1)" in msg


def test_negative_probability_in_joint():
    joint = np.array([[0.5, 0.6], [-0.1, 0.0]])
    _raises(
        ValueError, "mutual_information: joint must be non-negative", info.mutual_information, joint
    )


def test_not_summing_to_one():
    msg = _raises(ValueError, "entropy: p must sum to 1 along dim -1", info.entropy, [0.5, 0.4])
    assert "got sum 0.9 " in msg


def test_not_summing_to_one_names_the_row():
    p = [[0.5, 0.5], [0.3, 0.3]]
    msg = _raises(
        ValueError,
        "cross_entropy: q must sum to 1 along dim -1",
        info.cross_entropy,
        [[1.0, 0.0]] * 2,
        p,
    )
    assert "got sum 0.6 at index (1,)" in msg


def test_joint_not_summing_to_one():
    _raises(
        ValueError,
        "joint_entropy: joint must sum to 1 over all entries",
        info.joint_entropy,
        np.full((2, 2), 0.3),
    )


def test_sum_tolerance():
    info.entropy([0.5, 0.5 + 1e-9])  # within torch's 1e-6
    _raises(ValueError, "entropy: p must sum to 1", info.entropy, [0.5, 0.5 + 1e-5])


def test_shape_mismatch():
    msg = _raises(
        ValueError,
        "js_divergence: p (2,) and q (3,) must have the same shape",
        info.js_divergence,
        [0.5, 0.5],
        [0.2, 0.3, 0.5],
    )
    assert "(2,)" in msg and "(3,)" in msg


@pytest.mark.parametrize(
    ("bad", "start"),
    [
        ("abc", "entropy: p must be a real array or number, got str"),
        (None, "entropy: p must be a real array or number, got NoneType"),
        ({"a": 1}, "entropy: p must be a real numeric array, got dtype object"),
        ([0.5 + 0j, 0.5], "entropy: p must be real, got complex"),
    ],
)
def test_wrong_type(bad, start):
    _raises(TypeError, start, info.entropy, bad)


def test_wrong_type_q():
    start = "cross_entropy: q must be a real array or number, got str"
    _raises(TypeError, start, info.cross_entropy, [0.5, 0.5], "q")


def test_not_finite():
    _raises(
        ValueError, "kl_divergence: p must be finite", info.kl_divergence, [np.nan, 1.0], [0.5, 0.5]
    )


def test_zero_dimensional():
    _raises(ValueError, "entropy: p must have at least 1 dimension", info.entropy, 1.0)


def test_bad_dim():
    _raises(TypeError, "entropy: dim must be an int", info.entropy, [0.5, 0.5], dim=0.5)
    _raises(ValueError, "entropy: dim 1 is out of range", info.entropy, [0.5, 0.5], dim=1)
    _raises(
        ValueError,
        "conditional_entropy: dim 2 is out of range",
        info.conditional_entropy,
        np.eye(2) / 2,
        dim=2,
    )


@pytest.mark.parametrize("base", [0, -2.0, math.inf])
def test_bad_base_value(base):
    _raises(ValueError, "entropy: base must be", info.entropy, [0.5, 0.5], base=base)


def test_base_one():
    _raises(
        ValueError,
        "js_divergence: base must be positive and not 1",
        info.js_divergence,
        [1.0],
        [1.0],
        base=1,
    )


@pytest.mark.parametrize("base", ["2", True])
def test_bad_base_type(base):
    _raises(TypeError, "entropy: base must be a real number", info.entropy, [0.5, 0.5], base=base)


def test_mutual_information_needs_a_matrix():
    _raises(
        ValueError,
        "mutual_information: joint must be 2-D",
        info.mutual_information,
        np.full((2, 2, 2), 1 / 8),
    )


def test_kl_distribution_with_array():
    p = FakeNormal(loc=torch.tensor(0.0), scale=torch.tensor(1.0))
    _raises(TypeError, "kl_divergence: p and q must both be", info.kl_divergence, p, [0.5, 0.5])
    _raises(TypeError, "kl_divergence: p and q must both be", info.kl_divergence, [1.0], p)


def test_kl_unregistered_pair():
    p = FakeNormal(loc=torch.tensor(0.0), scale=torch.tensor(1.0))
    q = FakeBernoulli(probs=torch.tensor(0.5), logits=torch.tensor(0.0))
    _raises(
        TypeError,
        "kl_divergence: no closed form for KL(FakeNormal || FakeBernoulli)",
        info.kl_divergence,
        p,
        q,
    )


def test_register_kl_bad_arguments():
    _raises(
        TypeError, "register_kl: type_p must be a class", info.register_kl, "Normal", FakeNormal
    )
    _raises(
        TypeError,
        "register_kl: the registered object must be callable",
        info.register_kl(FakeNormal, FakeNormal),
        3,
    )


def test_closed_form_batch_shapes_must_broadcast():
    p = FakeNormal(loc=torch.zeros(3), scale=torch.ones(3))
    q = FakeNormal(loc=torch.zeros(2), scale=torch.ones(2))
    _raises(ValueError, "kl_divergence: Normal batch shapes", info.kl_divergence, p, q)


def test_closed_form_event_sizes_must_match():
    p = FakeMVN(loc=torch.zeros(2), covariance_matrix=torch.eye(2))
    q = FakeMVN(loc=torch.zeros(3), covariance_matrix=torch.eye(3))
    _raises(
        ValueError, "kl_divergence: MultivariateNormal event sizes differ", info.kl_divergence, p, q
    )
    c3 = D.Categorical(probs=torch.full((3,), 1 / 3))
    c2 = D.Categorical(probs=torch.full((2,), 1 / 2))
    _raises(
        ValueError,
        "kl_divergence: Categorical event sizes differ",
        info.kl_divergence,
        fake(c3),
        fake(c2),
    )


def test_closed_form_covariance_not_positive_definite():
    p = FakeMVN(loc=torch.zeros(2), covariance_matrix=torch.tensor([[1.0, 2.0], [2.0, 1.0]]))
    q = FakeMVN(loc=torch.zeros(2), covariance_matrix=torch.eye(2))
    _raises(
        np.linalg.LinAlgError,
        "kl_divergence: covariance_matrix (2, 2) is not positive definite",
        info.kl_divergence,
        p,
        q,
    )
