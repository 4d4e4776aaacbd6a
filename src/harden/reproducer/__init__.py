"""Judging reproduction: ``harden repro``, the comparer and its normalisers, failure causes,
and reports (the pytest plugin is the edge module :mod:`harden.pytest_plugin`).

Executing a notebook is :mod:`harden.run`'s job; this package decides whether
what came back reproduces what the notebook stored.  Nothing here imports
papermill, nbclient or pandas at import time.

The package imports nothing itself, so ``harden repro --help`` (which loads
:mod:`harden.reproducer.cli_repro`) stays fast: ``repro_paths`` is in
:mod:`~harden.reproducer.batch`, ``repro_notebook`` and ``ReproOptions`` in
:mod:`~harden.reproducer.repro`, ``render`` in :mod:`~harden.reproducer.report`.
"""
