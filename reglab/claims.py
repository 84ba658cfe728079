"""The claims the course's four source documents make, and one way to print a computed verdict.

The course starts from four documents about Keras regularizers (two Q&A threads, two articles;
``seed`` 0 to 3 below). Each factual or numeric claim they make has an id (``S<seed>.<n>``), a
paraphrase in our words, and the notebook whose cell computes its verdict. A notebook reports a
verdict with :func:`verdict`, which prints one line a reader (and ``tests/test_claims.py``) can
find::

    S2.06 · 0.05 · 20² is a penalty of 2  →  false: 0.05 · 20² = 20

The README's table "Every seed claim, with its verdict" lists the same ids with the verdict each
notebook printed on the pinned stack; the test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from reglab._validation import _invalid, _short, check_choice, check_str

__all__ = ["Claim", "CLAIMS", "VERDICTS", "SEEDS", "claim", "verdict", "by_notebook"]

SEEDS = {
    0: "Cross Validated: kernel, bias and activity regularizers, and when to use which",
    1: "A blog post on Keras' activity_regularizer (a copy of seed 0's answer plus examples)",
    2: "An article: kernel and activity regularizers demystified",
    3: "A Medium article: how to apply L1 and L2 regularization to Keras models",
}
"""The source documents, by number (files ``shared/seeds/00N_*.txt``)."""

VERDICTS = ("holds", "false", "partly", "depends on the version", "advice")
"""What a verdict can say. "partly": true in one reading or setting, false in another (the line
says which); "depends on the version": the installed Keras decides (the line names the range);
"advice": a recommendation, checked by the experiment it suggests."""


@dataclass(frozen=True)
class Claim:
    """One claim of a seed document: its id, source, our paraphrase and where it is checked."""

    id: str
    seed: int
    text: str
    notebook: str


def _claims(*rows: tuple[str, str, str]) -> dict[str, Claim]:
    return {cid: Claim(cid, int(cid[1]), text, nb) for cid, text, nb in rows}


CLAIMS = _claims(
    # Seed 0: the Cross Validated question and its two answers (with comments).
    ("S0.01", "A Keras layer takes three regularizers: kernel, bias and activity", "01"),
    ("S0.02", "kernel_regularizer penalises W only, not the bias", "01"),
    ("S0.03", "bias_regularizer penalises b", "01"),
    ("S0.04", "activity_regularizer penalises the layer's output y = Wx + b", "06"),
    ("S0.05", "A large enough network still fits the function under a big weight penalty", "04"),
    ("S0.06", "A bias penalty pulls the fitted function's intercept towards the origin", "05"),
    ("S0.07", "An activity penalty makes the layer's outputs smaller", "06"),
    ("S0.08", "The L2 penalty of a weight is w², the L1 penalty is |w|", "02"),
    ("S0.09", "The gradient of the L2 penalty is 2w, of the L1 penalty sign(w)", "03"),
    ("S0.10", "A step with learning rate a subtracts a·W under L2 and a·sign(W) under L1", "03"),
    ("S0.11", "L2 shrinks the large weights; L1 makes W sparse, with many zeros", "04"),
    ("S0.12", "The same holds for the bias and the output under bias and activity penalties", "05"),
    ("S0.13", "A network with smaller weights is less sensitive to small input changes", "04"),
    ("S0.14", "Under L1 the network learns to ignore some inputs altogether", "04"),
    ("S0.15", "bias_initializer acts on the bias (as a regularizer would)", "01"),
    ("S0.16", "After a kernel penalty is applied, the trained weights are smaller", "04"),
    ("S0.17", "A bias penalty drives the bias towards zero", "05"),
    ("S0.18", "An activity penalty makes the output smaller and so removes overfitting", "06"),
    # Seed 1: the blog post (its first half repeats seed 0).
    ("S1.01", "The activity penalty can sit after the activation or before it", "06"),
    ("S1.02", "The post's two Sequential examples (relu with l1(0.001); linear, then relu) run", "06"),
    ("S1.03", "Activity penalties are used in autoencoders to learn sparse codes", "07"),
    ("S1.04", "Activity penalties in an ordinary network also improve generalization", "06"),
    # Seed 2: the article on kernel and activity regularizers.
    ("S2.01", "An overfitted model fits its training data and fails on new data", "01"),
    ("S2.02", "A kernel penalty is added to the loss and grows with the weights", "02"),
    ("S2.03", "L1 drives unimportant weights to zero", "04"),
    ("S2.04", "L2 makes weights small but rarely exactly zero", "04"),
    ("S2.05", "A weight of 10 under L1 with factor 0.1 adds a penalty of 1", "02"),
    ("S2.06", "An activation of 20 under L2 with factor 0.05 adds a penalty of 2", "02"),
    ("S2.07", "L1/L2 on activations and 'L1/L2 activity regularization' are two methods", "06"),
    ("S2.08", "Kernel penalties reduce overfitting more than activity penalties", "06"),
    ("S2.09", "Kernel penalties are particularly useful on high-dimensional or sparse data", "04"),
    ("S2.10", "Activity penalties keep activations within a reasonable range", "06"),
    ("S2.11", "Large activations contribute to overfitting", "06"),
    # Seed 3: the Medium article.
    ("S3.01", "L1 and L2 add a penalty term to the loss that keeps the weights small", "02"),
    ("S3.02", "The L1 term is λ·Σ|w|, the L2 term λ·Σw²", "02"),
    ("S3.03", "λ can take any value between 0 and 1, both included", "02"),
    ("S3.04", "λ = 0 applies no regularization; λ = 1 applies 'full' regularization", "02"),
    ("S3.05", "Keras' default λ is 0.01", "02"),
    ("S3.06", "L1 sets weights exactly to zero, removing their nodes from the network", "04"),
    ("S3.07", "L2 leaves weights small but not zero", "04"),
    ("S3.08", "L2 is used more often than L1 in deep networks", "04"),
    ("S3.09", "keras.regularizers has three built-in regularizers: L1, L2 and L1L2", "02"),
    ("S3.10", "The code L1(l1=lambda), L2(l2=lambda), L1L2(l1=lambda, l2=lambda) runs", "02"),
    ("S3.11", "kernel_regularizer applies to the weights only, bias_regularizer to biases", "01"),
    ("S3.12", "Penalising biases changes little, since biases barely affect the output", "05"),
    ("S3.13", "Valid string identifiers are 'l1', 'l2' and 'l1_l2', each with λ = 0.01", "02"),
    ("S3.14", "The article's four Dense/Conv2D examples run and give those λ", "02"),
    ("S3.15", "L1 and L2 are active only during training, not when predicting", "01"),
    ("S3.16", "Penalties are attached layer by layer", "01"),
    ("S3.17", "One layer can carry L1 and L2 at the same time", "02"),
    ("S3.18", "L1/L2 suit smaller networks; larger ones do better with dropout", "04"),
    ("S3.19", "Start without a penalty, and raise λ step by step once overfitting shows", "04"),
    ("S3.20", "Watch performance against epochs to monitor the regularization", "04"),
)
"""Every claim of the four seeds, by id."""


def claim(claim_id: object) -> Claim:
    """The claim with this id.

    Examples
    --------
    >>> claim("S2.05").notebook
    '02'
    """
    cid = check_str(claim_id, "claim_id", "a claim id such as 'S2.05'")
    if cid not in CLAIMS:
        raise ValueError(_invalid("claim_id", f"one of {', '.join(CLAIMS)}", _short(cid)))
    return CLAIMS[cid]


def verdict(claim_id: object, finding: object, evidence: object) -> str:
    """Print (and return) one line: the claim, the verdict and the evidence computed for it.

    Parameters
    ----------
    claim_id : str
        An id of :data:`CLAIMS`, such as ``"S2.06"``.
    finding : str
        One of :data:`VERDICTS`.
    evidence : str
        What the cell computed, in a few words with its numbers.

    Examples
    --------
    >>> line = verdict("S2.05", "holds", "0.1 · |10| = 1")
    S2.05 · A weight of 10 under L1 with factor 0.1 adds a penalty of 1  →  holds: 0.1 · |10| = 1
    """
    found = claim(claim_id)
    kind = check_choice(finding, "finding", VERDICTS)
    why = check_str(evidence, "evidence", "a non-empty string")
    if not why.strip():
        raise ValueError(_invalid("evidence", "a non-empty string", evidence))
    line = f"{found.id} · {found.text}  →  {kind}: {why}"
    print(line)
    return line


def by_notebook(number: object) -> list[Claim]:
    """The claims a notebook (``"04"``) checks, in id order.

    Examples
    --------
    >>> [c.id for c in by_notebook("03")]
    ['S0.09', 'S0.10']
    """
    nb = check_str(number, "number", "a two-digit notebook number such as '04'")
    found = [c for c in CLAIMS.values() if c.notebook == nb]
    if not found:
        known = sorted({c.notebook for c in CLAIMS.values()})
        raise ValueError(_invalid("number", f"one of {', '.join(known)}", _short(nb)))
    return found
