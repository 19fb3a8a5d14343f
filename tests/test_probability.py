"""mathdl.probability against torch.distributions, torch.var/cov/corrcoef and exact answers."""

import math
import re

import numpy as np
import pytest
import scipy.special
import scipy.stats
import torch
import torch.distributions as td
from hypothesis import given
from hypothesis.extra import numpy as hnp
from strategies import BROADCAST, SEEDS, SETTINGS, SHAPES, floats

import mathdl.probability as P
from mathdl.autodiff import Tensor
from mathdl.testing import assert_close, compare_with_torch, to_numpy, to_torch

RNG = np.random.default_rng(2024)


def _spd(batch, n, rng):
    A = rng.standard_normal((*batch, n, n))
    return A @ np.swapaxes(A, -1, -2) + n * np.eye(n)  # (..., n, n)


def _simplex(shape, rng):
    p = rng.uniform(0.05, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


# Batched parameters that broadcast, as torch's do.
LOC, SCALE = RNG.normal(size=(3, 1)), RNG.uniform(0.5, 2.0, size=(4,))  # batch (3, 4)
X = 2 * RNG.normal(size=(2, 3, 4))
PROBS = RNG.uniform(0.05, 0.95, size=(3, 4))
BITS = RNG.integers(0, 2, size=(2, 3, 4)).astype(float)
LOGITS = RNG.normal(size=(3, 4)) * 3
EXTREME = np.array([-50.0, -20.0, -1.0, 0.0, 1.0, 20.0, 50.0])
BITS_BOTH = np.array([[0.0], [1.0]])  # (2, 1): every extreme logit scored at 0 and at 1
CAT_P = _simplex((2, 3, 5), RNG)  # batch (2, 3), K = 5
CAT_K = RNG.integers(0, 5, size=(4, 2, 3))
CAT_EXTREME = np.array([[50.0, -50.0, 0.0, 3.0], [-50.0, -50.0, 50.0, -50.0], [0.0, 0.0, 0.0, 0.0]])
CAT_EXTREME_K = np.array([[0, 1, 2], [3, 2, 1]])  # (2, 3) against batch (3,)
MVN_LOC, MVN_COV = RNG.normal(size=(2, 1, 3)), _spd((4,), 3, RNG)  # batch (2, 4), n = 3
MVN_TRIL = np.linalg.cholesky(MVN_COV)
MVN_X = RNG.normal(size=(5, 2, 4, 3))
BETA_A = np.array([[0.01], [0.5], [1.0], [3.0], [1e3]])  # batch (5, 3)
BETA_B = np.array([0.02, 1.0, 7.0])
BETA_X = RNG.uniform(0.001, 0.999, size=(2, 5, 3))


def _t(x, like):
    """A constant (not differentiated) on the device of the torch tensor ``like``."""
    return torch.tensor(np.asarray(x), device=like.device)


def _eps(shape, seed):
    """The standard normal draws that rsample(shape, rng=seed) uses: Normal(0, 1).sample."""
    return P.Normal(0.0, 1.0).sample(shape, rng=seed)


EPS_N = _eps((5, 3, 4), 7)
EPS_MVN = _eps((5, 2, 4, 3), 7)

# (ours, theirs, arrays, tolerances): forward values and every gradient, both ways.
CASES = {
    # Normal
    "normal log_prob": (
        lambda m, s, x: P.Normal(m, s).log_prob(x),
        lambda m, s, x: td.Normal(m, s).log_prob(x),
        [LOC, SCALE, X],
        {},
    ),
    "normal cdf": (
        lambda m, s, x: P.Normal(m, s).cdf(x),
        lambda m, s, x: td.Normal(m, s).cdf(x),
        [LOC, SCALE, X],
        {"rtol": 1e-12, "atol": 1e-15},
    ),
    "normal entropy": (
        lambda m, s: P.Normal(m, s).entropy(),
        lambda m, s: td.Normal(m, s).entropy(),
        [LOC, SCALE],
        {},
    ),
    "normal mean": (
        lambda m, s: P.Normal(m, s).mean,
        lambda m, s: td.Normal(m, s).mean,
        [LOC, SCALE],
        {},
    ),
    "normal variance": (
        lambda m, s: P.Normal(m, s).variance,
        lambda m, s: td.Normal(m, s).variance,
        [LOC, SCALE],
        {},
    ),
    "normal stddev": (
        lambda m, s: P.Normal(m, s).stddev,
        lambda m, s: td.Normal(m, s).stddev,
        [LOC, SCALE],
        {},
    ),
    "normal rsample": (
        lambda m, s: P.Normal(m, s).rsample((5,), rng=7),
        lambda m, s: m + _t(EPS_N, m) * s,
        [LOC, SCALE],
        {},
    ),
    # Bernoulli
    "bernoulli probs log_prob": (
        lambda p: P.Bernoulli(probs=p).log_prob(BITS),
        lambda p: td.Bernoulli(probs=p).log_prob(_t(BITS, p)),
        [PROBS],
        {},
    ),
    "bernoulli probs entropy": (
        lambda p: P.Bernoulli(probs=p).entropy(),
        lambda p: td.Bernoulli(probs=p).entropy(),
        [PROBS],
        {},
    ),
    "bernoulli probs mean": (
        lambda p: P.Bernoulli(probs=p).mean,
        lambda p: td.Bernoulli(probs=p).mean,
        [PROBS],
        {},
    ),
    "bernoulli probs variance": (
        lambda p: P.Bernoulli(probs=p).variance,
        lambda p: td.Bernoulli(probs=p).variance,
        [PROBS],
        {},
    ),
    "bernoulli probs stddev": (
        lambda p: P.Bernoulli(probs=p).stddev,
        lambda p: td.Bernoulli(probs=p).stddev,
        [PROBS],
        {},
    ),
    "bernoulli logits log_prob": (
        lambda lg: P.Bernoulli(logits=lg).log_prob(BITS),
        lambda lg: td.Bernoulli(logits=lg).log_prob(_t(BITS, lg)),
        [LOGITS],
        {},
    ),
    "bernoulli logits entropy": (
        lambda lg: P.Bernoulli(logits=lg).entropy(),
        lambda lg: td.Bernoulli(logits=lg).entropy(),
        [LOGITS],
        {},
    ),
    "bernoulli logits probs": (
        lambda lg: P.Bernoulli(logits=lg).probs,
        lambda lg: td.Bernoulli(logits=lg).probs,
        [LOGITS],
        {},
    ),
    "bernoulli probs logits": (
        lambda p: P.Bernoulli(probs=p).logits,
        lambda p: td.Bernoulli(probs=p).logits,
        [PROBS],
        {},
    ),
    # torch computes log(1 + e^-20) with relative error 3e-7 and rounds log sigmoid(50) =
    # -1.9e-22 to 0: absolute errors below 1e-15 (ours are exact: test_bernoulli_extreme_exact)
    "bernoulli extreme log_prob": (
        lambda lg: P.Bernoulli(logits=lg).log_prob(BITS_BOTH),
        lambda lg: td.Bernoulli(logits=lg).log_prob(_t(BITS_BOTH, lg)),
        [EXTREME],
        {"rtol": 1e-14, "atol": 1e-15},
    ),
    "bernoulli extreme entropy": (
        lambda lg: P.Bernoulli(logits=lg).entropy(),
        lambda lg: td.Bernoulli(logits=lg).entropy(),
        [EXTREME],
        {"rtol": 1e-14, "atol": 1e-14},
    ),
    "bernoulli extreme mean": (
        lambda lg: P.Bernoulli(logits=lg).mean,
        lambda lg: td.Bernoulli(logits=lg).mean,
        [EXTREME],
        {"rtol": 1e-14},
    ),
    "bernoulli extreme variance": (
        lambda lg: P.Bernoulli(logits=lg).variance,
        lambda lg: td.Bernoulli(logits=lg).variance,
        [EXTREME],
        {"rtol": 1e-14},
    ),
    # Categorical
    "categorical probs log_prob": (
        lambda p: P.Categorical(probs=p).log_prob(CAT_K),
        lambda p: td.Categorical(probs=p).log_prob(_t(CAT_K, p)),
        [CAT_P],
        {},
    ),
    "categorical probs entropy": (
        lambda p: P.Categorical(probs=p).entropy(),
        lambda p: td.Categorical(probs=p).entropy(),
        [CAT_P],
        {},
    ),
    "categorical probs logits": (
        lambda p: P.Categorical(probs=p).logits,
        lambda p: td.Categorical(probs=p).logits,
        [CAT_P],
        {},
    ),
    "categorical extreme log_prob": (
        lambda lg: P.Categorical(logits=lg).log_prob(CAT_EXTREME_K),
        lambda lg: td.Categorical(logits=lg).log_prob(_t(CAT_EXTREME_K, lg)),
        [CAT_EXTREME],
        {"rtol": 1e-14, "atol": 1e-20},
    ),
    "categorical extreme entropy": (
        lambda lg: P.Categorical(logits=lg).entropy(),
        lambda lg: td.Categorical(logits=lg).entropy(),
        [CAT_EXTREME],
        {"rtol": 1e-14, "atol": 1e-19},
    ),
    "categorical extreme probs": (
        lambda lg: P.Categorical(logits=lg).probs,
        lambda lg: td.Categorical(logits=lg).probs,
        [CAT_EXTREME],
        {"rtol": 1e-14, "atol": 1e-20},
    ),
    # MultivariateNormal
    "mvn log_prob": (
        lambda m, c, x: P.MultivariateNormal(m, c).log_prob(x),
        lambda m, c, x: td.MultivariateNormal(m, c).log_prob(x),
        [MVN_LOC, MVN_COV, MVN_X],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn entropy": (
        lambda m, c: P.MultivariateNormal(m, c).entropy(),
        lambda m, c: td.MultivariateNormal(m, c).entropy(),
        [MVN_LOC, MVN_COV],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn mean": (
        lambda m, c: P.MultivariateNormal(m, c).mean,
        lambda m, c: td.MultivariateNormal(m, c).mean,
        [MVN_LOC, MVN_COV],
        {},
    ),
    "mvn variance": (
        lambda m, c: P.MultivariateNormal(m, c).variance,
        lambda m, c: td.MultivariateNormal(m, c).variance,
        [MVN_LOC, MVN_COV],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn stddev": (
        lambda m, c: P.MultivariateNormal(m, c).stddev,
        lambda m, c: td.MultivariateNormal(m, c).stddev,
        [MVN_LOC, MVN_COV],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn scale_tril": (
        lambda m, c: P.MultivariateNormal(m, c).scale_tril,
        lambda m, c: td.MultivariateNormal(m, c).scale_tril,
        [MVN_LOC, MVN_COV],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn covariance_matrix": (
        lambda m, c: P.MultivariateNormal(m, c).covariance_matrix,
        lambda m, c: td.MultivariateNormal(m, c).covariance_matrix,
        [MVN_LOC, MVN_COV],
        {},
    ),
    "mvn rsample": (
        lambda m, c: P.MultivariateNormal(m, c).rsample((5,), rng=7),
        lambda m, c: m + (torch.linalg.cholesky(c) @ _t(EPS_MVN, m)[..., None])[..., 0],
        [MVN_LOC, MVN_COV],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn scale_tril log_prob": (
        lambda m, L, x: P.MultivariateNormal(m, scale_tril=L).log_prob(x),
        lambda m, L, x: td.MultivariateNormal(m, scale_tril=L).log_prob(x),
        [MVN_LOC, MVN_TRIL, MVN_X],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn scale_tril entropy": (
        lambda m, L: P.MultivariateNormal(m, scale_tril=L).entropy(),
        lambda m, L: td.MultivariateNormal(m, scale_tril=L).entropy(),
        [MVN_LOC, MVN_TRIL],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "mvn scale_tril covariance_matrix": (
        lambda m, L: P.MultivariateNormal(m, scale_tril=L).covariance_matrix,
        lambda m, L: td.MultivariateNormal(m, scale_tril=L).covariance_matrix,
        [MVN_LOC, MVN_TRIL],
        {"rtol": 1e-12, "atol": 1e-13},
    ),
    "cholesky": (P.cholesky, torch.linalg.cholesky, [MVN_COV], {"rtol": 1e-12, "atol": 1e-13}),
    # Beta: lgamma of 1e3 is about 6e3, so absolute errors of 1e-12 are rounding
    "beta log_prob": (
        lambda a, b, x: P.Beta(a, b).log_prob(x),
        lambda a, b, x: td.Beta(a, b).log_prob(x),
        [BETA_A, BETA_B, BETA_X],
        {"rtol": 1e-12, "atol": 1e-11},
    ),
    # torch's trigamma is accurate to about 5e-10 (ours to 1e-15: test_trigamma_scipy)
    "beta entropy": (
        lambda a, b: P.Beta(a, b).entropy(),
        lambda a, b: td.Beta(a, b).entropy(),
        [BETA_A, BETA_B],
        {"rtol": 1e-12, "atol": 1e-11, "grad_atol": 1e-8},
    ),
    "beta mean": (
        lambda a, b: P.Beta(a, b).mean,
        lambda a, b: td.Beta(a, b).mean,
        [BETA_A, BETA_B],
        {},
    ),
    "beta variance": (
        lambda a, b: P.Beta(a, b).variance,
        lambda a, b: td.Beta(a, b).variance,
        [BETA_A, BETA_B],
        {},
    ),
    "beta stddev": (
        lambda a, b: P.Beta(a, b).stddev,
        lambda a, b: td.Beta(a, b).stddev,
        [BETA_A, BETA_B],
        {},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_against_torch(case, device):
    ours, theirs, arrays, tol = CASES[case]
    compare_with_torch(ours, theirs, arrays, device, arrays_too=True, **{"rtol": 1e-12, **tol})


# ----------------------------------------------------------------------------- shapes, edges


def test_batch_and_event_shapes():
    assert P.Normal(LOC, SCALE).batch_shape == (3, 4)
    assert P.Normal(LOC, SCALE).event_shape == ()
    assert P.Bernoulli(probs=PROBS).batch_shape == (3, 4)
    assert P.Categorical(probs=CAT_P).batch_shape == (2, 3)
    assert P.MultivariateNormal(MVN_LOC, MVN_COV).batch_shape == (2, 4)
    assert P.MultivariateNormal(MVN_LOC, MVN_COV).event_shape == (3,)
    assert P.Beta(BETA_A, BETA_B).batch_shape == (5, 3)
    d = P.MultivariateNormal(MVN_LOC, MVN_COV)
    assert d.sample((6, 7), rng=0).shape == (6, 7, 2, 4, 3)
    assert d.log_prob(np.zeros(3)).shape == (2, 4)
    assert P.Normal(0.0, 1.0).sample(rng=0).shape == ()
    assert P.Categorical(probs=CAT_P).sample(5, rng=0).shape == (5, 2, 3)


def test_shapes_match_torch():
    for ours, theirs in [
        (P.Normal(LOC, SCALE), td.Normal(torch.tensor(LOC), torch.tensor(SCALE))),
        (P.Categorical(probs=CAT_P), td.Categorical(probs=torch.tensor(CAT_P))),
        (
            P.MultivariateNormal(MVN_LOC, MVN_COV),
            td.MultivariateNormal(*map(torch.tensor, (MVN_LOC, MVN_COV))),
        ),
        (P.Beta(BETA_A, BETA_B), td.Beta(torch.tensor(BETA_A), torch.tensor(BETA_B))),
    ]:
        assert ours.batch_shape == tuple(theirs.batch_shape)
        assert ours.event_shape == tuple(theirs.event_shape)
        assert ours.sample((2,), rng=0).shape == tuple(theirs.sample((2,)).shape)


def test_categorical_mean_variance_are_nan_like_torch():
    theirs = td.Categorical(probs=torch.tensor(CAT_P))
    assert P.Categorical(probs=CAT_P).mean.shape == tuple(theirs.mean.shape)
    assert np.isnan(P.Categorical(probs=CAT_P).mean).all() and theirs.mean.isnan().all()
    assert np.isnan(P.Categorical(probs=CAT_P).variance).all()
    assert np.isnan(P.Categorical(probs=CAT_P).stddev).all()


def test_bernoulli_extreme_exact():
    """log P(1) = -log1p(exp(-l)) and the entropy, to rounding, for logits up to +-50."""
    ref_1 = [-math.log1p(math.exp(-v)) if v > 0 else v - math.log1p(math.exp(v)) for v in EXTREME]
    ref_0 = [-math.log1p(math.exp(v)) if v < 0 else -v - math.log1p(math.exp(-v)) for v in EXTREME]
    d = P.Bernoulli(logits=EXTREME)
    assert_close(d.log_prob(np.ones(7)), ref_1, rtol=1e-15)
    assert_close(d.log_prob(np.zeros(7)), ref_0, rtol=1e-15)
    p = np.array([1 / (1 + math.exp(-v)) for v in EXTREME])
    q = np.array([1 / (1 + math.exp(v)) for v in EXTREME])
    assert_close(d.entropy(), -(p * np.array(ref_1) + q * np.array(ref_0)), rtol=1e-14)


def test_bernoulli_probs_at_0_and_1_are_exact():
    d = P.Bernoulli(probs=np.array([0.0, 1.0]))
    assert_close(d.log_prob(np.array([0.0, 1.0])), [0.0, 0.0])
    assert_close(d.log_prob(np.array([1.0, 0.0])), [-np.inf, -np.inf])
    assert_close(d.entropy(), [0.0, 0.0])
    assert_close(d.logits, [-np.inf, np.inf])


def test_categorical_zero_probability():
    p = np.array([0.5, 0.0, 0.5])
    d = P.Categorical(probs=p)
    assert_close(d.entropy(), math.log(2), rtol=1e-15)
    assert_close(d.entropy(), td.Categorical(probs=torch.tensor(p)).entropy(), rtol=1e-15)
    assert d.log_prob(1) == -np.inf


def test_beta_boundary_values(device):
    a, b = np.array([1.0, 2.0, 0.5, 1.0]), np.array([1.0, 3.0, 0.5, 4.0])
    for x in (0.0, 1.0):
        theirs = td.Beta(to_torch(a, device), to_torch(b, device)).log_prob(
            to_torch(np.full(4, x), device)
        )
        assert_close(P.Beta(a, b).log_prob(np.full(4, x)), theirs, rtol=1e-12)


def test_beta_entropy_gradient_is_exact():
    """d H / d a from the closed form with scipy's trigamma, to rounding."""
    a, b = np.array([0.01, 0.5, 1.0, 3.0, 1e3]), np.array([0.02, 1.0, 7.0, 0.3, 2.0])
    at, bt = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    P.Beta(at, bt).entropy().sum().backward()
    t1 = scipy.special.polygamma(1, a + b)
    expected_a = -(a - 1) * scipy.special.polygamma(1, a) + (a + b - 2) * t1
    assert_close(at.grad, expected_a, rtol=1e-12, atol=1e-12)
    theirs = td.Beta(torch.tensor(a), torch.tensor(b)).entropy()
    assert_close(P.Beta(a, b).entropy(), theirs, rtol=1e-12, atol=1e-12)


def test_normal_cdf_left_tail_is_accurate():
    x = np.array([-10.0, -20.0, -30.0])
    expected = [0.5 * math.erfc(-v / math.sqrt(2)) for v in x]
    assert_close(P.Normal(0.0, 1.0).cdf(x), expected, rtol=1e-13)


@SETTINGS
@given(shapes=BROADCAST, seed=SEEDS)
def test_broadcasting_random_shapes(shapes, seed):
    """Parameters of any two broadcastable shapes: log_prob and entropy as torch's."""
    (s0, s1), out = shapes.input_shapes, shapes.result_shape
    rng = np.random.default_rng(seed)
    a, b, x = rng.uniform(0.5, 3.0, s0), rng.uniform(0.5, 3.0, s1), rng.uniform(0.05, 0.95, out)
    ta, tb, tx = map(torch.tensor, (a, b, x))
    assert_close(P.Normal(a, b).log_prob(x), td.Normal(ta, tb).log_prob(tx), rtol=1e-12)
    assert_close(P.Normal(a, b).entropy(), td.Normal(ta, tb).entropy(), rtol=1e-12)
    assert_close(P.Beta(a, b).log_prob(x), td.Beta(ta, tb).log_prob(tx), rtol=1e-12, atol=1e-13)
    assert P.Beta(a, b).sample((2,), rng=seed).shape == (2, *out)


def test_cholesky_known_and_errors():
    assert_close(P.cholesky([[4.0, 2.0], [2.0, 5.0]]), [[2.0, 0.0], [1.0, 2.0]], rtol=1e-15)
    with pytest.raises(
        np.linalg.LinAlgError, match=r"^cholesky: A of shape \(2, 2\) is not positive"
    ):
        P.cholesky([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match=r"^cholesky: A must be square"):
        P.cholesky(np.ones((2, 3)))


# ----------------------------------------------------------------------------- sampling


def _within(estimate, expected, se, k=5.0):
    """|estimate - expected| <= k standard errors, elementwise."""
    gap = np.abs(np.asarray(estimate) - expected)
    assert np.all(gap <= k * np.asarray(se)), (
        f"{estimate} vs {expected}: {gap / se} standard errors"
    )


def _moments_ok(x, mean, variance):
    """Sample mean and variance within 5 standard errors estimated from the sample."""
    n = x.shape[0]
    _within(x.mean(0), mean, x.std(0) / math.sqrt(n))
    d2 = (x - x.mean(0)) ** 2
    _within(d2.sum(0) / (n - 1), variance, d2.std(0) / math.sqrt(n))


def _ks(x, cdf):
    """The Kolmogorov--Smirnov statistic sup |F_n - F| of a 1-D sample."""
    x = np.sort(x)
    n = x.size
    F = cdf(x)
    return max(np.max(np.arange(1, n + 1) / n - F), np.max(F - np.arange(n) / n))


KS_CRITICAL = 1.95  # sqrt(n) D beyond 1.95 has probability about 0.001


def test_normal_sampling_statistics():
    n = 100_000
    x = P.Normal(1.5, 2.0).sample(n, rng=0)
    _moments_ok(x, 1.5, 4.0)
    assert _ks(x, lambda v: scipy.special.ndtr((v - 1.5) / 2.0)) < KS_CRITICAL / math.sqrt(n)


def test_normal_batched_sampling():
    x = P.Normal(LOC, SCALE).sample(40_000, rng=1)  # (n, 3, 4)
    _moments_ok(x, np.broadcast_to(LOC, (3, 4)), np.broadcast_to(SCALE**2, (3, 4)))


def test_box_muller_odd_count_and_rsample_equals_sample():
    assert P.Normal(0.0, 1.0).sample(7, rng=0).shape == (7,)
    d = P.Normal(LOC, SCALE)
    assert_close(d.rsample((3,), rng=5), d.sample((3,), rng=5), rtol=0)
    assert_close(d.sample((3,), rng=5), LOC + SCALE * _eps((3, 3, 4), 5), rtol=1e-15)


@pytest.mark.parametrize("a, b", [(2.0, 3.0), (0.5, 0.5), (0.05, 2.0), (30.0, 1.5)])
def test_beta_sampling_statistics(a, b):
    n = 50_000
    x = P.Beta(a, b).sample(n, rng=2)
    assert np.all((x >= 0) & (x <= 1))
    _moments_ok(x, a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1)))
    assert _ks(x, lambda v: scipy.special.betainc(a, b, v)) < KS_CRITICAL / math.sqrt(n)


def test_beta_tiny_concentrations_sample_finite():
    x = P.Beta(1e-3, 1e-3).sample(10_000, rng=0)
    assert np.all(np.isfinite(x)) and np.all((x >= 0) & (x <= 1))
    assert 0.4 < np.mean(x > 0.5) < 0.6  # symmetric, mass at both ends


def test_bernoulli_sampling_statistics():
    n = 100_000
    p = np.array([0.01, 0.3, 0.5, 0.97])
    x = P.Bernoulli(probs=p).sample(n, rng=3)
    assert set(np.unique(x)) <= {0.0, 1.0}
    _within(x.mean(0), p, np.sqrt(p * (1 - p) / n))
    y = P.Bernoulli(logits=np.array([-50.0, 50.0])).sample(1000, rng=0)
    assert np.all(y[:, 0] == 0) and np.all(y[:, 1] == 1)


def test_categorical_sampling_chi_square():
    n, p = 100_000, np.array([0.1, 0.2, 0.05, 0.4, 0.25])
    counts = np.bincount(P.Categorical(probs=p).sample(n, rng=4), minlength=5)
    chi2 = np.sum((counts - n * p) ** 2 / (n * p))
    assert chi2 < scipy.stats.chi2.ppf(0.999, df=4)


def test_categorical_never_samples_zero_probability():
    p = np.array([[0.0, 0.5, 0.5, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]])
    x = P.Categorical(probs=p).sample(20_000, rng=5)  # (n, 3)
    assert set(np.unique(x[:, 0])) == {1, 2}
    assert np.all(x[:, 1] == 3) and np.all(x[:, 2] == 0)
    assert np.all(P.Categorical(logits=[[0.0, -np.inf, 0.0]]).sample(1000, rng=0) != 1)


def test_mvn_sampling_statistics():
    n, mu, cov = 100_000, np.array([1.0, -2.0, 0.5]), _spd((), 3, np.random.default_rng(6))
    x = P.MultivariateNormal(mu, cov).sample(n, rng=6)  # (n, 3)
    _moments_ok(x, mu, np.diag(cov))
    d = x - x.mean(0)
    prods = d[:, :, None] * d[:, None, :]  # (n, 3, 3)
    _within(prods.sum(0) / (n - 1), cov, prods.std(0) / math.sqrt(n))


@pytest.mark.parametrize(
    "dist",
    [
        P.Normal(LOC, SCALE),
        P.Bernoulli(probs=PROBS),
        P.Categorical(probs=CAT_P),
        P.MultivariateNormal(MVN_LOC, MVN_COV),
        P.Beta(BETA_A, BETA_B),
    ],
    ids=lambda d: type(d).__name__,
)
def test_same_seed_same_samples(dist):
    np.testing.assert_array_equal(dist.sample((50,), rng=11), dist.sample((50,), rng=11))
    np.testing.assert_array_equal(
        dist.sample((50,), rng=np.random.default_rng(11)), dist.sample((50,), rng=11)
    )
    gen = np.random.default_rng(11)
    assert not np.array_equal(dist.sample((50,), rng=gen), dist.sample((50,), rng=gen))


# ----------------------------------------------------------------------------- statistics


STATS_X = 3 * RNG.normal(size=(4, 5, 6)) + 1e3


@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("correction", [0, 1, 2, 0.5])
@pytest.mark.parametrize("keepdim", [False, True])
def test_var_std_mean_match_torch(dim, correction, keepdim, device):
    xt = to_torch(STATS_X, device)
    kw = {"dim": dim, "keepdim": keepdim}
    assert_close(P.mean(STATS_X, **kw), torch.mean(xt, **kw), rtol=1e-14)
    assert_close(
        P.var(STATS_X, correction=correction, **kw),
        torch.var(xt, correction=correction, **kw),
        rtol=1e-12,
    )
    assert_close(
        P.std(STATS_X, correction=correction, **kw),
        torch.std(xt, correction=correction, **kw),
        rtol=1e-12,
    )


@SETTINGS
@given(x=hnp.arrays(np.float64, SHAPES, elements=floats(-1e3, 1e3)))
def test_var_random_shapes(x):
    if x.size < 2:
        return
    assert_close(P.var(x), torch.var(torch.tensor(x)), rtol=1e-10, atol=1e-10)
    assert_close(
        P.std(x, dim=0, correction=0),
        torch.std(torch.tensor(x), dim=0, correction=0),
        rtol=1e-10,
        atol=1e-10,
    )


def test_statistics_extremes():
    assert_close(P.var(1e9 + np.array([1.0, 2.0, 3.0, 4.0])), 5 / 3, rtol=1e-15)
    assert_close(P.mean(np.array([1e308, 1e308])), 1e308, rtol=1e-15)  # the plain sum overflows
    assert_close(P.std(np.array([1e200, 3e200])), math.sqrt(2) * 1e200, rtol=1e-15)  # var overflows
    tiny = np.array([1e-160, 3e-160])
    assert_close(P.std(tiny), (tiny[1] - tiny[0]) / math.sqrt(2), rtol=1e-15)  # var is subnormal
    assert P.var(np.array([1e200, 3e200])) == np.inf  # the true value overflows, as in torch


@pytest.mark.parametrize("shape", [(3, 10), (10,), (1, 4)])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_corrcoef_match_torch(shape, correction, device):
    x = RNG.normal(size=shape) + 5.0
    if x.ndim == 2:
        x = x * np.linspace(0.5, 3.0, x.shape[0])[:, None]  # rows of different spreads
    xt = to_torch(x, device)
    assert_close(
        P.cov(x, correction=correction),
        torch.cov(xt, correction=correction),
        rtol=1e-12,
        atol=1e-15,
    )
    assert_close(P.corrcoef(x), torch.corrcoef(xt), rtol=1e-12, atol=1e-15)


def test_cov_corrcoef_rows_are_variables():
    x = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
    assert_close(P.cov(x), [[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0], [0.0, 0.0, 0.0]], rtol=1e-15)
    R = P.corrcoef(x)
    assert_close(R[:2, :2], [[1.0, -1.0], [-1.0, 1.0]], rtol=1e-15)
    assert np.isnan(R[2]).all()  # a constant variable: 0 / 0, as torch
    assert torch.corrcoef(torch.tensor(x))[2].isnan().all()


def test_cov_extreme_scales():
    x = RNG.normal(size=(3, 20))
    scales = np.array([[1e150], [1.0], [1e-150]])
    assert_close(P.cov(x * scales), P.cov(x) * scales * scales.T, rtol=1e-12)
    assert_close(P.corrcoef(x * np.array([[1e-200], [1.0], [1e200]])), P.corrcoef(x), rtol=1e-12)


# ----------------------------------------------------------------------------- Bayes, estimation


def test_bayes_rule_diagnostic_test():
    prior = np.array([0.01, 0.99])  # (disease, healthy)
    positive = np.array([0.99, 0.05])  # sensitivity 99%, false-positive rate 1 - 95%
    post = P.bayes_rule(prior, positive)
    assert_close(post[0], 0.01 * 0.99 / (0.01 * 0.99 + 0.99 * 0.05), rtol=1e-14)
    assert abs(post[0] - 0.1667) < 1e-4
    table = np.array([[0.99, 0.05], [0.01, 0.95]])  # rows: positive, negative
    both = P.bayes_rule(prior, table)
    assert_close(both[0], post, rtol=1e-15)
    assert_close(both[1, 0], 0.01 * 0.01 / (0.01 * 0.01 + 0.99 * 0.95), rtol=1e-14)
    assert_close(both.sum(-1), [1.0, 1.0], rtol=1e-15)


def test_bayes_rule_tiny_likelihoods_and_batches():
    assert_close(P.bayes_rule([0.5, 0.5], [1e-320, 2e-320]), [1 / 3, 2 / 3], rtol=1e-3)
    assert_close(
        P.bayes_rule([0.5, 0.5], np.array([1.0, 2.0]) * 1e-300), [1 / 3, 2 / 3], rtol=1e-15
    )
    priors = np.array([[0.5, 0.5], [0.9, 0.1]])
    assert P.bayes_rule(priors, [0.2, 0.8]).shape == (2, 2)
    assert_close(P.bayes_rule(priors, [0.2, 0.8])[1], [0.18 / 0.26, 0.08 / 0.26], rtol=1e-14)


def test_beta_bernoulli_update():
    data = np.array([1, 0, 1, 1, 1, 0, 1, 1, 0, 1])
    assert P.beta_bernoulli_update(2.0, 2.0, data) == (9.0, 5.0)
    a, b = 2.0, 2.0
    for x in data:  # one flip at a time gives the same posterior
        a, b = P.beta_bernoulli_update(a, b, [x])
    assert (a, b) == (9.0, 5.0)


def test_mle_bernoulli_and_normal(device):
    bits = RNG.integers(0, 2, 1000)
    assert P.mle_bernoulli(bits) == bits.mean()
    x = RNG.normal(3.0, 2.0, 500)
    mu, s2 = P.mle_normal(x)
    xt = to_torch(x, device)
    assert_close(mu, torch.mean(xt), rtol=1e-14)
    assert_close(s2, torch.var(xt, correction=0), rtol=1e-12)
    # the gradient of the log-likelihood vanishes at the MLE
    m, s = Tensor(mu, requires_grad=True), Tensor(math.sqrt(s2), requires_grad=True)
    P.Normal(m, s).log_prob(x).sum().backward()
    assert abs(m.grad) < 1e-9 and abs(s.grad) < 1e-9


def test_map_equals_ridge(device):
    X, w_true = RNG.normal(size=(30, 4)), np.array([1.0, -2.0, 0.5, 0.0])
    y = X @ w_true + 0.3 * RNG.normal(size=30)
    noise_var, prior_var = 0.09, 0.5
    w = P.map_gaussian_linear_regression(X, y, noise_var, prior_var)
    lam = noise_var / prior_var
    A = np.vstack([X, math.sqrt(lam) * np.eye(4)])  # |Xw - y|^2 + lam |w|^2 as least squares
    b = np.concatenate([y, np.zeros(4)])
    theirs = torch.linalg.lstsq(to_torch(A, device), to_torch(b, device)[:, None]).solution[:, 0]
    assert_close(w, theirs, rtol=1e-10)
    # and w maximises the log posterior: its gradient vanishes there
    wt = Tensor(w, requires_grad=True)
    log_post = P.Normal(Tensor(X) @ wt, math.sqrt(noise_var)).log_prob(y).sum()
    (log_post + P.Normal(0.0, math.sqrt(prior_var)).log_prob(wt).sum()).backward()
    assert np.max(np.abs(wt.grad)) < 1e-10


# ----------------------------------------------------------------------------- Monte Carlo


def test_monte_carlo_mean(device):
    u = np.random.default_rng(0).random(100_000)
    est, se = P.monte_carlo_mean(u**2)  # E[U^2] = 1/3
    _within(est, 1 / 3, se)
    ut = to_torch(u**2, device)
    assert_close(se, torch.std(ut) / math.sqrt(u.size), rtol=1e-12)
    est2, se2 = P.monte_carlo_mean(np.stack([u, u**2], 1))
    assert est2.shape == se2.shape == (2,)


def test_importance_sampling():
    normal_log_p = lambda x: -(x**2) / 2  # noqa: E731  N(0, 1), unnormalised
    est, se, ess = P.importance_sampling(
        lambda x: x**2, normal_log_p, P.Normal(0.0, 2.0), 50_000, 1
    )
    _within(est, 1.0, se)
    assert 1 <= ess <= 50_000
    # q = p: equal weights, ESS = n; a huge constant in log p cancels stably
    q = P.Normal(0.5, 1.5)
    est, se, ess = P.importance_sampling(lambda x: x, lambda x: q.log_prob(x) + 1e5, q, 1000, 2)
    x = q.sample(1000, rng=2)
    assert_close(ess, 1000.0, rtol=1e-9)
    assert_close(est, x.mean(), rtol=1e-9)
    # a Beta(2, 5) target, x (1 - x)^4 unnormalised, from uniform draws: mean 2/7
    est, se, _ = P.importance_sampling(
        lambda x: x, lambda x: np.log(x) + 4 * np.log1p(-x), P.Beta(1.0, 1.0), 50_000, 3
    )
    _within(est, 2 / 7, se)


# ----------------------------------------------------------------------------- VI

VI_X = np.random.default_rng(8).normal(1.5, 1.0, size=(20, 3))  # 20 observations of 3 values
TAU0, SIGMA = 2.0, 1.0


def _log_joint(z):
    """z ~ N(0, TAU0^2) per coordinate, x_i ~ N(z, SIGMA^2): log p(x, z) of z (n, 3)."""
    n = z.shape[0]
    prior = P.Normal(0.0, TAU0).log_prob(z).sum(1)
    return prior + P.Normal(z.reshape(n, 1, 3), SIGMA).log_prob(VI_X).sum((1, 2))


def _log_joint_torch(z):
    n = z.shape[0]
    prior = td.Normal(_t(0.0, z), _t(TAU0, z)).log_prob(z).sum(1)  # float64, not float32
    return prior + td.Normal(z.reshape(n, 1, 3), _t(SIGMA, z)).log_prob(_t(VI_X, z)).sum((1, 2))


def _posterior():
    precision = 1 / TAU0**2 + VI_X.shape[0] / SIGMA**2
    return VI_X.sum(0) / SIGMA**2 / precision, np.full(3, precision**-0.5)


@pytest.mark.parametrize("analytic", [True, False])
def test_elbo_gradients_match_torch(analytic, device):
    n, seed = 8, 3
    eps = _eps((n, 3), seed)

    def ours(loc, log_scale):
        q = P.Normal(loc, log_scale.exp())
        return P.elbo(_log_joint, q, n, rng=seed, analytic_entropy=analytic)

    def theirs(loc, log_scale):
        q = td.Normal(loc, log_scale.exp())
        z = loc + _t(eps, loc) * log_scale.exp()
        if analytic:
            return _log_joint_torch(z).mean() + q.entropy().sum()
        return (_log_joint_torch(z) - q.log_prob(z).sum(1)).mean()

    arrays = [np.array([0.3, -0.2, 1.0]), np.array([-0.5, 0.1, 0.0])]
    compare_with_torch(ours, theirs, arrays, device, rtol=1e-12, atol=1e-10)


def test_elbo_multivariate_normal_gradients_match_torch(device):
    n, seed = 6, 4
    mu_p, cov_p = np.array([1.0, -1.0]), np.array([[2.0, 0.6], [0.6, 1.0]])
    eps = _eps((n, 2), seed)

    def ours(loc, L):
        target = P.MultivariateNormal(mu_p, cov_p)
        return P.elbo(target.log_prob, P.MultivariateNormal(loc, scale_tril=L), n, rng=seed)

    def theirs(loc, L):
        target = td.MultivariateNormal(_t(mu_p, loc), _t(cov_p, loc))
        z = loc + (L @ _t(eps, loc)[..., None])[..., 0]
        return target.log_prob(z).mean() + td.MultivariateNormal(loc, scale_tril=L).entropy()

    arrays = [np.array([0.2, 0.1]), np.array([[1.0, 0.0], [0.3, 0.7]])]
    compare_with_torch(ours, theirs, arrays, device, rtol=1e-12, atol=1e-12)


def test_elbo_at_the_posterior_is_the_evidence():
    """log p(x, z) - log q(z) = log p(x) for every z when q is the exact posterior."""
    mean, sd = _posterior()
    N = VI_X.shape[0]
    marginal = P.MultivariateNormal(
        np.zeros(N), SIGMA**2 * np.eye(N) + TAU0**2 * np.ones((N, N))
    )  # x[:, j] ~ N(0, SIGMA^2 I + TAU0^2 11^T), the coordinates independent
    evidence = float(marginal.log_prob(VI_X.T).sum())
    value = P.elbo(_log_joint, P.Normal(mean, sd), 5, rng=0, analytic_entropy=False)
    assert_close(value, evidence, rtol=1e-12)
    assert_close(P.elbo(_log_joint, P.Normal(mean, sd), 2000, rng=0), evidence, rtol=1e-3)


def test_fit_gaussian_vi_recovers_the_exact_posterior():
    mean, sd = _posterior()
    fit = P.fit_gaussian_vi(
        _log_joint, np.zeros(3), np.zeros(3), steps=1500, lr=0.02, n_samples=256, rng=0
    )
    assert_close(fit.loc, mean, atol=1e-2, rtol=0)
    assert_close(fit.scale, sd, atol=1e-2, rtol=0)
    assert fit.history.shape == (1500,)
    assert fit.history[-100:].mean() > fit.history[:10].mean()
    again = P.fit_gaussian_vi(_log_joint, np.zeros(3), np.zeros(3), steps=5, n_samples=4, rng=0)
    same = P.fit_gaussian_vi(_log_joint, np.zeros(3), np.zeros(3), steps=5, n_samples=4, rng=0)
    np.testing.assert_array_equal(again.loc, same.loc)


# ----------------------------------------------------------------------------- invalid input


def _not_pd():
    return P.MultivariateNormal(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]]))


