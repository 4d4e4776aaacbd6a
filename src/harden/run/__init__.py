"""Executing notebooks: the papermill runner, its kernels, parameters, capture cells and input hashes.

Nothing here imports papermill, nbclient or pandas at import time; the
modules that need them import them inside the functions that run notebooks.
"""
