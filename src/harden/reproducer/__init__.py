"""Judging reproduction: ``harden repro``, the comparer and its normalisers, failure causes,
reports and the pytest plugin.

Executing a notebook is :mod:`harden.run`'s job; this package decides whether
what came back reproduces what the notebook stored.  Nothing here imports
papermill, nbclient or pandas at import time.
"""
