"""Strip outputs from notebooks before committing them.

Usage: python notebooks/strip_outputs.py [NOTEBOOK ...]   (default: every notebooks/*.ipynb)
       python notebooks/strip_outputs.py --check          (exit 1 if any has outputs)

Clears every code cell's outputs and execution count and the per-cell execution metadata;
the notebook's cells and sources are left as they are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def strip(nb: nbformat.NotebookNode) -> bool:
    """Clear outputs in place; True when anything changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.outputs or cell.execution_count is not None:
            cell.outputs, cell.execution_count = [], None
            changed = True
        for key in ("execution", "collapsed", "scrolled"):
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true", help="only report; exit 1 if any has outputs")
    ns = ap.parse_args(argv)
    paths = ns.paths or sorted(HERE.glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if strip(nb):
            dirty.append(path)
            if not ns.check:
                nbformat.write(nb, path)
    for path in dirty:
        print(("has outputs: " if ns.check else "stripped: ") + str(path))
    return 1 if ns.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