def _lj_array(z):
    return np.zeros(z.shape[0])


INVALID = {
    # Normal
    "normal scale negative": (
        lambda: P.Normal(0.0, -1.0),
        ValueError,
        "Normal: scale must be > 0, got -1.0",
    ),
    "normal scale zero": (
        lambda: P.Normal(0.0, [1.0, 0.0]),
        ValueError,
        "Normal: scale must be > 0, got 0.0 at index (1,)",
    ),
    "normal scale nan": (
        lambda: P.Normal(0.0, np.nan),
        ValueError,
        "Normal: scale must be > 0, got nan",
    ),
    "normal loc nan": (
        lambda: P.Normal(np.nan, 1.0),
        ValueError,
        "Normal: loc must be a real number (not NaN)",
    ),
    "normal shapes": (
        lambda: P.Normal(np.zeros(2), np.ones(3)),
        ValueError,
        "Normal: the shapes of loc (2,) and scale (3,) do not broadcast",
    ),
    "normal loc type": (
        lambda: P.Normal("a", 1.0),
        TypeError,
        "Normal: loc must be a real array or number",
    ),
    "normal scale complex": (lambda: P.Normal(0.0, 1j), TypeError, "Normal: scale must be real"),
    "normal scale int tensor": (
        lambda: P.Normal(0.0, Tensor(np.array([1, 2]))),
        TypeError,
        "Normal: scale must be a floating Tensor",
    ),
    "normal value nan": (
        lambda: P.Normal(0.0, 1.0).log_prob(np.nan),
        ValueError,
        "Normal.log_prob: value must be a real number (not NaN), got nan",
    ),
    "normal value shape": (
        lambda: P.Normal(np.zeros(3), 1.0).log_prob(np.zeros(2)),
        ValueError,
        "Normal.log_prob: value of shape (2,) does not broadcast with batch_shape (3,)",
    ),
    "normal value type": (
        lambda: P.Normal(0.0, 1.0).log_prob("x"),
        TypeError,
        "Normal.log_prob: value must be",
    ),
    "normal cdf nan": (
        lambda: P.Normal(0.0, 1.0).cdf(np.nan),
        ValueError,
        "Normal.cdf: value must be a real",
    ),
    # Bernoulli
    "bernoulli both": (
        lambda: P.Bernoulli(probs=0.5, logits=0.0),
        ValueError,
        "Bernoulli: give either probs or logits, not both",
    ),
    "bernoulli neither": (
        lambda: P.Bernoulli(),
        ValueError,
        "Bernoulli: give either probs or logits, got neither",
    ),
    "bernoulli probs above 1": (
        lambda: P.Bernoulli(probs=1.5),
        ValueError,
        "Bernoulli: probs must be in [0, 1], got 1.5",
    ),
    "bernoulli probs negative": (
        lambda: P.Bernoulli(probs=[0.5, -0.1]),
        ValueError,
        "Bernoulli: probs must be in [0, 1], got -0.1 at index (1,)",
    ),
    "bernoulli probs nan": (
        lambda: P.Bernoulli(probs=np.nan),
        ValueError,
        "Bernoulli: probs must be in [0, 1], got nan",
    ),
    "bernoulli logits nan": (
        lambda: P.Bernoulli(logits=np.nan),
        ValueError,
        "Bernoulli: logits must be a real number",
    ),
    "bernoulli probs type": (
        lambda: P.Bernoulli(probs="0.5"),
        TypeError,
        "Bernoulli: probs must be a real",
    ),
    "bernoulli value": (
        lambda: P.Bernoulli(probs=0.5).log_prob([0.0, 0.5]),
        ValueError,
        "Bernoulli.log_prob: value must be 0 or 1, got 0.5 at index (1,)",
    ),
    "bernoulli rsample": (
        lambda: P.Bernoulli(probs=0.5).rsample(),
        NotImplementedError,
        "Bernoulli.rsample: Bernoulli has no reparameterised sampler",
    ),
    # Categorical
    "categorical both": (
        lambda: P.Categorical(probs=[1.0], logits=[0.0]),
        ValueError,
        "Categorical: give either probs or logits, not both",
    ),
    "categorical neither": (
        lambda: P.Categorical(),
        ValueError,
        "Categorical: give either probs or logits, got neither",
    ),
    "categorical 0-d": (
        lambda: P.Categorical(probs=1.0),
        ValueError,
        "Categorical: probs must have at least 1 dimension",
    ),
    "categorical empty": (
        lambda: P.Categorical(logits=np.zeros((2, 0))),
        ValueError,
        "Categorical: logits must have",
    ),
    "categorical negative": (
        lambda: P.Categorical(probs=[0.6, -0.1, 0.5]),
        ValueError,
        "Categorical: probs must be >= 0, got -0.1 at index (1,)",
    ),
    "categorical sum": (
        lambda: P.Categorical(probs=[[0.5, 0.5], [0.5, 0.4]]),
        ValueError,
        "Categorical: probs must be summing to 1 along the last dimension (within 1e-06), "
        "got a sum of 0.9 at index (1,)",
    ),
    "categorical probs nan": (
        lambda: P.Categorical(probs=[np.nan, 1.0]),
        ValueError,
        "Categorical: probs must be a real",
    ),
    "categorical logits nan": (
        lambda: P.Categorical(logits=[0.0, np.nan]),
        ValueError,
        "Categorical: logits must be a real",
    ),
    "categorical value too big": (
        lambda: P.Categorical(probs=[0.5, 0.5]).log_prob(2),
        ValueError,
        "Categorical.log_prob: value must be an integer in [0, 1], got 2.0",
    ),
    "categorical value fraction": (
        lambda: P.Categorical(probs=[0.5, 0.5]).log_prob(0.5),
        ValueError,
        "Categorical.log_prob: value must be an integer in [0, 1], got 0.5",
    ),
    "categorical value negative": (
        lambda: P.Categorical(probs=[0.5, 0.5]).log_prob([-1]),
        ValueError,
        "Categorical.log_prob: value must be an integer in [0, 1], got -1.0 at index (0,)",
    ),
    "categorical value shape": (
        lambda: P.Categorical(probs=CAT_P).log_prob(np.zeros(4, int)),
        ValueError,
        "Categorical.log_prob: value of shape (4,) does not broadcast with batch_shape (2, 3)",
    ),
    # MultivariateNormal
    "mvn not symmetric": (
        lambda: P.MultivariateNormal(np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]])),
        ValueError,
        "MultivariateNormal: covariance_matrix must be symmetric, got max |S - S^T| = 0.5",
    ),
    "mvn not positive definite": (
        _not_pd,
        ValueError,
        "MultivariateNormal: covariance_matrix must be positive definite, got one where "
        "the pivot of column 1 is -3.0 <= 0",
    ),
    "mvn batch not positive definite": (
        lambda: P.MultivariateNormal(np.zeros(2), np.stack([np.eye(2), -np.eye(2)])),
        ValueError,
        "MultivariateNormal: covariance_matrix must be positive definite, got one where "
        "the pivot of column 0 is -1.0 <= 0 (batch index (1,))",
    ),
    "mvn cov nan": (
        lambda: P.MultivariateNormal(np.zeros(2), np.array([[1.0, np.nan], [np.nan, 1.0]])),
        ValueError,
        "MultivariateNormal: covariance_matrix must be finite",
    ),
    "mvn cov inf": (
        lambda: P.MultivariateNormal(np.zeros(2), np.array([[np.inf, 0.0], [0.0, 1.0]])),
        ValueError,
        "MultivariateNormal: covariance_matrix must be finite",
    ),
    "mvn cov shape": (
        lambda: P.MultivariateNormal(np.zeros(3), np.eye(2)),
        ValueError,
        "MultivariateNormal: covariance_matrix must have shape (..., 3, 3) to match loc "
        "(3,), got shape (2, 2)",
    ),
    "mvn loc 0-d": (
        lambda: P.MultivariateNormal(0.0, np.eye(1)),
        ValueError,
        "MultivariateNormal: loc must be at least 1-D",
    ),
    "mvn loc nan": (
        lambda: P.MultivariateNormal([0.0, np.nan], np.eye(2)),
        ValueError,
        "MultivariateNormal: loc must be a real number (not NaN), got nan at index (1,)",
    ),
    "mvn both": (
        lambda: P.MultivariateNormal(np.zeros(2), np.eye(2), scale_tril=np.eye(2)),
        ValueError,
        "MultivariateNormal: give either covariance_matrix or scale_tril, got both",
    ),
    "mvn neither": (
        lambda: P.MultivariateNormal(np.zeros(2)),
        ValueError,
        "MultivariateNormal: give either covariance_matrix or scale_tril, got neither",
    ),
    "mvn batch shapes": (
        lambda: P.MultivariateNormal(np.zeros((3, 2)), np.stack([np.eye(2)] * 4)),
        ValueError,
        "MultivariateNormal: the shapes of loc (3,) and covariance_matrix (4,) do not broadcast",
    ),
    "mvn scale_tril upper": (
        lambda: P.MultivariateNormal(np.zeros(2), scale_tril=np.array([[1.0, 0.1], [0.0, 1.0]])),
        ValueError,
        "MultivariateNormal: scale_tril must be lower triangular, got max |upper part| = 0.1",
    ),
    "mvn scale_tril diagonal": (
        lambda: P.MultivariateNormal(np.zeros(2), scale_tril=np.array([[1.0, 0.0], [0.5, -1.0]])),
        ValueError,
        "MultivariateNormal: scale_tril must be with a positive diagonal, got a diagonal "
        "entry -1.0 at index (1,)",
    ),
    "mvn value event shape": (
        lambda: P.MultivariateNormal(np.zeros(2), np.eye(2)).log_prob(np.zeros(3)),
        ValueError,
        "MultivariateNormal.log_prob: the right-most dimensions of value (3,) must be the "
        "event_shape (2,)",
    ),
    "mvn value nan": (
        lambda: P.MultivariateNormal(np.zeros(2), np.eye(2)).log_prob([0.0, np.nan]),
        ValueError,
        "MultivariateNormal.log_prob: value must be a real number (not NaN)",
    ),
    # Beta
    "beta concentration1 zero": (
        lambda: P.Beta(0.0, 1.0),
        ValueError,
        "Beta: concentration1 must be > 0, got 0.0",
    ),
    "beta concentration0 negative": (
        lambda: P.Beta(1.0, [1.0, -2.0]),
        ValueError,
        "Beta: concentration0 must be > 0, got -2.0 at index (1,)",
    ),
    "beta nan": (
        lambda: P.Beta(np.nan, 1.0),
        ValueError,
        "Beta: concentration1 must be > 0, got nan",
    ),
    "beta shapes": (
        lambda: P.Beta(np.ones(2), np.ones(3)),
        ValueError,
        "Beta: the shapes of concentration1 (2,) and concentration0 (3,) do not broadcast",
    ),
    "beta value above 1": (
        lambda: P.Beta(2.0, 2.0).log_prob(1.5),
        ValueError,
        "Beta.log_prob: value must be in the support [0, 1], got 1.5",
    ),
    "beta value negative": (
        lambda: P.Beta(2.0, 2.0).log_prob([0.5, -0.1]),
        ValueError,
        "Beta.log_prob: value must be in the support [0, 1], got -0.1 at index (1,)",
    ),
    "beta rsample": (
        lambda: P.Beta(2.0, 2.0).rsample(),
        NotImplementedError,
        "Beta.rsample: Beta has no",
    ),
    "beta cdf": (
        lambda: P.Beta(2.0, 2.0).cdf(0.5),
        NotImplementedError,
        "Beta.cdf: torch has no cdf for Beta either",
    ),
    # sampling arguments
    "sample shape negative": (
        lambda: P.Normal(0.0, 1.0).sample(-1),
        ValueError,
        "Normal.rsample: shape must be >= 0",
    ),
    "sample shape float": (
        lambda: P.Normal(0.0, 1.0).sample(2.5),
        TypeError,
        "Normal.rsample: shape must be an int",
    ),
    "sample shape tuple float": (
        lambda: P.Bernoulli(probs=0.5).sample((2, 1.5)),
        TypeError,
        "Bernoulli.sample: shape must be an int",
    ),
    "sample rng float": (
        lambda: P.Categorical(probs=[1.0]).sample(2, rng=1.5),
        TypeError,
        "Categorical.sample: rng must be None, an int seed or a numpy.random.Generator",
    ),
    "sample rng negative": (
        lambda: P.Beta(1.0, 1.0).sample(2, rng=-1),
        ValueError,
        "Beta.sample: rng seed must be >= 0",
    ),
    # statistics
    "mean type": (lambda: P.mean("abc"), TypeError, "mean: input must be a real"),
    "mean empty": (
        lambda: P.mean(np.zeros((2, 0)), dim=1),
        ValueError,
        "mean: input of shape (2, 0) has no values",
    ),
    "mean dim": (lambda: P.mean(np.zeros(3), dim=1), ValueError, "mean: dim 1 is out of range"),
    "var too few": (
        lambda: P.var([1.0]),
        ValueError,
        "var: correction=1 needs more than 1 values, got 1",
    ),
    "var negative correction": (
        lambda: P.var([1.0, 2.0], correction=-1),
        ValueError,
        "var: correction must be >= 0.0",
    ),
    "var correction type": (
        lambda: P.var([1.0, 2.0], correction="1"),
        TypeError,
        "var: correction must be a real number",
    ),
    "std keepdim type": (
        lambda: P.std([1.0, 2.0], keepdim=1),
        TypeError,
        "std: keepdim must be True or False",
    ),
    "cov 3-D": (lambda: P.cov(np.zeros((2, 2, 2))), ValueError, "cov: input must be 1-D or 2-D"),
    "cov empty": (
        lambda: P.cov(np.zeros((2, 0))),
        ValueError,
        "cov: input of shape (2, 0) has no observations",
    ),
    "cov too few": (
        lambda: P.cov(np.zeros((2, 2)), correction=2),
        ValueError,
        "cov: correction=2 needs more than 2 values",
    ),
    "corrcoef one observation": (
        lambda: P.corrcoef(np.zeros((2, 1))),
        ValueError,
        "corrcoef: correction=1 needs more",
    ),
    # Bayes and estimation
    "bayes prior sum": (
        lambda: P.bayes_rule([0.5, 0.6], [1.0, 1.0]),
        ValueError,
        "bayes_rule: prior must be summing to 1 along the last dimension (within 1e-06), "
        "got a sum of 1.1",
    ),
    "bayes prior negative": (
        lambda: P.bayes_rule([1.5, -0.5], [1.0, 1.0]),
        ValueError,
        "bayes_rule: prior must be >= 0 (and not NaN), got -0.5 at index (1,)",
    ),
    "bayes likelihood negative": (
        lambda: P.bayes_rule([0.5, 0.5], [1.0, -1.0]),
        ValueError,
        "bayes_rule: likelihood must be >= 0 (and not NaN), got -1.0 at index (1,)",
    ),
    "bayes impossible evidence": (
        lambda: P.bayes_rule([1.0, 0.0], [[0.5, 0.5], [0.0, 1.0]]),
        ValueError,
        "bayes_rule: sum(prior * likelihood) must be > 0 (evidence impossible under the "
        "prior), got 0.0 at index (1,)",
    ),
    "bayes shapes": (
        lambda: P.bayes_rule([0.5, 0.5], [1.0, 1.0, 1.0]),
        ValueError,
        "bayes_rule: the shapes of prior (2,) and likelihood (3,) do not broadcast",
    ),
    "beta_bernoulli a": (
        lambda: P.beta_bernoulli_update(0.0, 1.0, [1]),
        ValueError,
        "beta_bernoulli_update: a must be > 0.0, got 0.0",
    ),
    "beta_bernoulli data": (
        lambda: P.beta_bernoulli_update(1.0, 1.0, [1, 2]),
        ValueError,
        "beta_bernoulli_update: data must be 0 or 1, got 2.0 at index (1,)",
    ),
    "beta_bernoulli empty": (
        lambda: P.beta_bernoulli_update(1.0, 1.0, []),
        ValueError,
        "beta_bernoulli_update: data is empty",
    ),
    "mle_bernoulli values": (
        lambda: P.mle_bernoulli([0.5]),
        ValueError,
        "mle_bernoulli: x must be 0 or 1, got 0.5",
    ),
    "mle_normal 2-D": (
        lambda: P.mle_normal(np.zeros((2, 2))),
        ValueError,
        "mle_normal: x must be 1-D",
    ),
    "mle_normal empty": (lambda: P.mle_normal([]), ValueError, "mle_normal: x is empty"),
    "map shapes": (
        lambda: P.map_gaussian_linear_regression(np.zeros((3, 2)), np.zeros(4), 1.0, 1.0),
        ValueError,
        "map_gaussian_linear_regression: y must have shape (3,) for X (3, 2), got (4,)",
    ),
    "map noise_var": (
        lambda: P.map_gaussian_linear_regression(np.zeros((3, 2)), np.zeros(3), 0.0, 1.0),
        ValueError,
        "map_gaussian_linear_regression: noise_var must be > 0.0, got 0.0",
    ),
    "map prior_var": (
        lambda: P.map_gaussian_linear_regression(np.zeros((3, 2)), np.zeros(3), 1.0, -1.0),
        ValueError,
        "map_gaussian_linear_regression: prior_var must be > 0.0, got -1.0",
    ),
    # Monte Carlo
    "monte_carlo one draw": (
        lambda: P.monte_carlo_mean([1.0]),
        ValueError,
        "monte_carlo_mean: samples must hold at least 2",
    ),
    "importance f": (
        lambda: P.importance_sampling(1.0, np.log, P.Normal(0.0, 1.0)),
        TypeError,
        "importance_sampling: f must be callable",
    ),
    "importance proposal": (
        lambda: P.importance_sampling(np.abs, np.abs, "normal"),
        TypeError,
        "importance_sampling: proposal must be a Distribution, got str",
    ),
    "importance n": (
        lambda: P.importance_sampling(np.abs, np.abs, P.Normal(0.0, 1.0), n=1),
        ValueError,
        "importance_sampling: n must be >= 2, got 1",
    ),
    "importance f shape": (
        lambda: P.importance_sampling(lambda x: x[:3], np.abs, P.Normal(0.0, 1.0), n=10, rng=0),
        ValueError,
        "importance_sampling: f(x) must have shape (10, ...), got shape (3,)",
    ),
    "importance zero weights": (
        lambda: P.importance_sampling(
            np.abs, lambda x: np.full(x.shape, -np.inf), P.Normal(0.0, 1.0), n=10, rng=0
        ),
        ValueError,
        "importance_sampling: every importance weight is 0",
    ),
    "importance nan": (
        lambda: P.importance_sampling(
            np.abs, lambda x: np.full(x.shape, np.nan), P.Normal(0.0, 1.0), n=10, rng=0
        ),
        ValueError,
        "importance_sampling: log_p(x) - log q(x) must be < inf (and not NaN), got nan",
    ),
    # VI
    "elbo array": (
        lambda: P.elbo(_lj_array, P.Normal(0.0, 1.0), 2, rng=0),
        TypeError,
        "elbo: log_joint must return a Tensor, got ndarray",
    ),
    "elbo shape": (
        lambda: P.elbo(lambda z: z.sum(), P.Normal(0.0, 1.0), 2, rng=0),
        ValueError,
        "elbo: log_joint must return shape (2,), got ()",
    ),
    "elbo q": (
        lambda: P.elbo(lambda z: z, P.Beta(1.0, 1.0), 2, rng=0),
        TypeError,
        "elbo: q must be a Normal or MultivariateNormal (with rsample), got Beta",
    ),
    "elbo n_samples": (
        lambda: P.elbo(lambda z: z, P.Normal(0.0, 1.0), 0),
        ValueError,
        "elbo: n_samples must be >= 1, got 0",
    ),
    "fit shapes": (
        lambda: P.fit_gaussian_vi(lambda z: z, np.zeros(2), np.zeros(3)),
        ValueError,
        "fit_gaussian_vi: init_loc (2,) and init_log_scale (3,) must have one shape",
    ),
    "fit steps": (
        lambda: P.fit_gaussian_vi(lambda z: z, 0.0, 0.0, steps=0),
        ValueError,
        "fit_gaussian_vi: steps must be >= 1",
    ),
    "fit lr": (
        lambda: P.fit_gaussian_vi(lambda z: z, 0.0, 0.0, lr=0.0),
        ValueError,
        "fit_gaussian_vi: lr must be > 0.0",
    ),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_input(case):
    call, error, message = INVALID[case]
    with pytest.raises(error, match="^" + re.escape(message)):
        call()


