"""Every public function outside the training engine, given one bad value per argument at a time.

The table below holds, per function, a call that works and, per argument, bad values. Each bad
call must raise ``TypeError``, ``ValueError`` or ``KeyError`` (never another error from deep inside
numpy, Keras or matplotlib, and never a result) with a message that names the argument.
``test_every_public_function_and_argument_is_in_the_table`` fails when a new public function or
argument has no row, so the table grows with the API.

The training engine (``reglab.training``, ``reglab.sweeps`` and their helpers) is fuzzed by its
own tests. ``reglab.exercises.check`` never raises by design: tests/test_exercises_robustness.py
throws bad answers at it. Cost: about 10 s (small models, small figures).
"""

from __future__ import annotations

import importlib
import inspect
import math
import re

import keras
import numpy as np
import pandas as pd
import pytest

NAN = math.nan
MODULES = ["dense", "objective", "penalties", "updates", "regularizers", "metrics", "data", "models",
           "claims", "results", "devices", "notebook", "exercises", "figures"]
ERRORS = (TypeError, ValueError, KeyError)
ALIASES = {("devices.mixed_precision_policy", "setting"): "mixed_precision"}
"""Arguments whose message uses the name of the argument they come from (``train(mixed_precision=)``)."""


def _model():
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(2, kernel_regularizer="l2", activity_regularizer="l1", name="hidden"),
        keras.layers.Dense(1, name="out"),
    ])


def _called_model():
    model = _model()
    model(np.ones((3, 2), dtype="float32"))
    return model


def _table():
    return pd.DataFrame({"variant": [0.0, 0.0, 0.1, 0.1], "epoch": [1, 2, 1, 2],
                         "data_loss": [2.0, 1.0, 2.5, 1.5], "val_data_loss": [3.0, 2.0, 2.8, 1.9]})


def _run():
    return pd.DataFrame({"data_loss": [2.0, 1.0], "val_data_loss": [3.0, 2.0]},
                        index=pd.Index([1, 2], name="epoch"))


def _tradeoff():
    return pd.DataFrame({"penalty": ["L1", "L1"], "lam": [0.1, 1.0], "sparsity": [0.2, 0.5],
                         "mse": [0.1, 0.2]})


def _adam_state():
    from reglab.updates import adam_init

    return adam_init(np.ones(2))


W, GRAD = np.array([1.0, -2.0]), np.array([0.5, 0.5])
CODES = np.full((4, 3), 0.2)
NOT_A_MODEL = ["model", np.ones(3)]
NOT_AN_ARRAY = ["abc", [[NAN]]]
NOT_A_FACTOR = ["0.1", -0.1, NAN, True]
NOT_A_COUNT = [0, 1.5, "3", True]
NOT_A_SEED = [-1, "0", 0.5, True]
NOT_A_FLAG = ["yes", 1, None]
NOT_A_LABEL = [5, None]
NOT_A_MAPPING = [5, "a", {}]
NOT_A_FRACTION = [1.5, -0.1, "0.2", True]


