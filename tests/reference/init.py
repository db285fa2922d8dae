"""Random weights for the tiny checkpoints. Scales are chosen so that every
part of a model matters to its output (attention maps far from uniform,
norms' weights away from 1, SSM decays spread over fast and slow), which a
checkpoint initialised as for training would not give at this size."""
import math

import numpy as np


class Weights(dict):
    """name -> float64 array of float32-representable values, filled in order."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def _put(self, name, values):
        self[name] = np.asarray(values, dtype=np.float32).astype(np.float64)
        return self[name]

    def dense(self, name, shape, gain=1.0):
        """Fan-in scaled normal weights (fan-in is the last dimension)."""
        return self._put(name, self.stream.normal(name, shape, gain / math.sqrt(shape[-1])))

    def embedding(self, name, shape):
        return self._put(name, self.stream.normal(name, shape, 1.0))

    def small(self, name, shape, scale=0.1):
        """Biases and other offsets."""
        return self._put(name, self.stream.normal(name, shape, scale))

    def norm(self, name, shape):
        """Norm weights around 1."""
        return self._put(name, 1.0 + self.stream.normal(name, shape, 0.2))

    def uniform(self, name, shape, low, high):
        return self._put(name, self.stream.uniform(name, shape, low, high))

    def a_log(self, name, shape, low=1.0, high=16.0):
        """A = -exp(A_log) with A uniform in [-high, -low] (Mamba's initialisation)."""
        return self._put(name, np.log(self.stream.uniform(name, shape, low, high)))

    def dt_bias(self, name, shape, low=0.05, high=0.5):
        """Inverse softplus of dt log-uniform in [low, high]: decays that matter over a few tokens."""
        dt = np.exp(self.stream.uniform(name, shape, math.log(low), math.log(high)))
        return self._put(name, dt + np.log(-np.expm1(-dt)))

    def conv(self, name, shape):
        return self._put(name, self.stream.uniform(name, shape, -1.0, 1.0) * (1.0 / math.sqrt(shape[-1])) * 1.5)