def test_tensor_parameters_give_tensors():
    loc = Tensor(np.zeros(2), requires_grad=True)
    d = P.Normal(loc, 1.0)
    assert isinstance(d.log_prob(np.ones(2)), Tensor)
    assert isinstance(d.rsample(rng=0), Tensor)
    assert isinstance(d.sample(rng=0), np.ndarray)
    assert not isinstance(P.Normal(0.0, 1.0).log_prob(1.0), Tensor)
    assert repr(P.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(P.Normal(LOC, SCALE)) == "Normal(loc: (3, 4), scale: (3, 4))"
    assert to_numpy(d.mean).shape == (2,)


# ----------------------------------------------------------------------------- naive Bayes


def _sklearn_nb(alpha, X, y):
    from sklearn.naive_bayes import BernoulliNB

    return BernoulliNB(alpha=alpha, binarize=None).fit(X, y)


def _assert_same_as_sklearn(alpha, X, y, X_test):
    ours = P.BernoulliNaiveBayes(alpha=alpha).fit(X, y)
    theirs = _sklearn_nb(alpha, X, y)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.class_count_, theirs.class_count_)
    np.testing.assert_array_equal(ours.feature_count_, theirs.feature_count_)
    assert_close(ours.class_log_prior_, theirs.class_log_prior_, rtol=1e-12, atol=1e-12)
    assert_close(ours.feature_log_prob_, theirs.feature_log_prob_, rtol=1e-12, atol=1e-12)
    log_proba = ours.predict_log_proba(X_test)
    assert log_proba.shape == (len(X_test), len(theirs.classes_))
    assert_close(log_proba, theirs.predict_log_proba(X_test), rtol=1e-12, atol=1e-12)
    assert_close(np.exp(log_proba).sum(1), np.ones(len(X_test)), rtol=1e-12)
    # Equal predictions wherever the best class wins by more than rounding; on an exact tie
    # (random binary data has them) both libraries pick a class of maximal probability.
    top2 = np.sort(log_proba, axis=1)[:, -2:] if log_proba.shape[1] > 1 else None
    clear = np.ones(len(X_test), bool) if top2 is None else top2[:, 1] - top2[:, 0] > 1e-9
    ours_pred, theirs_pred = ours.predict(X_test), theirs.predict(X_test)
    np.testing.assert_array_equal(ours_pred[clear], theirs_pred[clear])
    index = {c: k for k, c in enumerate(theirs.classes_)}
    for row in np.flatnonzero(~clear):
        for pred in (ours_pred[row], theirs_pred[row]):
            assert log_proba[row, index[pred]] >= log_proba[row].max() - 1e-9


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_naive_bayes_digits_matches_sklearn(alpha):
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = (digits.data > 8).astype(np.float64)  # (1797, 64) binarised pixels
    y = digits.target
    _assert_same_as_sklearn(alpha, X[:1200], y[:1200], X[1200:])


