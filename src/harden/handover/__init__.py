"""``harden handoff``: one command from a research notebook to an engineer's starting point.

The package is ``harden.handover`` (a noun) and the command's API function is
``harden.handoff()`` (a verb): a function and a package never share a name
(``docs/architecture.md``), so importing ``harden.handover.core`` leaves
``harden.handoff`` alone.

* :mod:`harden.handover.core`: :func:`~harden.handover.core.handoff`, the one run
  shared by repro, expect and ``extract --check``, and the folder;
* :mod:`harden.handover.environment`: ``requirements.txt`` and ``pyproject.toml``
  pinned from the kernel's environment;
* :mod:`harden.handover.manifest`: ``data-manifest.json``;
* :mod:`harden.handover.readme`: the folder's ``README.md``;
* :mod:`harden.handover.batch`: a handoff per notebook of a folder, on the process
  pool or Dask, with the folder's ``index.html`` (:mod:`harden.handover.cli_batch`
  renders it);
* :mod:`harden.handover.cli_handoff`: the subcommand.
"""
