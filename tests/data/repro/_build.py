"""Rebuild the purpose-built repro notebooks: ``python tests/data/repro/_build.py``.

Each notebook is executed once with nbclient so its stored outputs are real,
then edited where the case needs it (a hand-edited output, float noise, a
data file changed after saving, a kernel name that does not exist).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

HERE = Path(__file__).resolve().parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def code(source: str, *tags: str):
    cell = new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def build(name: str, cells: list, execute: bool = True, allow_errors: bool = False):
    nb = new_notebook(cells=[new_markdown_cell(f"# {name}")] + cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:20]}-{index}"
    if execute:
        NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=allow_errors,
                       resources={"metadata": {"path": str(HERE)}}).execute()
    return nb


def stream(text: str):
    return new_output("stream", name="stdout", text=text)


def result(text: str, count: int):
    return new_output("execute_result", data={"text/plain": text}, execution_count=count)


def save(name: str, nb) -> None:
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, HERE / f"{name}.ipynb")


def main() -> None:
    save("reproduces", build("reproduces", [
        code("values = [3, 1, 2]\nprint(sorted(values))"),
        code("{'total': sum(values), 'mean': sum(values) / len(values)}"),
        code("for i in range(3):\n    print('line', i)"),
    ]))

    nb = build("float_noise", [code("0.1 + 0.2"), code("print(1 / 3)")])
    nb.cells[1].outputs[0]["data"]["text/plain"] = "0.30000000000000010"
    nb.cells[2].outputs[0]["text"] = "0.33333333333333326\n"
    save("float_noise", nb)

    save("memory_address", build("memory_address", [
        code("class Thing:\n    pass\n\nThing()"),
        code("print(object())"),
    ]))
    save("timestamp", build("timestamp", [
        code("import datetime\nprint('started at', datetime.datetime.now())"),
    ]))
    save("unseeded_random", build("unseeded_random", [
        code("import random"),
        code("print(random.random())"),
        code("print('stable')"),
    ]))

    nb = build("edited_output", [code("total = sum(range(10))\ntotal"), code("print('done')")])
    nb.cells[1].outputs[0]["data"]["text/plain"] = "46"
    save("edited_output", nb)

    nb = build("raises", [code("data = {'a': 1}"), code("data['b']"), code("print('after')")],
               allow_errors=True)
    nb.cells[2].outputs = [result("2", 2)]
    nb.cells[3].outputs, nb.cells[3].execution_count = [stream("after\n")], 3
    save("raises", nb)

    nb = build("changed_error", [code("{'a': 1}['b']"), code("print('continued')")], allow_errors=True)
    nb.cells[1].outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                      traceback=["ZeroDivisionError: division by zero"])]
    save("changed_error", nb)

    save("expected_error", build("expected_error", [
        code("1 / 0"),
        code("int('not a number')", "raises-exception"),
        code("print('continued')"),
    ], allow_errors=True))

    save("sleeps", build("sleeps", [code("import time\ntime.sleep(60)"), code("print('woke')")],
                         execute=False))
    save("kernel_dies", build("kernel_dies", [code("print('before')"), code("import os\nos._exit(1)"),
                                              code("print('after')")], execute=False))

    nb = build("sys_exit", [code("print('start')"), code("import sys\nsys.exit(0)"), code("print('end')")],
               execute=False)
    nb.cells[1].outputs, nb.cells[1].execution_count = [stream("start\n")], 1
    nb.cells[3].outputs, nb.cells[3].execution_count = [stream("end\n")], 3
    save("sys_exit", nb)

    save("parameters", build("parameters", [
        code("n = 3\ngreeting = 'hello'\nrate = 0.5\nlabel = 'run'", "parameters"),
        code("print(greeting, n * 2, rate, label)"),
    ]))

    (HERE / "data_file.csv").write_text("value\n1\n2\n3\n", encoding="utf-8")
    nb = build("data_file", [code("with open('data_file.csv') as handle:\n"
                                  "    rows = handle.read().split()[1:]\nprint(sum(int(r) for r in rows))")])
    digest = hashlib.sha256((HERE / "data_file.csv").read_bytes()).hexdigest()
    nb.metadata["harden"] = {"inputs": {"data_file.csv": {"sha256": digest, "size": 14}}}
    save("data_file", nb)
    (HERE / "data_file.csv").write_text("value\n1\n2\n3\n4\n", encoding="utf-8")

    nb = build("missing_kernel", [code("print('ran anyway')")])
    nb.metadata["kernelspec"] = {"name": "conda-root-py", "display_name": "Python [conda root]",
                                 "language": "python"}
    save("missing_kernel", nb)

    nb = build("missing_module", [code("import harden_no_such_module_xyz"), code("print('ok')")],
               execute=False)
    save("missing_module", nb)

    nb = build("drift", [code("import numpy as np\nprint(np.__version__)"), code("np.string_('a')")],
               execute=False)
    nb.cells[1].outputs, nb.cells[1].execution_count = [stream("1.26.4\n")], 1
    nb.cells[2].outputs, nb.cells[2].execution_count = [result("b'a'", 2)], 2
    save("drift", nb)

    nb = build("hidden_state", [code("print(threshold)"), code("print('next')")], execute=False)
    nb.cells[1].outputs, nb.cells[1].execution_count = [stream("0.5\n")], 7
    save("hidden_state", nb)

    save("capture", build("capture", [
        code("summary = {'rows': 3, 'name': 'demo'}"),
        code("pairs = [(1, 'a'), (2, 'b')]\nfn = lambda x: x"),
        code("print(len(pairs))"),
    ]))

    # Saved "cleared", as whole books are published: execution counts, no outputs.
    nb = build("cleared", [code("import numpy as np\nx = np.arange(3)"), code("x.sum()"),
                           code("print(x)")])
    for cell in nb.cells[1:]:
        cell.outputs = []
    save("cleared", nb)

    # Saved under numpy 1: scalars printed bare; numpy 2 prints np.float64(0.5) (NEP 51).
    nb = build("numpy_reprs", [code("import numpy as np\n[np.float64(0.5), np.int64(3)]"),
                               code("np.True_")])
    nb.cells[1].outputs[0]["data"]["text/plain"] = "[0.5, 3]"
    nb.cells[2].outputs[0]["data"]["text/plain"] = "True"
    save("numpy_reprs", nb)


if __name__ == "__main__":
    main()