@SETTINGS
@given(seed=SEEDS, alpha=floats(0.05, 5.0))
def test_naive_bayes_random_matches_sklearn(seed, alpha):
    rng = np.random.default_rng(seed)
    n, d, k = rng.integers(1, 60), rng.integers(1, 12), rng.integers(1, 5)
    X = (rng.random((n, d)) < rng.random(d)).astype(np.float64)  # (n, d)
    labels = np.array([3, 7, 11, 20])[:k]  # non-contiguous labels
    y = rng.choice(labels, n)
    X_test = (rng.random((25, d)) < 0.5).astype(np.float64)
    _assert_same_as_sklearn(alpha, X, y, X_test)


def test_naive_bayes_labels_and_dtypes():
    X = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    for y in (["cat", "cat", "dog", "dog"], [True, True, False, False], [1.0, 1.0, 2.0, 2.0]):
        nb = P.BernoulliNaiveBayes().fit(X, y)
        theirs = _sklearn_nb(1.0, X, y)
        np.testing.assert_array_equal(nb.predict(X), theirs.predict(X))
    nb = P.BernoulliNaiveBayes().fit(X.astype(bool), [0, 0, 1, 1])
    assert nb.predict(np.zeros((0, 2))).shape == (0,)
    assert nb.predict_log_proba(np.zeros((0, 2))).shape == (0, 2)
    assert repr(nb) == "BernoulliNaiveBayes(alpha=1.0)"