# name: (good arguments, {argument: bad values}); the good arguments are built by a function so
# every call gets fresh Keras objects.
CASES = {
    # --- dense, objective ------------------------------------------------------------------------
    "dense.forward": (lambda: dict(x=[[1.0, 2.0]], kernel=[[1.0], [1.0]], bias=[0.5], activation="relu"),
                      {"x": NOT_AN_ARRAY + [[[1.0, 2.0, 3.0]]], "kernel": NOT_AN_ARRAY + [[1.0, 1.0]],
                       "bias": NOT_AN_ARRAY + [[0.5, 0.5]], "activation": ["swish", 3]}),
    "dense.penalty_terms": (lambda: dict(model_or_layer=_model()), {"model_or_layer": NOT_A_MODEL}),
    "dense.training_objective": (
        lambda: dict(model=_model(), x=np.ones((3, 2)), y=np.ones((3, 1)), loss_fn="mse", training=False),
        {"model": NOT_A_MODEL, "x": NOT_AN_ARRAY + [np.ones((4, 2))], "y": NOT_AN_ARRAY,
         "loss_fn": [3, "no_such_loss"], "training": NOT_A_FLAG}),
    "objective.data_loss": (lambda: dict(loss_fn=keras.losses.get("mse"), y_true=np.zeros((2, 1)),
                                         y_pred=np.ones((2, 1))),
                            {"loss_fn": [3, "mse"], "y_true": ["abc", None], "y_pred": ["abc", None]}),
    "objective.label": (lambda: dict(layer_name="dense", kind="kernel"),
                        {"layer_name": NOT_A_LABEL, "kind": NOT_A_LABEL}),
    "objective.layers": (lambda: dict(model=_model()), {"model": NOT_A_MODEL}),
    "objective.loss_parts": (
        lambda: dict(model=_model(), x=np.ones((3, 2)), y=np.ones((3, 1)), loss="mse", training=False),
        {"model": NOT_A_MODEL, "x": NOT_AN_ARRAY + [np.ones((4, 2))], "y": NOT_AN_ARRAY,
         "loss": [3, "no_such_loss"], "training": NOT_A_FLAG}),
    "objective.penalty_terms": (lambda: dict(model=_called_model()), {"model": NOT_A_MODEL}),
    "objective.penalty_values": (lambda: dict(model_or_layer=_model()), {"model_or_layer": NOT_A_MODEL}),
    "objective.sorted_terms": (lambda: dict(model=_model(), keys=[(2, "bias"), (2, "kernel")]),
                               {"model": NOT_A_MODEL, "keys": [5, [("2", "bias")], [(2, 3)], [2]]}),
    "objective.term_labels": (lambda: dict(model=_model()), {"model": NOT_A_MODEL}),
    "objective.training_objective": (
        lambda: dict(model=_model(), x=np.ones((3, 2)), y=np.ones((3, 1)), loss_fn="mse", training=False),
        {"model": NOT_A_MODEL, "x": NOT_AN_ARRAY, "y": NOT_AN_ARRAY, "loss_fn": [3], "training": NOT_A_FLAG}),
    # --- penalties, updates ---------------------------------------------------------------------
    "penalties.applied_factor": (lambda: dict(factor=0.1, dtype="float32"),
                                 {"factor": NOT_A_FACTOR, "dtype": ["int8", 3]}),
    "penalties.from_keras": (lambda: dict(regularizer=keras.regularizers.L2(0.1)),
                             {"regularizer": [5, keras.regularizers.OrthogonalRegularizer()]}),
    "penalties.grad_l1": (lambda: dict(w=W, lam=0.1), {"w": NOT_AN_ARRAY, "lam": NOT_A_FACTOR}),
    "penalties.grad_l1_l2": (lambda: dict(w=W, l1=0.1, l2=0.1),
                             {"w": NOT_AN_ARRAY, "l1": NOT_A_FACTOR, "l2": NOT_A_FACTOR}),
    "penalties.grad_l2": (lambda: dict(w=W, lam=0.1), {"w": NOT_AN_ARRAY, "lam": NOT_A_FACTOR}),
    "penalties.keras_rounds_factor_to_float32": (lambda: {}, {}),
    "penalties.l1": (lambda: dict(w=W, lam=0.1), {"w": NOT_AN_ARRAY, "lam": NOT_A_FACTOR}),
    "penalties.l1_l2": (lambda: dict(w=W, l1=0.1, l2=0.1),
                        {"w": NOT_AN_ARRAY, "l1": NOT_A_FACTOR, "l2": NOT_A_FACTOR}),
    "penalties.l2": (lambda: dict(w=W, lam=0.1), {"w": NOT_AN_ARRAY, "lam": NOT_A_FACTOR}),
    "penalties.log_posterior": (
        lambda: dict(w=W, x=np.ones((3, 2)), y=np.ones(3), prior="laplace", noise_std=0.5, scale=1.0),
        {"w": NOT_AN_ARRAY + [[[1.0]]], "x": NOT_AN_ARRAY + [np.ones((3, 3)), np.ones(2)],
         "y": NOT_AN_ARRAY + [np.ones(2)], "prior": ["normal", 5], "noise_std": NOT_A_FACTOR + [0.0],
         "scale": NOT_A_FACTOR + [0.0]}),
    "penalties.map_factor": (
        lambda: dict(prior="gaussian", noise_std=0.5, scale=1.0, n=10),
        {"prior": ["normal", 5], "noise_std": NOT_A_FACTOR + [0.0], "scale": NOT_A_FACTOR + [0.0],
         "n": NOT_A_COUNT}),
    "penalties.to_keras": (lambda: dict(kind="l1_l2", l1=0.1, l2=0.1),
                           {"kind": ["L3", 3, "L1"], "l1": NOT_A_FACTOR, "l2": NOT_A_FACTOR}),
    "updates.adam_init": (lambda: dict(w=W), {"w": NOT_AN_ARRAY}),
    "updates.adam_step": (
        lambda: dict(w=np.ones(2), grad=GRAD, state=_adam_state(), lr=0.1, beta_1=0.9, beta_2=0.999,
                     epsilon=1e-7),
        {"w": NOT_AN_ARRAY + [np.ones(3)], "grad": NOT_AN_ARRAY + [np.ones(3)], "state": ["s", (1, 2)],
         "lr": NOT_A_FACTOR, "beta_1": [1.5, -0.1, "0.9"], "beta_2": [1.0, "x"],
         "epsilon": [-1.0, "x", 0.0]}),
    "updates.adamw_step": (
        lambda: dict(w=np.ones(2), grad=GRAD, state=_adam_state(), lr=0.1, weight_decay=0.004),
        {"w": NOT_AN_ARRAY, "grad": NOT_AN_ARRAY, "state": ["s"], "lr": NOT_A_FACTOR,
         "weight_decay": NOT_A_FACTOR}),
    "updates.decoupled_weight_decay_step": (lambda: dict(w=W, lr=0.1, weight_decay=0.1),
                                            {"w": NOT_AN_ARRAY, "lr": NOT_A_FACTOR,
                                             "weight_decay": NOT_A_FACTOR}),
    "updates.iterate": (lambda: dict(step=lambda w: 0.5 * w, w0=W, steps=3),
                        {"step": [3, "halve"], "w0": NOT_AN_ARRAY, "steps": NOT_A_COUNT[1:]}),
    "updates.l1_proximal_trajectory": (lambda: dict(w0=W, lr=0.1, lam=0.1, steps=3),
                                       {"w0": NOT_AN_ARRAY, "lr": NOT_A_FACTOR, "lam": NOT_A_FACTOR,
                                        "steps": NOT_A_COUNT[1:]}),
    "updates.l1_subgradient_step": (lambda: dict(w=W, grad=GRAD, lr=0.1, lam=0.1),
                                    {"w": NOT_AN_ARRAY, "grad": NOT_AN_ARRAY + [np.ones(3)],
                                     "lr": NOT_A_FACTOR, "lam": NOT_A_FACTOR}),
    "updates.l1_subgradient_trajectory": (lambda: dict(w0=W, lr=0.1, lam=0.1, steps=3),
                                          {"w0": NOT_AN_ARRAY, "lr": NOT_A_FACTOR, "lam": NOT_A_FACTOR,
                                           "steps": NOT_A_COUNT[1:]}),
    "updates.l2_step": (lambda: dict(w=W, grad=GRAD, lr=0.1, lam=0.1),
                        {"w": NOT_AN_ARRAY, "grad": NOT_AN_ARRAY + [np.ones(3)], "lr": NOT_A_FACTOR,
                         "lam": NOT_A_FACTOR}),
    "updates.l2_trajectory": (lambda: dict(w0=W, lr=0.1, lam=0.1, steps=3),
                              {"w0": NOT_AN_ARRAY, "lr": NOT_A_FACTOR, "lam": NOT_A_FACTOR,
                               "steps": NOT_A_COUNT[1:]}),
    "updates.proximal_l1_step": (lambda: dict(w=W, grad=GRAD, lr=0.1, lam=0.1),
                                 {"w": NOT_AN_ARRAY, "grad": NOT_AN_ARRAY + [np.ones(3)],
                                  "lr": NOT_A_FACTOR, "lam": NOT_A_FACTOR}),
    "updates.sgd_step": (lambda: dict(w=W, grad=GRAD, lr=0.1),
                         {"w": NOT_AN_ARRAY, "grad": NOT_AN_ARRAY + [np.ones(3)], "lr": NOT_A_FACTOR}),
    "updates.soft_threshold": (lambda: dict(w=W, threshold=0.1),
                               {"w": NOT_AN_ARRAY, "threshold": NOT_A_FACTOR}),
    # --- regularizers, metrics ------------------------------------------------------------------
    "regularizers.KLSparsity": (lambda: dict(target=0.05, weight=1.0, cancel_batch_division=True),
                                {"target": NOT_A_FRACTION + [0.0], "weight": NOT_A_FACTOR,
                                 "cancel_batch_division": NOT_A_FLAG}),
    "regularizers.kl_divergence": (lambda: dict(target=0.05, rho_hat=[0.1, 0.2]),
                                   {"target": NOT_A_FRACTION, "rho_hat": NOT_AN_ARRAY + [[1.5]]}),
    "regularizers.kl_sparsity": (lambda: dict(codes=CODES, target=0.05, weight=1.0),
                                 {"codes": NOT_AN_ARRAY + [[0.1, 0.2]], "target": NOT_A_FRACTION,
                                  "weight": NOT_A_FACTOR}),
    "regularizers.kl_sparsity_by_batch": (
        lambda: dict(codes=CODES, target=0.05, weight=1.0, batch_size=2),
        {"codes": NOT_AN_ARRAY + [[0.1, 0.2]], "target": NOT_A_FRACTION, "weight": NOT_A_FACTOR,
         "batch_size": NOT_A_COUNT}),
    "metrics.active_units": (lambda: dict(codes=CODES, tol=0.1),
                             {"codes": NOT_AN_ARRAY + [[0.1]], "tol": NOT_A_FACTOR}),
    "metrics.active_units_by_label": (lambda: dict(codes=CODES, labels=[0, 1, 0, 1], tol=0.1),
                                      {"codes": NOT_AN_ARRAY, "labels": [[0, 1], 5], "tol": NOT_A_FACTOR}),
    "metrics.exact_zeros": (lambda: dict(values=W), {"values": NOT_AN_ARRAY + [[]]}),
    "metrics.hoyer": (lambda: dict(values=W, axis=None), {"values": NOT_AN_ARRAY, "axis": [3, "0", 0.5]}),
    "metrics.kernel_weights": (lambda: dict(model=_model()), {"model": NOT_A_MODEL}),
    "metrics.l1_norm": (lambda: dict(values=W), {"values": NOT_AN_ARRAY + [[]]}),
    "metrics.l2_norm": (lambda: dict(values=W), {"values": NOT_AN_ARRAY + [[]]}),
    "metrics.sparsity": (lambda: dict(values=W, tol=0.1, axis=None),
                         {"values": NOT_AN_ARRAY, "tol": NOT_A_FACTOR, "axis": [3, "0", 0.5]}),
    "metrics.support_recovery": (lambda: dict(estimated=[1.0, 0.0], true_support=[0], tol=0.1),
                                 {"estimated": NOT_AN_ARRAY, "true_support": [[5], ["a"], [0.5]],
                                  "tol": NOT_A_FACTOR}),
    "metrics.weight_norms": (lambda: dict(model=_model()), {"model": NOT_A_MODEL}),
    # --- data, models ---------------------------------------------------------------------------
    "data.digits": (lambda: dict(seed=0, val_fraction=0.15, test_fraction=0.15),
                    {"seed": NOT_A_SEED, "val_fraction": NOT_A_FRACTION, "test_fraction": NOT_A_FRACTION}),
    "data.offset_regression": (
        lambda: dict(n_samples=10, n_features=1, intercept=1.0, noise=0.5, x_mean=0.0, seed=0),
        {"n_samples": NOT_A_COUNT, "n_features": NOT_A_COUNT, "intercept": ["1", NAN], "noise": NOT_A_FACTOR,
         "x_mean": ["0", NAN], "seed": NOT_A_SEED}),
    "data.overfitting_regression": (
        lambda: dict(n_train=10, n_val=10, degree=3, noise=0.3, seed=0),
        {"n_train": NOT_A_COUNT, "n_val": NOT_A_COUNT, "degree": NOT_A_COUNT, "noise": NOT_A_FACTOR,
         "seed": NOT_A_SEED}),
    "data.sparse_regression": (
        lambda: dict(n_samples=10, n_features=5, n_informative=2, noise=0.5, seed=0),
        {"n_samples": NOT_A_COUNT, "n_features": NOT_A_COUNT, "n_informative": NOT_A_COUNT + [6],
         "noise": NOT_A_FACTOR, "seed": NOT_A_SEED}),
    "data.train_val_split": (lambda: dict(x=np.ones((10, 2)), y=np.ones(10), val_fraction=0.2, seed=0),
                             {"x": NOT_AN_ARRAY + [np.ones((9, 2))], "y": NOT_AN_ARRAY,
                              "val_fraction": NOT_A_FRACTION, "seed": NOT_A_SEED}),
    "models.activity_model": (
        lambda: dict(input_dim=2, units=3, activation="relu", regularizer="l1", placement="after",
                     outputs=None, seed=0),
        {"input_dim": NOT_A_COUNT, "units": NOT_A_COUNT, "activation": ["swishy", 3],
         "regularizer": ["l3", 5],
         "placement": ["middle"], "outputs": NOT_A_COUNT, "seed": NOT_A_SEED}),
    "models.activity_placement_pair": (
        lambda: dict(input_dim=2, units=3, activation="relu", regularizer="l1", outputs=None, seed=0),
        {"input_dim": NOT_A_COUNT, "units": NOT_A_COUNT, "activation": ["swishy", 3], "regularizer": ["l3"],
         "outputs": NOT_A_COUNT, "seed": NOT_A_SEED}),
    "models.autoencoder": (
        lambda: dict(input_dim=4, code_dim=2, code_activation="sigmoid", activity_regularizer="l1",
                     placement="after", hidden=(3,), hidden_activation="relu", output_activation="sigmoid",
                     seed=0),
        {"input_dim": NOT_A_COUNT, "code_dim": NOT_A_COUNT, "code_activation": ["swishy", 3],
         "activity_regularizer": ["l3"], "placement": ["middle"], "hidden": [3, (0,), "3"],
         "hidden_activation": ["swishy", 3], "output_activation": ["swishy", 3], "seed": NOT_A_SEED}),
    "models.dense_with_activity": (
        lambda: dict(units=3, activation="relu", regularizer="l1", placement="before", seed=0, name="d"),
        {"units": NOT_A_COUNT, "activation": ["swishy", 3], "regularizer": ["l3"], "placement": ["middle"],
         "seed": NOT_A_SEED, "name": NOT_A_LABEL}),
    "models.linear_regression": (lambda: dict(n_features=2, kernel_regularizer="l2", bias_regularizer="l1"),
                                 {"n_features": NOT_A_COUNT, "kernel_regularizer": ["l3", 5],
                                  "bias_regularizer": ["l3", 5]}),
    "models.mlp": (
        lambda: dict(input_dim=2, hidden=(3,), outputs=1, activation="relu", output_activation=None,
                     kernel_regularizer="l2", bias_regularizer=None, dropout=0.1, seed=0,
                     kernel_constraint="max_norm", name="net"),
        {"input_dim": NOT_A_COUNT, "hidden": [3, (0,), "3"], "outputs": NOT_A_COUNT,
         "activation": ["swishy", 3], "output_activation": ["swishy", 3], "kernel_regularizer": ["l3"],
         "bias_regularizer": ["l3"], "dropout": [1.0, -0.1, "0.1"], "seed": NOT_A_SEED,
         "kernel_constraint": ["max_nrom", 5], "name": NOT_A_LABEL}),
    # --- results, devices, notebook, exercises --------------------------------------------------
    "claims.claim": (lambda: dict(claim_id="S2.05"), {"claim_id": ["S9.01", 205]}),
    "claims.verdict": (lambda: dict(claim_id="S2.05", finding="holds", evidence="0.1 · 10 = 1"),
                       {"claim_id": ["s2.05"], "finding": ["true", None], "evidence": ["", 1.0]}),
    "claims.by_notebook": (lambda: dict(number="04"), {"number": ["4", 4]}),
    "results.last_epoch": (lambda: dict(table=_table()), {"table": [[1, 2], pd.DataFrame({"epoch": [1]})]}),
    "results.variant_history": (lambda: dict(table=_table(), variant=0.1),
                                {"table": [[1, 2]], "variant": [0.5, "0.1"]}),
    "results.variant_histories": (lambda: dict(table=_table(), labels=str),
                                  {"table": [[1, 2]], "labels": ["name", 5]}),
    "devices.describe_strategy": (lambda: dict(strategy=__import__("tensorflow").distribute.get_strategy()),
                                  {"strategy": ["mirrored", None]}),
    "devices.detect": (lambda: {}, {}),
    "devices.mixed_precision_policy": (lambda: dict(setting="auto", report=None),
                                       {"setting": ["fast", 1, "float16"], "report": ["gpu", 5]}),
    "devices.pick_strategy": (lambda: dict(report=None), {"report": ["gpu", 5]}),
    "devices.strategy_of": (lambda: dict(model=_model()), {"model": NOT_A_MODEL}),
    "devices.split_cpu": (lambda: dict(devices=1), {"devices": NOT_A_COUNT}),  # 1: as TF already runs
    "notebook.setup": (lambda: dict(seed=0, deterministic=True, theme=False),
                       {"seed": NOT_A_SEED, "deterministic": NOT_A_FLAG, "theme": NOT_A_FLAG}),
    "exercises.close": (lambda: dict(answer=0.3, expected=0.3, rel_tol=1e-4, abs_tol=1e-7),
                        {"answer": ["abc", True], "expected": ["0.3", NAN, True], "rel_tol": NOT_A_FACTOR,
                         "abs_tol": NOT_A_FACTOR}),
    "exercises.exercise": (lambda: dict(exercise_id="98.1"), {"exercise_id": [5, "", "not an id"]}),
    "exercises.registered": (lambda: {}, {}),
    # --- figures --------------------------------------------------------------------------------
    "figures.batch_size_scaling": (
        lambda: dict(batch_sizes=[1, 4], curves={"Keras": [1.0, 0.25]},
                     spread={"Keras": ([0.5, 0.2], [1.5, 0.3])},
                     ylabel="penalty", ax=None),
        {"batch_sizes": NOT_AN_ARRAY + [[0, 4]], "curves": NOT_A_MAPPING + [{"Keras": [1.0]}],
         "spread": [5, {"Keras": 5}], "ylabel": NOT_A_LABEL, "ax": ["left", []]}),
    "figures.code_heatmaps": (
        lambda: dict(codes={"a": CODES}, row_labels=range(4), vmax=1.0, colorbar_label="a", ax=None),
        {"codes": NOT_A_MAPPING + [{"a": "x"}], "row_labels": [range(3), 5], "vmax": NOT_A_FACTOR + [0.0],
         "colorbar_label": NOT_A_LABEL, "ax": ["left"]}),
    "figures.code_histograms": (
        lambda: dict(codes={"a": CODES}, tol=0.1, target=0.05, bins=10, ax=None),
        {"codes": NOT_A_MAPPING + [{"a": "x"}], "tol": NOT_A_FACTOR, "target": NOT_A_FRACTION,
         "bins": NOT_A_COUNT, "ax": ["left"]}),
    "figures.coefficient_magnitudes": (
        lambda: dict(weights={"a": [1.0, 0.0]}, true=[1.0, 0.0], ylabel="|w|", ax=None),
        {"weights": NOT_A_MAPPING + [{"a": "x"}], "true": NOT_AN_ARRAY + [[1.0, 0.0, 2.0]],
         "ylabel": NOT_A_LABEL, "ax": ["left"]}),
    "figures.cumulative_time": (
        lambda: dict(runs={"XLA": [1.0, 2.0, 0.5]}, steps_per_epoch=40, extrapolate_to=200, ax=None),
        {"runs": NOT_A_MAPPING + [{"XLA": [1.0]}, {"XLA": [1.0, -1.0]}], "steps_per_epoch": NOT_A_COUNT,
         "extrapolate_to": NOT_A_COUNT, "ax": ["left"]}),
    "figures.decoder_features": (
        lambda: dict(features={"a": np.eye(4, 64)}, image_shape=(8, 8), ncols=4, colorbar_label="w", ax=None),
        {"features": NOT_A_MAPPING + [{"a": np.eye(4, 60)}], "image_shape": [(8,), (0, 8), "8x8", (8, 7)],
         "ncols": NOT_A_COUNT, "colorbar_label": NOT_A_LABEL, "ax": ["left"]}),
    "figures.fitted_lines": (
        lambda: dict(panels={"a": ([0.0, 1.0], [0.0, 1.0], {"fit": (1.0, 0.0)})}, xlabel="x", ylabel="y",
                     ax=None),
        {"panels": NOT_A_MAPPING + [{"a": 5}], "xlabel": NOT_A_LABEL, "ylabel": NOT_A_LABEL, "ax": ["left"]}),
    "figures.fitted_function": (
        lambda: dict(t=[0.0, 0.5], y=[0.0, 1.0], grid=[0.0, 0.5, 1.0], curves={"fit": [0.0, 1.0, 2.0]},
                     truth=[0.0, 1.0, 0.0], truth_label="sin", xlabel="t", ylabel="y", ax=None),
        {"t": NOT_AN_ARRAY + [[]], "y": NOT_AN_ARRAY + [[1.0]], "grid": NOT_AN_ARRAY + [[]],
         "curves": NOT_A_MAPPING + [{"fit": [1.0]}, {"fit": "abc"}], "truth": NOT_AN_ARRAY + [[1.0]],
         "truth_label": NOT_A_LABEL, "xlabel": NOT_A_LABEL, "ylabel": NOT_A_LABEL, "ax": ["left", []]}),
    "figures.fitted_functions": (
        lambda: dict(data=([0.0, 1.0], [0.0, 1.0]), grid=[0.0, 1.0], fits={"a": [0.0, 1.0]}, truth=[0.0, 1.0],
                     xlabel="t", ylabel="y", ax=None),
        {"data": [5, ([0.0], [0.0, 1.0]), ([], [])], "grid": NOT_AN_ARRAY,
         "fits": NOT_A_MAPPING + [{"a": [1.0]}], "truth": [[1.0], "abc"], "xlabel": NOT_A_LABEL,
         "ylabel": NOT_A_LABEL, "ax": ["left"]}),
    "figures.learning_curves": (
        lambda: dict(frames={"a": _run()}, train="data_loss", val="val_data_loss", ylabel="mse",
                     reference=(0.1, "noise"), ax=None),
        {"frames": NOT_A_MAPPING + [{"a": 5}], "train": ["loss", 5], "val": ["val_loss", 5],
         "ylabel": NOT_A_LABEL, "reference": [0.1, ("x", "noise"), (0.1, 5)], "ax": ["left"]}),
    "figures.penalty_curves": (
        lambda: dict(w=[-1.0, 0.0, 1.0], values={"L1": [1.0, 0.0, 1.0]}, ylabel="penalty", ax=None),
        {"w": NOT_AN_ARRAY, "values": NOT_A_MAPPING + [{"L1": [1.0]}, {"L1": "abc"}], "ylabel": NOT_A_LABEL,
         "ax": ["left", []]}),
    "figures.penalty_geometry": (
        lambda: dict(loss=lambda w: ((w - 1.0) ** 2).sum(axis=-1), w_ols=[1.0, 1.0], w_l1=[1.0, 0.0],
                     w_l2=[0.8, 0.8], extent=2.0, resolution=11, loss_label="loss", lam=1.0, ax=None),
        {"loss": [3, "mse"], "w_ols": [[1.0], "ab"], "w_l1": [[1.0], "ab"], "w_l2": [[1.0], "ab"],
         "extent": NOT_A_FACTOR + [0.0], "resolution": NOT_A_COUNT + [1], "loss_label": NOT_A_LABEL,
         "lam": NOT_A_FACTOR, "ax": ["left"]}),
    "figures.placement_histograms": (
        lambda: dict(pre={"a": [1.0, -1.0]}, post={"a": [1.0, 0.0]}, bins=10, ax=None),
        {"pre": NOT_A_MAPPING + [{"a": "x"}], "post": NOT_A_MAPPING + [{"b": [1.0]}], "bins": NOT_A_COUNT,
         "ax": ["left"]}),
    "figures.regularization_path": (
        lambda: dict(paths={"L2": pd.DataFrame({"norm": [2.0, 1.0]}, index=[0.1, 1.0])},
                     panels={"norm": "‖W‖"},
                     closed_form={"L2": pd.DataFrame({"norm": [2.0, 1.0]}, index=[0.1, 1.0])},
                     reference={"norm": (3.0, "none")}, logy={"norm"}, xlabel="λ", ax=None),
        {"paths": NOT_A_MAPPING + [{"L2": 5}], "panels": NOT_A_MAPPING + [{"missing": "m"}],
         "closed_form": [5, {"L2": 5}], "reference": [5, {"norm": 3.0}], "logy": [5, {"missing"}],
         "xlabel": NOT_A_LABEL, "ax": ["left"]}),
    "figures.sparsity_tradeoff": (
        lambda: dict(table=_tradeoff(), x="sparsity", y=["mse"], group="penalty", strength="lam",
                     xlabel="sparsity", ylabels=["mse"], symbols={"L1": "λ"}, ax=None),
        {"table": [5, pd.DataFrame()], "x": ["missing", 5], "y": ["missing", ["missing"], 5],
         "group": ["missing"], "strength": ["missing"], "xlabel": NOT_A_LABEL, "ylabels": [["a", "b"], 5],
         "symbols": ["λ", {"L1": 5}], "ax": ["left"]}),
    "figures.speed_bars": (lambda: dict(panels={"speed": ({"fit": 1.0, "train": 2.0}, "steps/s")}, ax=None),
                           {"panels": NOT_A_MAPPING + [{"speed": 5}, {"speed": ({}, "s")}], "ax": ["left"]}),
    "figures.validation_curves": (
        lambda: dict(frames={"a": _run()}, column="val_data_loss", ylabel="mse", dashed={"a"}, ax=None),
        {"frames": NOT_A_MAPPING + [{"a": 5}], "column": ["missing", 5], "ylabel": NOT_A_LABEL,
         "dashed": [5, {"missing"}], "ax": ["left"]}),
    "figures.weight_histograms": (
        lambda: dict(panels={"Adam": {"L1": W}}, floor=1e-8, tol=1e-3, bins=10, ax=None),
        {"panels": NOT_A_MAPPING + [{"Adam": 5}, {"Adam": {"L1": "x"}}], "floor": NOT_A_FACTOR + [0.0],
         "tol": NOT_A_FACTOR, "bins": NOT_A_COUNT, "ax": ["left"]}),
    "figures.weight_trajectories": (
        lambda: dict(curves={"L2": [1.0, 0.5]}, closed_form={"L2": [1.0, 0.5]}, ylabel="w", zoom=0.1,
                     title="t", dashed={"L2"}, ax=None),
        {"curves": NOT_A_MAPPING + [{"L2": "x"}], "closed_form": [5, {"L2": "x"}], "ylabel": NOT_A_LABEL,
         "zoom": NOT_A_FACTOR + [0.0], "title": [5], "dashed": [5, {"missing"}], "ax": ["left"]}),
}


