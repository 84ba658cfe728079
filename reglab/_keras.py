"""Every touch of Keras' private API, in one place.

Keras keeps some state that its public API cannot read or reset (the global seed generator), and
has no public way to walk a model's layers or read what one layer recorded itself. Each function
here names the private attribute it uses; ``tests/test_keras_private.py`` fails loudly when a
Keras release renames or removes one. Code outside this module does not touch ``keras.src`` or an
underscored attribute of a Keras object.
"""

from __future__ import annotations

GLOBAL_SEED_GENERATOR = "global_seed_generator"
"""The global-state name of Keras' ``SeedGenerator`` for unseeded draws (read by
``keras.src.random.seed_generator.global_seed_generator``: a literal in Keras 3.10, the constant
``GLOBAL_SEED_GENERATOR`` in later releases; the same string throughout)."""


def _global_state():
    from keras.src.backend.common import global_state

    return global_state


def global_seed_generator_state():
    """The ``SeedGenerator`` behind unseeded ``keras.random`` draws, or ``None`` before the first."""
    return _global_state().get_global_attribute(GLOBAL_SEED_GENERATOR)


def restore_global_seed_generator_state(generator) -> None:
    """Put back what :func:`global_seed_generator_state` returned."""
    _global_state().set_global_attribute(GLOBAL_SEED_GENERATOR, generator)


def reset_global_seed_generator() -> None:
    """Drop the global ``SeedGenerator``; the next unseeded draw creates it from the seed.

    ``keras.utils.set_random_seed`` does this itself from Keras 3.13 on; older releases keep the
    generator's state, so draws after re-seeding differ from the first ones.
    """
    restore_global_seed_generator_state(None)


# --- the layer walker and what each layer holds itself ------------------------------------------
def flatten_layers(layer) -> list:
    """``layer`` and every layer nested in it, each once, in Keras' own order.

    ``Layer._flatten_layers(include_self=True)`` (Keras 3.0–3.15): the layer itself first, then
    its sublayers depth first (a nested model's children are visited in reverse order of
    ``_layers``), each layer once. ``Layer.losses`` walks the same list, so positions in it are
    stable for two models of one architecture. The one layer walker of reglab: the objective,
    the metrics and the training engine all use it.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="linear")])
    >>> [type(layer).__name__ for layer in flatten_layers(model)]
    ['Sequential', 'InputLayer', 'Dense']
    """
    return list(layer._flatten_layers(include_self=True))


def own_trainable_variables(layer) -> list:
    """The trainable variables a layer created itself, not those of its sublayers.

    ``Layer._trainable_variables`` (Keras 3.0–3.15). Unlike ``layer.trainable_weights`` it is not
    emptied when ``layer.trainable`` is ``False``; callers intersect with ``trainable_weights``.

    Examples
    --------
    >>> import keras
    >>> layer = keras.layers.Dense(1)
    >>> layer.build((None, 2))
    >>> [v.name for v in own_trainable_variables(layer)]
    ['kernel', 'bias']
    """
    return list(layer._trainable_variables)


def own_losses(layer) -> list:
    """The losses a layer recorded itself in its last call (activity regularizer, ``add_loss``).

    ``Layer._get_own_losses()`` (Keras 3.0–3.15): inside a stateless scope (a compiled step) the
    scope's losses that belong to the layer, else the layer's ``_losses``. Sublayers' losses and
    weight penalties are not included (``layer.losses`` adds both).

    Examples
    --------
    >>> import keras, numpy as np
    >>> layer = keras.layers.Dense(1, activity_regularizer="l2")
    >>> own_losses(layer)
    []
    >>> _ = layer(np.ones((1, 2)))
    >>> len(own_losses(layer))
    1
    """
    return list(layer._get_own_losses())
