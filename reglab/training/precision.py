"""Mixed precision for one training run: float16 compute, float32 weights, penalties and loss.

A model built in float32 can be trained in ``mixed_float16`` without rebuilding it: its layers
switch their compute dtype for the run (variables stay float32) and switch back afterwards. Two
things keep the numbers sound:

- activity penalties see their layer's output cast to float32 (Keras would compute them in
  float16, where ``Σ x²`` overflows above 65504);
- the optimizer is wrapped in ``keras.optimizers.LossScaleOptimizer``: the loss is multiplied by a
  large factor before differentiation so small float16 gradients do not underflow to zero, and
  the gradients are divided by it before the update (steps with overflowing gradients are skipped
  and the factor halves).

A model that already computes in float16 or bfloat16 (built under a mixed global policy) keeps
its own policy.

Introduced in notebooks/08-training-on-gpus.ipynb.
"""

from __future__ import annotations

from contextlib import contextmanager

from reglab import _keras

__all__ = ["compute_dtype", "computing_in", "with_loss_scaling"]

LOW_PRECISION = ("float16", "bfloat16")


def compute_dtype(model) -> str:
    """The lowest-precision compute dtype among the model's float layers (``"float32"`` if none).

    Examples
    --------
    >>> import keras
    >>> compute_dtype(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
    'float32'

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    dtypes = {layer.compute_dtype for layer in _keras.flatten_layers(model)}
    return next((dtype for dtype in LOW_PRECISION if dtype in dtypes), "float32")


@contextmanager
def computing_in(model, policy: str):
    """Run a float32 model under ``policy`` inside the ``with`` block; restore it afterwards.

    Layers computing in float32 with float32 variables switch to ``policy``; other layers (already
    mixed, integer preprocessing) are left alone. Every low-precision layer's activity regularizer
    sees its output cast to float32.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> with computing_in(model, "mixed_float16"):
    ...     print(model(np.ones((1, 2))).dtype.name)
    float16
    >>> print(model(np.ones((1, 2))).dtype.name)
    float32

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras

    layers = _keras.flatten_layers(model)
    policies = [(layer, layer.dtype_policy) for layer in layers]
    regularizers = [(layer, layer.activity_regularizer) for layer in layers]
    try:
        if policy != "float32":
            for layer in layers:
                if isinstance(layer, keras.layers.InputLayer):
                    continue
                if layer.compute_dtype == "float32" and layer.variable_dtype == "float32":
                    layer.dtype_policy = policy
        for layer, regularizer in regularizers:
            if regularizer is not None and layer.compute_dtype in LOW_PRECISION:
                layer.activity_regularizer = InFloat32(regularizer)
        yield model
    finally:
        for layer, original in policies:
            if layer.dtype_policy is not original:
                layer.dtype_policy = original
        for layer, original in regularizers:
            layer.activity_regularizer = original


class InFloat32:
    """A regularizer that casts its input to float32 first: ``penalty(cast(x, float32))``."""

    def __init__(self, regularizer):
        self.regularizer = regularizer

    def __call__(self, x):
        from keras import ops

        return self.regularizer(ops.cast(x, "float32"))

    def get_config(self):
        return self.regularizer.get_config()


def with_loss_scaling(optimizer, model):
    """Wrap ``optimizer`` in a ``LossScaleOptimizer`` when ``model`` computes in float16.

    bfloat16 has float32's exponent range, so it needs no loss scaling; an optimizer that already
    scales is returned as is.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> optimizer = keras.optimizers.SGD()
    >>> with_loss_scaling(optimizer, model) is optimizer
    True

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras

    if compute_dtype(model) != "float16" or isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)
