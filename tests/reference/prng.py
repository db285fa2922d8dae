"""Counter-based random numbers (SplitMix64) that are the same on every machine
and numpy version: each tensor's values depend only on the fixture's seed,
the tensor's name and the element index. Values are built from 24-bit
integers with exact float64 arithmetic, then rounded once to float32."""
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _fnv1a(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _splitmix(counters):
    with np.errstate(over="ignore"):
        z = counters * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        return z ^ (z >> np.uint64(31))


class Stream:
    """Random tensors for one fixture; `name` keys an independent stream."""

    def __init__(self, seed):
        self.seed = seed

    def _bits(self, name, count):
        base = (_fnv1a(name) ^ (self.seed * 0x2545F4914F6CDD1D)) & 0xFFFFFFFFFFFFFFFF
        with np.errstate(over="ignore"):
            counters = np.uint64(base) + np.arange(count, dtype=np.uint64) * np.uint64(4)
        return counters

    def uniform(self, name, shape, low=0.0, high=1.0):
        """float64 in [low, high) on a 2^-24 grid."""
        count = int(np.prod(shape, dtype=np.int64))
        u = (_splitmix(self._bits(name, count)) >> np.uint64(40)).astype(np.float64) / 2.0 ** 24
        return (low + (high - low) * u).reshape(shape)

    def normal(self, name, shape, std=1.0):
        """Irwin-Hall approximation of a normal (sum of four uniforms), unit variance times std."""
        count = int(np.prod(shape, dtype=np.int64))
        counters = self._bits(name, count)
        total = np.zeros(count, dtype=np.float64)
        for lane in range(4):
            with np.errstate(over="ignore"):
                bits = _splitmix(counters + np.uint64(lane))
            total = total + (bits >> np.uint64(40)).astype(np.float64) / 2.0 ** 24
        return ((total - 2.0) * (3.0 ** 0.5) * std).reshape(shape)

    def integers(self, name, shape, high):
        """Integers in [0, high)."""
        count = int(np.prod(shape, dtype=np.int64))
        return (_splitmix(self._bits(name, count)) % np.uint64(high)).astype(np.int64).reshape(shape)
