"""Programs a notebook starts in a second Python process, run as ``python -m reglab.scripts.<name>``.

A notebook needs a second process where TensorFlow must be configured before its runtime starts
(logical devices, for instance) and the notebook's own kernel has already started it. Each
program prints its result as one line of JSON on stdout.

- ``two_replicas``: the digits model of notebook 08 trained on two logical CPUs under
  ``MirroredStrategy`` and on one device (notebooks/08-training-on-gpus.ipynb).
"""
