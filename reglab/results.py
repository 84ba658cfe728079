"""Questions a notebook asks of a sweep's table: the last epoch of each variant, one variant's run.

:func:`reglab.sweeps.sweep` returns one row per variant and epoch (columns ``variant``, ``epoch``,
then the recorded numbers). Two questions come back in every notebook that sweeps:

- :func:`last_epoch`: where did each variant end? One row per variant, indexed by it;
- :func:`variant_history`: how did one variant get there? Its rows indexed by epoch, shaped like
  ``TrainingHistory.to_frame()`` of a single :func:`reglab.training.train` run, so figures such
  as :func:`reglab.figures.learning_curves` take either.

Introduced in notebooks/04-weight-regularization.ipynb; used by notebooks 05, 06 and 07.
"""

from __future__ import annotations

from reglab._validation import _invalid, _short

__all__ = ["last_epoch", "variant_history", "variant_histories"]


def last_epoch(table):
    """Each variant's row at its last recorded epoch, indexed by the variant, in sweep order.

    Every variant of a finished sweep ends at the same epoch; an interrupted sweep
    (``table.attrs["interrupted"]``) keeps the last epoch each variant finished.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`reglab.sweeps.sweep` returned (columns ``variant`` and ``epoch``).

    Returns
    -------
    pandas.DataFrame
        One row per variant; the ``variant`` column becomes the index.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"variant": [0.0, 0.0, 0.1, 0.1], "epoch": [1, 2, 1, 2],
    ...                       "val_loss": [3.0, 2.0, 3.5, 1.5]})
    >>> last_epoch(table)["val_loss"].to_dict()
    {0.0: 2.0, 0.1: 1.5}

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    table = _check_table(table)
    last = table.groupby("variant", sort=False, dropna=False)["epoch"].transform("max")
    rows = table[table["epoch"] == last]
    return rows.set_index("variant")


def variant_history(table, variant):
    """One variant's rows, indexed by epoch, like ``TrainingHistory.to_frame()`` of one run.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`reglab.sweeps.sweep` returned.
    variant : object
        A label of the ``variant`` column (a λ, a name, a tuple such as ``("L2", 0.01)``).

    Returns
    -------
    pandas.DataFrame
        The variant's rows, indexed by ``epoch`` (the other columns kept).

    Raises
    ------
    KeyError
        If no row has this variant; the message lists the variants there are.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"variant": [("L2", 0.1)] * 2 + [("L1", 0.1)] * 2,
    ...                       "epoch": [1, 2, 1, 2], "loss": [4.0, 3.0, 5.0, 2.0]})
    >>> variant_history(table, ("L1", 0.1))["loss"].to_dict()
    {1: 5.0, 2: 2.0}

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    table = _check_table(table)
    chosen = [label == variant for label in table["variant"]]
    if not any(chosen):
        known = ", ".join(repr(v) for v in dict.fromkeys(table["variant"]))
        raise KeyError(f"Invalid value for argument variant: expected one of the sweep's variants "
                       f"({_short(known, 200)}). Received: variant={_short(variant)!r}")
    return table[chosen].set_index("epoch")


def variant_histories(table, labels=str) -> dict:
    """Every variant's :func:`variant_history`, by label: what the run figures take.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`reglab.sweeps.sweep` returned.
    labels : callable
        Turns a variant into the label of its panel or line (``str`` by default).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"variant": [0.0, 0.1], "epoch": [1, 1], "loss": [1.0, 2.0]})
    >>> list(variant_histories(table, lambda lam: f"λ = {lam:g}"))
    ['λ = 0', 'λ = 0.1']
    """
    table = _check_table(table)
    if not callable(labels):
        raise TypeError(_invalid("labels", "a callable variant -> label", labels))
    return {labels(v): variant_history(table, v) for v in dict.fromkeys(table["variant"])}


def _check_table(table):
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(_invalid("table", "the pandas.DataFrame a sweep returned", _short(table)))
    missing = [column for column in ("variant", "epoch") if column not in table.columns]
    if missing:
        raise ValueError(_invalid("table", "a sweep table with the columns 'variant' and 'epoch'",
                                  f"a DataFrame without {missing}"))
    return table
