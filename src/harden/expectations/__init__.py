"""``harden expect`` and ``harden validate``: Great Expectations suites from the
frames a notebook really used, and the check that new data still meets them.

* :mod:`.capture` chooses the frames to capture (from the analysis);
* :mod:`.profile` profiles a frame into column profiles (plain pandas);
* :mod:`.suite` turns a profile into a GX ``ExpectationSuite`` (deterministic JSON);
* :mod:`.expect` runs the notebook with capture cells and writes the suites;
* :mod:`.data` reads the data to validate; :mod:`.validate` runs GX on it;
* :mod:`.formats` renders validation reports (text, JSON, JUnit).

Great Expectations and pandas are imported only inside the functions that need them.
"""

from __future__ import annotations

from harden.expectations.errors import DataError, SuiteError

__all__ = ["DataError", "SuiteError"]