def test_naive_bayes_unsmoothed_is_the_mle():
    # alpha = 0: theta = N_cj / N_c exactly; probabilities 0 and 1 give -inf, never NaN.
    X = np.array([[1, 0, 1], [1, 1, 1], [0, 1, 0], [0, 0, 0], [0, 1, 0]])
    y = np.array([0, 0, 1, 1, 1])
    nb = P.BernoulliNaiveBayes(alpha=0.0).fit(X, y)
    theta = np.array([[1.0, 0.5, 1.0], [0.0, 2 / 3, 0.0]])
    assert_close(np.exp(nb.feature_log_prob_), theta, rtol=1e-15)
    for c in range(2):
        assert_close(np.exp(nb.feature_log_prob_[c]), [P.mle_bernoulli(x) for x in X[y == c].T])
    log_proba = nb.predict_log_proba(X)
    assert not np.isnan(log_proba).any()
    np.testing.assert_array_equal(log_proba[:2, 1], -np.inf)  # class 1 never has x_0 = 1
    np.testing.assert_array_equal(log_proba[2:, 0], -np.inf)  # class 0 always has x_0 = 1
    np.testing.assert_array_equal(nb.predict(X), y)


def test_naive_bayes_is_bayes_rule():
    # The posterior of one row is bayes_rule(prior, product of Bernoulli likelihoods).
    rng = np.random.default_rng(5)
    X = (rng.random((40, 6)) < 0.4).astype(np.float64)
    y = rng.integers(0, 3, 40)
    nb = P.BernoulliNaiveBayes(alpha=1.0).fit(X, y)
    theta = np.exp(nb.feature_log_prob_)  # (3, 6)
    likelihood = np.prod(np.exp(P.Bernoulli(probs=theta).log_prob(X[:, None, :])), axis=-1)
    posterior = P.bayes_rule(np.exp(nb.class_log_prior_), likelihood)  # (40, 3)
    assert_close(np.exp(nb.predict_log_proba(X)), posterior, rtol=1e-12)


