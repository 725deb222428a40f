"""Each seed's random stream, for many seeds at once: ``generators(seeds)[s]`` is the generator
``numpy.random.default_rng(seeds[s])``, state for state.

Why: ``default_rng(seed)`` spends almost all of its ~50 microseconds hashing the seed (NumPy's
``SeedSequence``); for 1000 seeds that alone outweighs 100 vectorized SGD steps. The hash mixes the
seed's 32-bit words with a fixed sequence of constants, the same for every seed, so it vectorizes: here
it runs once over an array of seeds, and each generator is built from its four hashed words (a PCG64
seeded with given words costs about a microsecond). Seeds that are not integers in [0, 2^32) take
``default_rng`` itself.

The algorithm is NumPy's ``SeedSequence`` (``numpy/random/bit_generator.pyx``: ``hashmix``, ``mix``,
``mix_entropy``, ``generate_state``) for a one-word entropy and no spawn key, pool size 4; the test
compares the streams with ``default_rng`` draw for draw.

Example:
    >>> import numpy as np
    >>> a, b = generators([0, 12345])
    >>> bool((b.standard_normal(5) == np.random.default_rng(12345).standard_normal(5)).all())
    True
"""
from __future__ import annotations

import numbers

import numpy
from numpy.random.bit_generator import ISeedSequence

from .. import fused

_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _XSHIFT = 0xCA01F9DD, 0x4973F715, 16
_POOL = 4
_U32 = numpy.uint32
_MASK = 0xFFFFFFFF


class _Hash:
    """The running hash constant of ``hashmix``: a Python int advanced mod 2^32 after each use."""

    def __init__(self, start):
        self.value = start

    def mix(self, words):
        """hashmix(words): words ^ h, h *= MULT_A, words *= h, words ^= words >> 16 (uint32)."""
        out = words ^ _U32(self.value)
        self.value = (self.value * _MULT_A) & _MASK
        out = out * _U32(self.value)
        return out ^ (out >> _U32(_XSHIFT))


def _mix(x, y):
    out = _U32(_MIX_L) * x - _U32(_MIX_R) * y
    return out ^ (out >> _U32(_XSHIFT))


def seed_words(seeds):
    """The four 64-bit words ``SeedSequence(seed).generate_state(4, uint64)``, one row per seed."""
    entropy = numpy.asarray(seeds, dtype=numpy.uint64).astype(_U32)
    with numpy.errstate(over="ignore"):
        h = _Hash(_INIT_A)
        pool = [h.mix(entropy)] + [h.mix(numpy.zeros_like(entropy)) for _ in range(_POOL - 1)]
        for src in range(_POOL):                       # every pool word mixed into every other one
            for dst in range(_POOL):
                if src != dst:
                    pool[dst] = _mix(pool[dst], h.mix(pool[src]))
        const, state = _INIT_B, []
        for i in range(2 * 4):                         # 8 uint32 words, cycling through the pool
            word = pool[i % _POOL] ^ _U32(const)
            const = (const * _MULT_B) & _MASK
            word = word * _U32(const)
            state.append(word ^ (word >> _U32(_XSHIFT)))
    lo, hi = numpy.stack(state[0::2], axis=1), numpy.stack(state[1::2], axis=1)
    return lo.astype(numpy.uint64) | (hi.astype(numpy.uint64) << numpy.uint64(32))


class _Words(ISeedSequence):
    """A seed sequence that hands PCG64 its already hashed words."""

    def __init__(self, words):
        self._words = words

    def generate_state(self, n_words, dtype=numpy.uint32):
        return self._words


def generators(seeds):
    """``[numpy.random.default_rng(s) for s in seeds]``, built in one vectorized pass."""
    seeds = list(seeds)
    fast = [(type(s) is int or isinstance(s, numbers.Integral) and not isinstance(s, bool))
            and 0 <= s < 2 ** 32 for s in seeds]
    out = [None] * len(seeds)
    idx = [i for i, ok in enumerate(fast) if ok]
    if idx:
        words = seed_words([seeds[i] for i in idx])
        for i, w in zip(idx, words):
            out[i] = numpy.random.Generator(numpy.random.PCG64(_Words(w)))
    for i, ok in enumerate(fast):
        if not ok:
            out[i] = numpy.random.default_rng(seeds[i])
    return out


# ------------------------------------------------------------------------------ a counter-based stream
_GOLDEN = numpy.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = numpy.uint64(0xBF58476D1CE4E5B9), numpy.uint64(0x94D049BB133111EB)


def _splitmix(z):
    """SplitMix64's output function: a bijective 64-bit mixer (Steele, Lea and Flood 2014)."""
    z = (z ^ (z >> numpy.uint64(30))) * _M1
    z = (z ^ (z >> numpy.uint64(27))) * _M2
    return z ^ (z >> numpy.uint64(31))


def counter_keys(seeds):
    """The per-seed keys of the counter stream (uint64, on the host): hash them once, reuse every step."""
    with numpy.errstate(over="ignore"):
        return _splitmix(numpy.asarray(seeds, dtype=numpy.uint64) * _GOLDEN + _GOLDEN)


def counter_normals(xp, seeds, t, n, keys=None):
    """Standard normals as a pure function of (seed, t, i): an (S, n) array in the namespace ``xp``.

    The ``stream="counter"`` noise of the oracles. Where a host generator must be advanced draw by draw,
    this one is computed for all seeds and all coordinates at once, on the host or on a GPU: number i of
    sample t of seed s hashes (s, t, i) with SplitMix64 into two uniforms in (0, 1), which Box-Muller
    turns into a normal. The same call on NumPy and on CuPy gives the same numbers up to the last bits
    of log and cos (each library's own), so a CuPy batch follows the NumPy runs to rounding.

    ``keys`` (optional): ``counter_keys(seeds)`` computed once by the caller (on the iterates' device
    or the host), so that a long run does not hash and copy its seeds at every step.

    Example:
        >>> z = counter_normals(numpy, [0, 1], t=3, n=4)
        >>> z.shape, bool((z == counter_normals(numpy, [1], t=3, n=4)[0]).all())
        ((2, 4), False)
        >>> bool((z[1] == counter_normals(numpy, [1], t=3, n=4)[0]).all())
        True
    """
    key = counter_keys(seeds) if keys is None else keys       # ``keys``: counter_keys(seeds), cached
    if fused.has_kernels(xp):                 # CuPy on a GPU: the same arithmetic in one kernel pass
        return fused.counter_normals(xp.asarray(key), t, n)
    with numpy.errstate(over="ignore"):
        key = xp.asarray(key)
        i = xp.arange(2 * n, dtype=xp.uint64)
        ctr = _splitmix((numpy.uint64(t) << numpy.uint64(32)) + i + _GOLDEN)      # (2n,)
        z = _splitmix(key[:, None] ^ ctr[None, :])                                 # (S, 2n)
        u = ((z >> numpy.uint64(11)).astype(xp.float64) + 0.5) * (1.0 / 2 ** 53)  # in (0, 1)
    return xp.sqrt(-2.0 * xp.log(u[:, :n])) * xp.cos((2 * numpy.pi) * u[:, n:])
