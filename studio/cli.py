"""`popcon` command line: make | segment | export | motions | presets | projects | serve | models.

Errors a user can fix print one line (``popcon: error: ...``) and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from studio.errors import InputError, StudioError
from studio.types import MotionSpec, Point, ProgressFn, Prompt, Source
from studio.validate import check_output_path

if TYPE_CHECKING:
    from studio.pipeline import Studio
    from studio.project import Project

PROJECT_COMMANDS = ("make", "export", "projects", "serve")  # clean up after killed runs first


@contextmanager
def progress_bar(desc: str, enabled: bool = True) -> Iterator[ProgressFn]:
    """A ProgressFn drawing a tqdm bar on stderr (silent when disabled or not a TTY)."""
    from tqdm import tqdm

    bar = tqdm(
        total=0, desc=desc, unit="frame", disable=not enabled or None, leave=False, file=sys.stderr
    )

    def update(done: int, total: int, message: str) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def parse_point(text: str) -> Point:
    """ "X,Y" or "X,Y,+" (include) / "X,Y,-" (exclude) → Point."""
    parts = [p.strip() for p in text.split(",")]
    try:
        if len(parts) == 2:
            return Point(float(parts[0]), float(parts[1]), True)
        if len(parts) == 3 and parts[2] in ("+", "-"):
            return Point(float(parts[0]), float(parts[1]), parts[2] == "+")
    except ValueError:
        pass
    raise InputError(f"--point must look like X,Y or X,Y,+ or X,Y,- (pixels), got {text!r}")


def _studio():
    from studio.pipeline import Studio

    return Studio()


def cmd_make(ns: argparse.Namespace) -> int:
    from studio.export import get_preset
    from studio.make import make

    studio = _studio()
    preset = get_preset(ns.preset)
    check_output_path(ns.output, preset.extension)
    spec = studio.motion_spec(
        prompt=ns.motion,
        preset=ns.preset_motion,
        effects=ns.effect,
        frames=ns.frames,
        fps=ns.fps,
        shadow=ns.shadow,
        generator=ns.generator,
    )

    def announce(source: Source, bound: MotionSpec) -> None:  # notes and the motion as understood
        for note in source.notes:
            print(f"note: {note}", file=sys.stderr)
        if bound.prompt:
            print(f"motion: {bound.interpretation}", file=sys.stderr)
            if bound.unknown_words:
                print(f"ignored words: {', '.join(bound.unknown_words)}", file=sys.stderr)

    with progress_bar("generate", not ns.quiet) as prog:
        job = make(
            studio, ns.image, spec, preset.id, ns.output, generator=ns.generator,
            segmenter=ns.segmenter, candidates=ns.candidates, seed=ns.seed, progress=prog,
            on_ready=announce,
        )
    _print_export(job.result, job.project.id, ns.quiet)
    return 0 if job.result.check.ok else 1


def _print_export(result, project_id: str | None, quiet: bool) -> None:
    if not quiet:
        print(result.check.to_text(), file=sys.stderr)
        for line in result.given_up:
            print(f"to fit: {line}", file=sys.stderr)
        for line in getattr(result, "warnings", []):
            print(f"warning: {line}", file=sys.stderr)
    status = "ok" if result.check.ok else "FAILS the spec check"
    proj = f" (project {project_id})" if project_id else ""
    print(f"{result.path}: {result.bytes} bytes, {status}{proj}")


def cmd_segment(ns: argparse.Namespace) -> int:
    from studio.executor import run_frames
    from studio.fileio import write_png
    from studio.presence import require_character

    studio = _studio()
    out_dir = Path(ns.out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out-dir {out_dir} is a file; give a folder")
    if not out_dir.exists() and not out_dir.parent.is_dir():
        raise InputError(f"--out-dir {out_dir}: the folder {out_dir.parent} does not exist")
    prompt = Prompt(tuple(parse_point(p) for p in ns.point)) if ns.point else None
    inputs = [Path(p) for p in ns.inputs]
    stems = [p.stem for p in inputs]
    if len(set(stems)) != len(stems):
        raise InputError("two inputs have the same name; outputs would overwrite each other")
    sources = [studio.read_image(p) for p in inputs]  # validate all before writing anything
    for note in (n for src in sources for n in src.notes):
        print(f"note: {note}", file=sys.stderr)
    studio.backend("segmenter", ns.backend)

    def one(_i: int, src) -> tuple[Path, dict]:
        mask = studio.segment_image(src.image, ns.backend, prompt)
        require_character(src.image, mask.alpha, src.name)
        target = out_dir / f"{Path(src.name).stem}.png"
        out_dir.mkdir(exist_ok=True)  # only once there is something to write
        write_png(target, mask.cutout(src.image))
        return target, mask.info

    with progress_bar("segment", not ns.quiet and len(sources) > 1) as prog:
        results = run_frames(
            one,
            sources,
            max_workers=studio.settings.max_parallel,
            retries=0,
            progress=prog,
            label="image",
        )
    failed: dict[str, list[str]] = {}  # one line per distinct reason (e.g. no worker)
    for src, r in zip(sources, results, strict=True):
        if r.ok:
            target, info = r.value
            print(target)
            if info.get("confidence") == "low":
                print(f"note: {src.name}: low confidence, the most salient object may not be "
                      "the character; check the cut-out, and if it is wrong give a point on "
                      "the character (--point X,Y,+) or on what to remove (--point X,Y,-)",
                      file=sys.stderr)
        else:
            if not isinstance(r.error, StudioError):
                raise r.error  # type: ignore[misc]
            failed.setdefault(str(r.error), []).append(src.name)
    for why, names in failed.items():
        if len(names) == 1 and names[0] in why:
            print(f"popcon: error: {why}", file=sys.stderr)
        else:
            print(f"popcon: error: {', '.join(names)}: {why}", file=sys.stderr)
    return 0 if not failed else 2


def cmd_export(ns: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from studio.export import get_preset
    from studio.recovery import pending_write, remove_stale_temp

    studio = _studio()
    preset = get_preset(ns.preset)
    writing = nullcontext()
    if ns.output:
        out = check_output_path(ns.output, ".zip" if ns.set else preset.extension)
        remove_stale_temp(out.parent, out.name)  # left by an export that was killed
        writing = pending_write(studio.settings, out)  # found by the next start if killed
    projects = [studio.open(p) for p in ns.project]  # every id checked before any work
    with writing:
        return _export(studio, ns, projects)


def _export(studio: Studio, ns: argparse.Namespace, projects: list[Project]) -> int:
    overrides = {"max_bytes": ns.max_bytes} if ns.max_bytes else None
    if ns.set:
        if not ns.output:
            raise InputError("--set needs -o OUT.zip, the file to write the set to")
        result = studio.export_set(projects, ns.preset, ns.output, overrides=overrides)
        if not ns.quiet:
            print(result.check.to_text(), file=sys.stderr)
            for line in result.warnings:
                print(f"warning: {line}", file=sys.stderr)
        status = "ok" if result.ok else "FAILS the set check"
        print(f"{result.path}: {len(result.items)} items, {result.bytes} bytes, {status}")
        return 0 if result.ok else 1
    if len(projects) != 1:
        raise InputError(f"give one project (or --set for a set), got {len(projects)}")
    result = studio.export(projects[0], ns.preset, ns.output, overrides=overrides)
    _print_export(result, projects[0].id, ns.quiet)
    return 0 if result.check.ok else 1


def cmd_motions(ns: argparse.Namespace) -> int:
    from studio import motion

    print("motion presets (--preset-motion NAME, or words in --motion):")
    for p in motion.list_presets():
        print(f"  {p.name:12} {p.description}")
    print("effects (--effect NAME):")
    for e in motion.list_effects():
        print(f"  {e.name:12} {e.description}")
    return 0


def cmd_presets(ns: argparse.Namespace) -> int:
    from studio.export import list_presets

    for p in list_presets():
        print(f"  {p.id:16} {p.title}")
    return 0


def cmd_projects(ns: argparse.Namespace) -> int:
    from studio.project import Project

    for s in Project.list_recent(limit=ns.limit):
        status = f"  [{s.status}]" if s.status else ""
        print(f"{s.id}  {s.frames:3d} frames  {s.name}{status}")
    return 0


def cmd_serve(ns: argparse.Namespace) -> int:
    from studio.ui import launch

    launch(host=ns.host, port=ns.port, share=True if ns.share else None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="popcon",
        description="Turn one character image into a looping animated emoji or sticker.",
    )
    ap.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    sub = ap.add_subparsers(dest="command", required=True)
    # -q also after the command (`popcon make ... -q`); SUPPRESS keeps a -q given before it
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="print only the result")

    mk = sub.add_parser("make", parents=[quiet],
                        help="image → finished animated emoji (the whole job)")
    mk.add_argument("image")
    group = mk.add_mutually_exclusive_group()
    group.add_argument("--motion", help='custom motion prompt, e.g. "subtle bounce then spin"')
    group.add_argument("--preset-motion", help="a motion preset name (see `popcon motions`)")
    mk.add_argument("--effect", action="append", default=[], help="effect overlay (repeatable)")
    mk.add_argument("--shadow", action="store_true", help="draw a soft ground shadow")
    mk.add_argument("--frames", type=int, default=12, help="frames in one loop (2-60)")
    mk.add_argument("--fps", type=float, default=12.0, help="frames per second (1-60)")
    mk.add_argument("--candidates", type=int, default=1, help="takes per frame (1-8)")
    mk.add_argument("--seed", type=int, default=0)
    mk.add_argument("--preset", default="line-emoji", help="export target (see `popcon presets`)")
    mk.add_argument("--generator", default=None, help="generator backend (default: procedural)")
    mk.add_argument("--segmenter", default=None, help="segmenter backend (default: auto)")
    mk.add_argument("-o", "--output", required=True, help="output file")
    mk.set_defaults(func=cmd_make)

    sg = sub.add_parser("segment", parents=[quiet],
                        help="cut the character out of images (RGBA PNGs)")
    sg.add_argument("inputs", nargs="+")
    sg.add_argument("--out-dir", required=True)
    sg.add_argument("--backend", default=None, help="segmenter backend (default: auto)")
    sg.add_argument(
        "--point",
        action="append",
        default=[],
        help="click prompt X,Y[,+|-] in pixels (+ include, - exclude); repeatable",
    )
    sg.set_defaults(func=cmd_segment)

    ex = sub.add_parser("export", parents=[quiet],
                        help="export a project (or a set of projects) for a preset")
    ex.add_argument(
        "project",
        nargs="+",
        help="project id (printed by `popcon make`, listed by `popcon projects`); several "
        "with --set",
    )
    ex.add_argument(
        "--set",
        action="store_true",
        help="export the projects as one platform set (ZIP: LINE 001.png… + tab.png, "
        "WhatsApp pack + tray icon)",
    )
    ex.add_argument("--preset", required=True)
    ex.add_argument("-o", "--output", default=None, help="output file (default: in the project)")
    ex.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        help="override the platform's byte limit (with a warning)",
    )
    ex.set_defaults(func=cmd_export)

    sub.add_parser("motions", help="list motion presets and effects").set_defaults(func=cmd_motions)
    sub.add_parser("presets", help="list export presets").set_defaults(func=cmd_presets)
    pj = sub.add_parser("projects", help="list recent projects")
    pj.add_argument("--limit", type=int, default=20)
    pj.set_defaults(func=cmd_projects)

    sv = sub.add_parser("serve", help="start the studio (Gradio) in this process")
    sv.add_argument("--host", default=None, help="address to listen on (default STUDIO_HOST)")
    sv.add_argument("--port", type=int, default=None, help="port (default STUDIO_PORT)")
    sv.add_argument("--share", action="store_true", help="also ask for a public share link")
    sv.set_defaults(func=cmd_serve)

    from studio.cli_models import add_models_parser

    add_models_parser(sub)
    return ap


def _interrupt_on_sigterm() -> None:
    """SIGTERM (a `kill`, a container stop) unwinds like Ctrl-C, so temp files and a
    half-made project are cleaned up on the way out."""
    import signal
    import threading

    def raise_interrupt(_sig: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, raise_interrupt)


def _recover() -> None:
    """Remove temp files of killed runs and mark their interrupted generations."""
    from studio.recovery import sweep
    from studio.settings import load_settings

    report = sweep(load_settings())
    for pid in report.interrupted:
        print(f"popcon: project {pid}: its generation was interrupted; generate it again",
              file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    ap = build_parser()
    ns = ap.parse_args(argv)
    try:
        _interrupt_on_sigterm()
        if ns.command in PROJECT_COMMANDS:
            _recover()
        return ns.func(ns)
    except StudioError as e:
        print(f"popcon: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("popcon: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
