"""The notebooks' figures: one module per notebook (or group), one function per figure.

Every function takes the data the notebook holds (arrays, a mapping of label to array, a training
history or a sweep table) and an optional ``ax`` (one Axes, or a sequence of Axes for a figure with
several panels), and returns the :class:`matplotlib.figure.Figure` it drew on. Without ``ax`` it
builds a new Figure directly (not through ``pyplot``), so it shows nothing itself and leaves no
figure behind: a notebook displays the returned figure as its cell's last expression. Colours and
fonts come from the seaborn theme that :func:`reglab.notebook.setup` sets; axes carry labels with
units. Shared pieces (how a figure is made, colours, common labels) live in ``_style``.

=================  ===================================  ==========================================
module             notebook                             figures
=================  ===================================  ==========================================
``penalties``      02 L1 and L2 penalties               penalty_curves, penalty_geometry
``updates``        03 gradient updates                  weight_trajectories, coefficient_magnitudes
``practice``       04 weights, 05 bias                  learning_curves, validation_curves,
                                                        regularization_path, weight_histograms,
                                                        fitted_lines, fitted_functions
``activity``       06 activity regularization           batch_size_scaling, placement_histograms
``autoencoders``   07 sparse autoencoders               sparsity_tradeoff, code_heatmaps,
                                                        decoder_features, code_histograms
``training``       08 appendix: the training engine     speed_bars, cumulative_time
=================  ===================================  ==========================================

A new figure goes into the module of the notebook that shows it (a new module for a new notebook),
takes ``ax=None`` and builds its Axes with ``_style._figure``, and gets a test in
``tests/figures/``.
"""

from reglab.figures.activity import batch_size_scaling, placement_histograms
from reglab.figures.autoencoders import code_heatmaps, code_histograms, decoder_features, sparsity_tradeoff
from reglab.figures.overfitting import fitted_function
from reglab.figures.penalties import penalty_curves, penalty_geometry
from reglab.figures.practice import (
    fitted_functions,
    fitted_lines,
    learning_curves,
    regularization_path,
    validation_curves,
    weight_histograms,
)
from reglab.figures.training import cumulative_time, speed_bars
from reglab.figures.updates import coefficient_magnitudes, weight_trajectories

__all__ = [
    "batch_size_scaling",
    "code_heatmaps",
    "code_histograms",
    "coefficient_magnitudes",
    "cumulative_time",
    "decoder_features",
    "fitted_function",
    "fitted_functions",
    "fitted_lines",
    "learning_curves",
    "penalty_curves",
    "penalty_geometry",
    "placement_histograms",
    "regularization_path",
    "sparsity_tradeoff",
    "speed_bars",
    "validation_curves",
    "weight_histograms",
    "weight_trajectories",
]
