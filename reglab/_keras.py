"""Every touch of Keras' private API that the probes and the notebook setup need, in one place.

Keras keeps some state that its public API cannot read or reset. Each function here names the
private attribute it uses; ``tests/test_keras_private.py`` fails loudly when a Keras release
renames or removes one.
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
