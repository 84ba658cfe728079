"""The objective that training minimises, split into named parts.

.. math:: \\text{total} = \\text{data loss} + \\sum_{\\text{layers}}\\;\\sum_{\\text{kinds}} \\text{penalty}

Keras adds every regularization term to the data loss through ``model.losses``: one term per
regularized variable (``kernel``, ``bias``, ...), computed from the variable's current value, and
one per activity-regularized layer output (divided by the batch size on Keras 3.14 and later, as
it is on Keras 3.0 to 3.13: :func:`reglab.compat.activity_scale`). This module gives each term
a name (``dense/kernel``, ``dense/activity``) and casts it to float32 before anything is summed:
under ``mixed_float16`` Keras computes activity penalties in float16, where ``Σ x²`` overflows
above 65504.

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks/06 uses it to show what ``fit``
reports.
"""

from __future__ import annotations

__all__ = ["data_loss", "loss_parts", "penalty_terms", "sorted_terms", "term_labels"]

ACTIVITY, ADDED = "activity", "added"
"""Kinds of the terms a layer adds during its call (activity regularizer, or its own add_loss)."""


def penalty_terms(model) -> dict[tuple[int, str], object]:
    """Every term of ``model.losses`` after a forward pass, as float32 scalars with their source.

    Keys are ``(layer position, kind)``: the position of the layer in the model's flattened layer
    list (so two models of one architecture have the same keys), and the kind: the name of the
    regularized variable (``"kernel"``, ``"bias"``, ...), ``"activity"`` for an activity
    regularizer or ``"added"`` for a layer's own ``add_loss``. The terms sum to
    ``sum(model.losses)``.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(
    ...     1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.5),
    ...     activity_regularizer=keras.regularizers.L1(0.1))])
    >>> _ = model(np.ones((4, 2)))  # each output is 2: activity penalty 0.1 · Σ|2| = 0.8 ...
    >>> kernel, activity = penalty_terms(model).values()
    >>> round(float(kernel), 3)
    1.0
    >>> from reglab.compat import activity_scale  # ... divided by 4 on Keras 3.14 and later: 0.2
    >>> bool(np.isclose(float(activity), 0.8 * activity_scale(4)))
    True
    >>> [kind for _, kind in penalty_terms(model)]
    ['kernel', 'activity']

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    regularized = {id(v) for v in model.trainable_weights if getattr(v, "regularizer", None)}
    terms: dict[tuple[int, str], object] = {}
    for position, layer in enumerate(model._flatten_layers(include_self=True)):
        for variable in layer._trainable_variables:
            if id(variable) in regularized:
                _add(terms, (position, variable.name), variable.regularizer(variable))
        own = layer._get_own_losses()
        if own:
            kind = ACTIVITY if layer.activity_regularizer is not None else ADDED
            for loss in own:
                _add(terms, (position, kind), loss)
    return terms


def term_labels(model) -> dict[tuple[int, str], str]:
    """Readable labels ``"<layer name>/<kind>"`` for the keys of :func:`penalty_terms`.

    A layer name that occurs twice (nested models may repeat one) gets its position appended.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="linear")])
    >>> term_labels(model)[(2, "kernel")]
    'linear/kernel'

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    layers = list(model._flatten_layers(include_self=True))
    names = [layer.name for layer in layers]
    labels = {}
    for position, layer in enumerate(layers):
        name = layer.name if names.count(layer.name) == 1 else f"{layer.name}#{position}"
        kinds = [v.name for v in layer._trainable_variables] + [ACTIVITY, ADDED]
        labels.update({(position, kind): f"{name}/{kind}" for kind in kinds})
    return labels


def sorted_terms(model, keys) -> list[tuple[int, str]]:
    """``keys`` of :func:`penalty_terms` in model order: by layer, then the layer's variables in
    their order, then ``"activity"``, then ``"added"``.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> sorted_terms(model, [(2, "activity"), (2, "bias"), (2, "kernel")])
    [(2, 'kernel'), (2, 'bias'), (2, 'activity')]
    """
    layers = list(model._flatten_layers(include_self=True))

    def rank(key):
        position, kind = key
        kinds = [v.name for v in layers[position]._trainable_variables] if position < len(layers) else []
        extra = {ACTIVITY: len(kinds), ADDED: len(kinds) + 1}
        return position, kinds.index(kind) if kind in kinds else extra.get(kind, len(kinds) + 2)

    return sorted(keys, key=rank)


def data_loss(loss_fn, y_true, y_pred):
    """The mean data loss over a batch, in float32.

    The prediction is cast to float32 first (a ``mixed_float16`` model outputs float16), and a loss
    function that returns one value per sample is averaged, as Keras' default
    ``"sum_over_batch_size"`` reduction does. Under a strategy with several replicas, the scaling a
    ``keras.losses.Loss`` object applies by itself is undone, so strings, functions and objects
    give the same number.

    Examples
    --------
    >>> import keras, numpy as np
    >>> float(data_loss(keras.losses.get("mse"), np.zeros((2, 1)), np.array([[1.0], [3.0]])))
    5.0

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras
    from keras import ops

    value = loss_fn(y_true, ops.cast(y_pred, "float32"))
    if len(value.shape) > 0:
        value = ops.mean(value)
    if isinstance(loss_fn, keras.losses.Loss):
        value = _undo_replica_scaling(value)
    return ops.cast(value, "float32")


def _undo_replica_scaling(value):
    """Multiply back the ``1/replicas`` that ``keras.losses.Loss.__call__`` applies under a
    ``tf.distribute`` strategy (``scale_loss_for_distribution``, Keras 3.15.1): the training engine
    weights each replica's loss by its share of the batch itself, so it needs the plain mean."""
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return value * replicas if replicas > 1 else value


def loss_parts(model, x, y, loss, *, training: bool = False) -> dict[str, object]:
    """One forward pass, and the objective split into its parts (float32 scalars).

    .. math:: \\text{total} = \\text{data\\_loss} + \\sum_i \\text{penalty}_i

    Parameters
    ----------
    model : keras.Model
    x, y : array_like
        One batch. Activity penalties are scaled as the installed Keras scales them (divided by
        its size on Keras 3.14 and later).
    loss : str or callable
        Anything ``keras.losses.get`` accepts.
    training : bool
        Passed to the model (dropout, batch normalization).

    Returns
    -------
    dict
        ``"data_loss"``, one ``"penalty/<layer>/<kind>"`` entry per term, and ``"total"``.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(
    ...     1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.5),
    ...     name="linear")])
    >>> parts = loss_parts(model, np.ones((4, 2)), np.zeros((4, 1)), "mse")
    >>> {name: round(float(value), 3) for name, value in parts.items()}
    {'data_loss': 4.0, 'penalty/linear/kernel': 1.0, 'total': 5.0}

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras

    y_pred = model(x, training=training)
    parts = {"data_loss": data_loss(keras.losses.get(loss), y, y_pred)}
    labels = term_labels(model)
    for key, value in penalty_terms(model).items():
        parts[f"penalty/{labels[key]}"] = value
    parts["total"] = keras.ops.sum(keras.ops.stack(list(parts.values())))
    return parts


def _add(terms: dict, key: tuple[int, str], value) -> None:
    from keras import ops

    value = ops.cast(value, "float32")
    terms[key] = terms[key] + value if key in terms else value
