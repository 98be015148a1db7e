"""GPU check of the diffusers image-to-video generators: seconds per clip, peak GPU memory.

Usage: python bench/gpu_diffusers.py [IMAGE] [--model ltx-video] [--motion "wave hello"]
                                     [--frames 12] [--fps 12] [--size 360] [--candidates 1]
                                     [--steps N] [--out DIR]

Run where a CUDA GPU and the model's weights are (in the Hugging Face cache, or downloadable:
unset HF_HUB_OFFLINE). Segments the image with the classical segmenter, then times one
generation of `candidates` clips (load time apart), and prints: device, model, model
resolution and clip frames, seconds to load, seconds per clip, peak GPU memory (GiB), the loop
end and seam error of each take, the prompt, and where the frames were written (PNG per slot
of the chosen candidates). Skips cleanly, with a message and exit code 0, when CUDA or the
weights are missing. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from studio import registry  # noqa: E402
from studio.errors import BackendUnavailable  # noqa: E402


def skip(why: str) -> int:
    print(f"skipped: {why}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image", nargs="?", default=str(REPO / "examples" / "cat.png"))
    ap.add_argument("--model", default="ltx-video")
    ap.add_argument("--motion", default="wave hello")
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--fps", type=float, default=12.0)
    ap.add_argument("--size", type=int, default=360)
    ap.add_argument("--candidates", type=int, default=1)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--out", default=None, help="folder for the chosen frames (PNG)")
    args = ap.parse_args(argv)

    if importlib.util.find_spec("torch") is None:
        return skip("torch is not installed")
    import torch

    if not torch.cuda.is_available():
        return skip("no CUDA GPU on this machine")
    from studio.generate.diffusers import DiffusersGenerator
    from studio.generate.templates import video_motion_spec

    reason = DiffusersGenerator.availability(args.model)
    if reason:
        return skip(f"diffusers:{args.model} {reason}")

    from studio.ingest import load_image

    source = load_image(args.image)
    seg = registry.create("segmenter", "classical")
    source.cutout = seg.segment(source.image[..., :3]).cutout(source.image[..., :3])
    options = {"steps": args.steps} if args.steps else {}
    gen = registry.create("generator", f"diffusers:{args.model}", options)
    spec = video_motion_spec(args.motion, frames=args.frames, fps=args.fps)

    t0 = time.perf_counter()
    try:
        gen.pipeline()
    except BackendUnavailable as e:
        return skip(str(e))
    load_s = time.perf_counter() - t0
    torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    slots = gen.generate(source, spec, size=(args.size, args.size),
                         candidates=args.candidates, seed=0)
    torch.cuda.synchronize()
    gen_s = time.perf_counter() - t0
    peak = torch.cuda.max_memory_allocated() / 2**30

    first = slots[0].candidates[0].origin
    print(f"device        {torch.cuda.get_device_name(0)}")
    print(f"model         diffusers:{args.model} ({first['model']})")
    print(f"model frames  {first['clip_frames']} at {first['model_size'][0]}×"
          f"{first['model_size'][1]}, steps {gen.options.steps or gen.model.steps}")
    print(f"load          {load_s:.1f} s")
    print(f"per clip      {gen_s / args.candidates:.1f} s ({args.candidates} clip(s))")
    print(f"peak GPU mem  {peak:.2f} GiB")
    for k, c in enumerate(slots[0].candidates):
        o = c.origin
        print(f"take {k}        seed {o['seed']}, loop end {o.get('loop_end')}, seam error "
              f"{o.get('seam_error')}, seam jump {o.get('seam_jump')}, speed {o['speed']}")
    print(f"prompt        {first['prompt']}")
    if args.out:
        from PIL import Image

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for s in slots:
            Image.fromarray(s.current.rgb).save(out / f"{s.index:03d}.png")
        print(f"frames        {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
