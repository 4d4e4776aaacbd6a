"""Executing notebooks: the papermill runner, the comparer, ``repro`` and its pytest plugin.

Nothing here imports papermill, nbclient or pandas at import time; the
modules that need them import them inside the functions that run notebooks.
"""