def test_naive_bayes_log_sum_exp_is_stable():
    # 5000 features: the joint probabilities underflow (about e^-3000), the posterior does not.
    rng = np.random.default_rng(6)
    X = (rng.random((200, 5000)) < 0.5).astype(np.float64)
    y = rng.integers(0, 2, 200)
    nb = P.BernoulliNaiveBayes().fit(X, y)
    log_proba = nb.predict_log_proba(X[:10])
    assert np.all(np.isfinite(log_proba) | (log_proba == -np.inf))
    assert_close(np.exp(log_proba).sum(1), np.ones(10), rtol=1e-12)
    assert_close(log_proba, _sklearn_nb(1.0, X, y).predict_log_proba(X[:10]), rtol=1e-10)


_NB_X = np.array([[1.0, 0.0], [0.0, 1.0]])
_NB_FIT = P.BernoulliNaiveBayes().fit(_NB_X, [0, 1])

NB_INVALID = {
    "alpha < 0": (
        lambda: P.BernoulliNaiveBayes(alpha=-0.5),
        ValueError,
        "BernoulliNaiveBayes: alpha must be >= 0.0, got -0.5",
    ),
    "alpha nan": (
        lambda: P.BernoulliNaiveBayes(alpha=float("nan")),
        ValueError,
        "BernoulliNaiveBayes: alpha must be a finite number, got nan",
    ),
    "alpha str": (
        lambda: P.BernoulliNaiveBayes(alpha="1"),
        TypeError,
        "BernoulliNaiveBayes: alpha must be a real number, got str '1'",
    ),
    "fit non-binary X": (
        lambda: P.BernoulliNaiveBayes().fit([[0.0, 0.5], [1.0, 0.0]], [0, 1]),
        ValueError,
        "BernoulliNaiveBayes.fit: X must be 0 or 1 (binarise the features first), "
        "got 0.5 at index (0, 1)",
    ),
    "fit NaN in X": (
        lambda: P.BernoulliNaiveBayes().fit([[0.0, np.nan]], [0]),
        ValueError,
        "BernoulliNaiveBayes.fit: X must be 0 or 1 (binarise the features first), "
        "got nan at index (0, 1)",
    ),
    "fit 1-D X": (
        lambda: P.BernoulliNaiveBayes().fit([0.0, 1.0], [0, 1]),
        ValueError,
        "BernoulliNaiveBayes.fit: X must be 2-D, got shape (2,)",
    ),
    "fit complex X": (
        lambda: P.BernoulliNaiveBayes().fit(np.ones((2, 2), complex), [0, 1]),
        TypeError,
        "BernoulliNaiveBayes.fit: X must be real, got complex dtype complex128",
    ),
    "fit empty X": (
        lambda: P.BernoulliNaiveBayes().fit(np.zeros((0, 3)), []),
        ValueError,
        "BernoulliNaiveBayes.fit: X has no rows, got shape (0, 3)",
    ),
    "fit y length": (
        lambda: P.BernoulliNaiveBayes().fit(_NB_X, [0, 1, 1]),
        ValueError,
        "BernoulliNaiveBayes.fit: y must have shape (2,) for X with 2 rows, got (3,)",
    ),
    "fit y 2-D": (
        lambda: P.BernoulliNaiveBayes().fit(_NB_X, [[0], [1]]),
        ValueError,
        "BernoulliNaiveBayes.fit: y must have shape (2,) for X with 2 rows, got (2, 1)",
    ),
    "fit y None": (
        lambda: P.BernoulliNaiveBayes().fit(_NB_X, None),
        TypeError,
        "BernoulliNaiveBayes.fit: y must be a 1-D array of class labels, got NoneType",
    ),
    "fit y objects": (
        lambda: P.BernoulliNaiveBayes().fit(_NB_X, [object(), object()]),
        TypeError,
        "BernoulliNaiveBayes.fit: y must hold class labels (ints, bools, strings or floats), "
        "got dtype object",
    ),
    "fit y nan": (
        lambda: P.BernoulliNaiveBayes().fit(_NB_X, [0.0, np.nan]),
        ValueError,
        "BernoulliNaiveBayes.fit: y must be finite, got nan at index (1,)",
    ),
    "predict not fitted": (
        lambda: P.BernoulliNaiveBayes().predict(_NB_X),
        ValueError,
        "BernoulliNaiveBayes.predict: this model is not fitted yet; call fit(X, y) first",
    ),
    "predict features": (
        lambda: _NB_FIT.predict(np.ones((4, 3))),
        ValueError,
        "BernoulliNaiveBayes.predict: X has 3 features (shape (4, 3)), "
        "but the model was fitted with 2",
    ),
    "predict non-binary X": (
        lambda: _NB_FIT.predict([[2.0, 0.0]]),
        ValueError,
        "BernoulliNaiveBayes.predict: X must be 0 or 1 (binarise the features first), "
        "got 2.0 at index (0, 0)",
    ),
    "log_proba features": (
        lambda: _NB_FIT.predict_log_proba(np.ones((1, 5))),
        ValueError,
        "BernoulliNaiveBayes.predict_log_proba: X has 5 features (shape (1, 5)), "
        "but the model was fitted with 2",
    ),
    "log_proba impossible row": (
        lambda: P.BernoulliNaiveBayes(alpha=0.0).fit(_NB_X, [0, 1]).predict_log_proba([[1, 1]]),
        ValueError,
        "BernoulliNaiveBayes.predict_log_proba: row 0 of X has probability 0 under every "
        "class (alpha=0.0); use alpha > 0",
    ),
}


@pytest.mark.parametrize("case", list(NB_INVALID))
def test_naive_bayes_invalid_input(case):
    call, error, message = NB_INVALID[case]
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


def test_naive_bayes_not_fitted_is_sklearns_kind():
    from mathdl.linalg import NotFittedError

    with pytest.raises(NotFittedError):
        P.BernoulliNaiveBayes().predict_log_proba(_NB_X)