def _function(name: str):
    module, attribute = name.split(".")
    return getattr(importlib.import_module(f"reglab.{module}"), attribute)


def _public_callables():
    for module in MODULES:
        mod = importlib.import_module(f"reglab.{module}")
        names = getattr(mod, "__all__", None) or [
            n for n, v in vars(mod).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == mod.__name__
        ]
        for attribute in names:
            obj = getattr(mod, attribute)
            if not callable(obj) or (inspect.isclass(obj) and (issubclass(obj, tuple | Exception)
                                                               or hasattr(obj, "__dataclass_fields__"))):
                continue  # records (NamedTuple, dataclass) hold values; they are checked where built
            if module == "exercises" and attribute in ("check", "Verdict", "Feedback"):
                continue  # check never raises (tests/test_exercises_robustness.py)
            yield f"{module}.{attribute}"


def _arguments(name: str) -> list[str]:
    parameters = inspect.signature(_function(name)).parameters.values()
    return [p.name for p in parameters if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


BAD_CALLS = [(name, argument, index) for name, (_, bad) in CASES.items()
             for argument, values in bad.items() for index in range(len(values))]


def test_every_public_function_and_argument_is_in_the_table():
    missing = sorted(set(_public_callables()) - set(CASES))
    assert missing == [], f"public functions without a row in CASES: {missing}"
    uncovered = {name: sorted(set(_arguments(name)) - set(CASES[name][1])) for name in CASES}
    assert {name: args for name, args in uncovered.items() if args} == {}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_good_call_works(name):
    good, _ = CASES[name]
    _function(name)(**good())


@pytest.mark.parametrize(("name", "argument", "index"), BAD_CALLS,
                         ids=[f"{n}-{a}-{i}" for n, a, i in BAD_CALLS])
def test_a_bad_value_gets_a_clear_error_naming_the_argument(name, argument, index):
    good, bad = CASES[name]
    arguments = good()
    value = bad[argument][index]
    arguments[argument] = value
    with pytest.raises(ERRORS) as caught:
        result = _function(name)(**arguments)
        pytest.fail(f"{name}({argument}={value!r}) was accepted and returned {type(result).__name__}")
    message = str(caught.value)
    named = ALIASES.get((name, argument), argument)
    assert re.search(rf"\b{re.escape(named)}\b", message), (
        f"{name}({argument}={value!r}) raised {type(caught.value).__name__} without naming "
        f"{named!r}: {message}"
    )
    assert len(message) < 1000, f"{name}: a message of {len(message)} characters"
