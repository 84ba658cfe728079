"""What the installed Keras does, found out by tiny computations instead of version strings.

Keras' behaviour around regularization changed between the releases that students meet: Colab
ships an older Keras than the one this project pins. Every notebook cell and every part of the
package that depends on one of these behaviours asks this module, which runs a computation of a
few numbers once per process (cached) and returns what it saw:

=====================================  ================================================
probe                                  what changed, and where (keras-team/keras)
=====================================  ================================================
:func:`activity_divided_by_batch`      Keras 3.0–3.13 add ``regularizer(output)``; 3.14 and
                                       later divide it by the batch size (PR #22021)
:func:`factor_meets_dtype`             Keras 3.0–3.13 multiply by the factor as stored (a
                                       float64 factor or a float32 tensor meets a float32 or
                                       float16 tensor and TensorFlow refuses); 3.14 and later
                                       cast it to the tensor's dtype (PR #22438)
:func:`factor_rounded_to_float32`      Keras 3.14 and later pass a factor through float32
                                       even for float64 weights; 3.0–3.13 use it as given
:func:`string_identifiers`             Keras 3 resolves class names and their snake case
                                       (``"l1"``, ``"l1l2"``); tf.keras 2 also took ``"l1_l2"``
:func:`reseeding_repeats_draws`        ``set_random_seed`` resets the generator behind unseeded
                                       ``keras.random`` draws from Keras 3.13 on (PR #21874)
=====================================  ================================================

:func:`report` lists every probe beside the installed versions; ``python -m reglab doctor``
and notebooks/00-setup.ipynb print it.

Introduced in notebooks/00-setup.ipynb.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = [
    "Probe",
    "activity_divided_by_batch",
    "activity_scale",
    "factor_meets_dtype",
    "factor_rounded_to_float32",
    "per_sample_factor",
    "probes",
    "report",
    "reseeding_repeats_draws",
    "string_identifiers",
]

STRING_NAMES = ("l1", "l2", "l1l2", "l1_l2", "L1", "L2", "L1L2", "orthogonal_regularizer")
"""The string identifiers the notebooks and the seeds use or mention."""


@dataclass(frozen=True)
class Probe:
    """One behaviour: its name, what was found, and what that means in a sentence."""

    name: str
    value: object
    meaning: str


def _eagerly(probe):
    """Cache ``probe`` and run it eagerly, even when first asked from inside a traced function."""

    @functools.cache
    @functools.wraps(probe)
    def run(*args):
        import tensorflow as tf

        with tf.init_scope():
            return probe(*args)

    return run


@_eagerly
def activity_divided_by_batch() -> bool:
    """Does Keras divide an activity penalty by the batch size before adding it to the loss?

    The probe: a layer whose output is 1 everywhere on a batch of 4 samples, with an
    ``L1(1.0)`` activity regularizer. Summed over the batch the penalty is 4; divided, it is 1.

    Returns
    -------
    bool
        ``True`` on Keras 3.14 and later, ``False`` on Keras 3.0–3.13.

    Examples
    --------
    >>> isinstance(activity_divided_by_batch(), bool)
    True

    Introduced in notebooks/01-dense-layer.ipynb.
    """
    import keras
    import numpy as np

    layer = keras.layers.Activation("linear", activity_regularizer=keras.regularizers.L1(1.0))
    layer(np.ones((4, 1), dtype="float32"))
    value = float(keras.ops.convert_to_numpy(layer.losses[0]))
    if not np.isclose(value, 1.0) and not np.isclose(value, 4.0):  # neither convention: say so
        raise RuntimeError(f"Unexpected activity penalty {value} in the probe (expected 1.0 or 4.0).")
    return bool(np.isclose(value, 1.0))


def activity_scale(batch_size):
    """The factor Keras applies to ``regularizer(output)`` for a batch of ``batch_size`` samples.

    ``1 / batch_size`` where Keras divides (3.14 and later), else ``1``. Works on numbers and on
    tensors (inside a compiled step).

    Examples
    --------
    >>> activity_scale(4) in (0.25, 1)
    True

    Introduced in notebooks/06-activity-regularization.ipynb.
    """
    if not activity_divided_by_batch():
        return 1
    return 1 / batch_size


def per_sample_factor(factor: float, batch_size: int) -> float:
    """The factor to give an activity regularizer so its term is per sample on every release.

    Keras 3.14 and later divide the term by the batch size themselves, so ``factor`` comes back
    unchanged; on Keras 3.0–3.13 it comes back divided by ``batch_size``. Either way the term in
    ``model.losses`` for ``L1(per_sample_factor(λ, B))`` is ``λ · mean_i Σ_j |a_ij|``, and an
    experiment means the same on both.

    Examples
    --------
    >>> per_sample_factor(0.1, 4) in (0.1, 0.025)
    True

    Introduced in notebooks/06-activity-regularization.ipynb.
    """
    from reglab._validation import check_float, check_int

    factor, batch_size = check_float(factor, "factor"), check_int(batch_size, "batch_size")
    return factor if activity_divided_by_batch() else factor / batch_size


@_eagerly
def factor_meets_dtype(regularizer: str, factor_type: str, tensor_dtype: str) -> bool:
    """Can a Keras regularizer built with this kind of factor be applied to this tensor dtype?

    Parameters
    ----------
    regularizer : {"L1", "L2", "L1L2"}
    factor_type : {"float", "float64"}
        A Python float, or a ``numpy.float64`` (what ``np.linspace`` and friends return).
    tensor_dtype : {"float32", "float16", "float64"}

    Returns
    -------
    bool
        ``False`` where TensorFlow refuses the product (Keras 3.0–3.13 keep the factor's own
        dtype: ``L1`` stores a float32 tensor, ``L2`` and ``L1L2`` the number as given).

    Examples
    --------
    >>> factor_meets_dtype("L2", "float", "float32")
    True

    Introduced in notebooks/02-l1-l2-penalties.ipynb.
    """
    import keras
    import numpy as np

    from reglab._validation import check_choice

    cls = getattr(keras.regularizers, check_choice(regularizer, "regularizer", ("L1", "L2", "L1L2")))
    factor_type = check_choice(factor_type, "factor_type", ("float", "float64"))
    make = {"float": float, "float64": np.float64}[factor_type]
    dtype = check_choice(tensor_dtype, "tensor_dtype", ("float32", "float16", "float64"))
    instance = cls(l1=make(0.5)) if regularizer == "L1L2" else cls(make(0.5))
    tensor = keras.ops.ones((2,), dtype=dtype)
    try:
        keras.ops.convert_to_numpy(instance(tensor))
    except Exception:  # TensorFlow's InvalidArgumentError or NotFoundError, Keras' TypeError
        return False
    return True


@_eagerly
def factor_rounded_to_float32() -> bool:
    """Does the installed Keras round a regularizer's factor to float32 on float64 weights?

    The probe: ``L2(0.1)`` on a float64 tensor of one 1.0. Keras 3.14 and later cast the factor
    through a float32 tensor and give ``0.10000000149011612``; Keras 3.0 to 3.13 multiply by the
    Python float and give ``0.1``.

    Examples
    --------
    >>> isinstance(factor_rounded_to_float32(), bool)
    True

    Introduced in notebooks/02-l1-l2-penalties.ipynb.
    """
    import keras
    import numpy as np

    value = float(keras.ops.convert_to_numpy(keras.regularizers.L2(0.1)(keras.ops.ones((1,), "float64"))))
    if value not in (0.1, float(np.float32(0.1))):
        raise RuntimeError(f"Unexpected L2(0.1) penalty {value!r} on float64 in the probe "
                           "(expected 0.1 or the float32-rounded 0.10000000149011612).")
    return value != 0.1


@_eagerly
def string_identifiers() -> dict[str, str | None]:
    """What each name in :data:`STRING_NAMES` resolves to with ``keras.regularizers.get``.

    Returns
    -------
    dict
        name → ``repr``-like text of the regularizer it gives (class and factors), or ``None``
        where Keras refuses the name.

    Examples
    --------
    >>> string_identifiers()["l2"]
    'L2(l2=0.01)'

    Introduced in notebooks/02-l1-l2-penalties.ipynb.
    """
    import keras

    found = {}
    for name in STRING_NAMES:
        try:
            regularizer = keras.regularizers.get(name)
        except ValueError:
            found[name] = None
            continue
        config = ", ".join(f"{k}={round(float(v), 6)}" for k, v in regularizer.get_config().items()
                           if isinstance(v, int | float))
        found[name] = f"{type(regularizer).__name__}({config})"
    return found


@_eagerly
def reseeding_repeats_draws() -> bool:
    """Does ``keras.utils.set_random_seed`` alone make unseeded ``keras.random`` draws repeat?

    Keras 3.13 and later reset the global ``SeedGenerator`` there; before, it kept its state, and
    the second draw after re-seeding differs from the first. :func:`reglab.notebook.setup` resets
    it itself where Keras does not, so notebooks repeat on every stack.

    Examples
    --------
    >>> isinstance(reseeding_repeats_draws(), bool)
    True

    Introduced in notebooks/00-setup.ipynb.
    """
    import keras
    import numpy as np

    from reglab import _keras

    state = _keras.global_seed_generator_state()
    try:
        keras.utils.set_random_seed(12345)
        first = keras.ops.convert_to_numpy(keras.random.uniform((3,)))
        keras.utils.set_random_seed(12345)
        second = keras.ops.convert_to_numpy(keras.random.uniform((3,)))
    finally:
        _keras.restore_global_seed_generator_state(state)
    return bool(np.array_equal(first, second))


def probes() -> list[Probe]:
    """Every probe of this module, run (or taken from the cache), with a sentence each.

    Examples
    --------
    >>> [probe.name for probe in probes()][:2]
    ['activity penalty divided by the batch size', 'L1 with a float64 factor on float32']
    """
    divided = activity_divided_by_batch()
    found = [
        Probe("activity penalty divided by the batch size", divided,
              "layer.losses holds regularizer(output) / batch size" if divided
              else "layer.losses holds regularizer(output), summed over the batch"),
    ]
    for regularizer, factor, dtype in (("L1", "float64", "float32"), ("L2", "float64", "float32"),
                                       ("L1", "float", "float16"), ("L2", "float", "float16")):
        works = factor_meets_dtype(regularizer, factor, dtype)
        found.append(Probe(f"{regularizer} with a {factor} factor on {dtype}", works,
                           "works" if works else "TensorFlow refuses the product (cast the factor)"))
    rounded = factor_rounded_to_float32()
    found.append(Probe("factor rounded to float32 on float64 weights", rounded,
                       "L2(0.1) on float64 gives 0.10000000149011612" if rounded
                       else "L2(0.1) on float64 gives 0.1 (the factor as given)"))
    names = string_identifiers()
    accepted = [name for name, value in names.items() if value is not None]
    rejected = [name for name, value in names.items() if value is None]
    found.append(Probe("string identifiers accepted", tuple(accepted),
                       "; ".join(f"{name!r} -> {names[name]}" for name in accepted)))
    found.append(Probe("string identifiers rejected", tuple(rejected), "ValueError from Keras"))
    repeats = reseeding_repeats_draws()
    found.append(Probe("set_random_seed repeats unseeded keras.random draws", repeats,
                       "by itself" if repeats else "only with reglab.notebook.setup, which resets "
                       "Keras' global seed generator"))
    return found


def report() -> str:
    """The installed versions and every probe, one line each (what notebooks/00 prints).

    Examples
    --------
    >>> report().splitlines()[0].startswith("Keras ")
    True
    """
    import keras
    import tensorflow as tf

    lines = [f"Keras {keras.__version__}, TensorFlow {tf.__version__}: what this Keras does"]
    for probe in probes():
        value = ", ".join(map(repr, probe.value)) if isinstance(probe.value, tuple) else probe.value
        lines.append(f"  {probe.name}: {value}")
        if not isinstance(probe.value, tuple):
            lines.append(f"      ({probe.meaning})")
    return "\n".join(lines)
