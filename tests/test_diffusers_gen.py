"""diffusers:<model> generators on a tiny random LTX-Video pipeline in a fake Hugging Face cache.

The pipeline's components (a 1-layer transformer, a small causal VAE, a 1-layer T5 encoder, a
character-level T5 tokenizer, the flow-matching scheduler) are built here, saved under
``models--Lightricks--LTX-Video/snapshots/<hash>/`` with ``refs/main`` in a temporary
HF_HUB_CACHE, and loaded by the backend through diffusers' own ``from_pretrained`` by name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from studio import registry
from studio.errors import BackendUnavailable, InputError
from studio.types import MotionSpec, Move, Source
from tests.helpers import face_rgba

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

REPO = "Lightricks/LTX-Video"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
TINY = {"steps": 2, "clip_frames": 9, "area": 64 * 64, "seam_frames": 1}


def build_tiny_ltx(folder: Path) -> None:
    """Save a random LTXImageToVideoPipeline small enough to run 2 steps on CPU in a second."""
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXImageToVideoPipeline,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel, T5TokenizerFast

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=2,
        attention_head_dim=8, cross_attention_dim=16, num_layers=1, caption_channels=16,
    )
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False,) * 5, upsample_residual=(False,) * 4,
        upsample_factor=(1,) * 4, timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )
    letters = "▁abcdefghijklmnopqrstuvwxyz,.:'"
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(c, -1.0 - 0.01 * i) for i, c in enumerate(letters)]
    tokenizer = T5TokenizerFast(vocab=vocab, extra_ids=0)
    text_encoder = T5EncoderModel(
        T5Config(vocab_size=len(vocab), d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)
    )
    pipe = LTXImageToVideoPipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text_encoder,
        tokenizer=tokenizer, transformer=transformer,
    )
    pipe.save_pretrained(folder)


@pytest.fixture(scope="module")
def tiny_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("hf-cache")
    base = cache / ("models--" + REPO.replace("/", "--"))
    build_tiny_ltx(base / "snapshots" / COMMIT)
    (base / "refs").mkdir()
    (base / "refs" / "main").write_text(COMMIT)
    return cache


@pytest.fixture
def offline_cache(tiny_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HF_HUB_CACHE", str(tiny_cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("STUDIO_DEVICE", "cpu")
    monkeypatch.delenv("STUDIO_DTYPE", raising=False)
    return tiny_cache


@pytest.fixture(scope="module")
def source() -> Source:
    cut = face_rgba(64)
    return Source(image=cut, cutout=cut, had_alpha=True)


def wave_spec(frames: int = 6) -> MotionSpec:
    return MotionSpec(moves=(Move("wave"),), frames=frames, fps=12.0, loop=True)


@pytest.fixture
def gen(offline_cache: Path):
    return registry.create("generator", "diffusers:ltx-video", TINY)


def test_generate_two_takes_from_the_cache(gen, source: Source) -> None:
    calls: list[tuple[int, int, str]] = []
    slots = gen.generate(
        source, wave_spec(6), size=(48, 40), candidates=2, seed=3,
        progress=lambda d, t, m: calls.append((d, t, m)),
    )
    assert gen.produces_alpha is False
    assert len(slots) == 6
    for i, slot in enumerate(slots):
        assert slot.index == i
        assert len(slot.candidates) == 2
        assert 0 <= slot.chosen < 2
        ranks = sorted(c.origin["rank"] for c in slot.candidates)
        assert ranks == [0, 1]
        assert slot.candidates[slot.chosen].origin["rank"] == 0
        for c in slot.candidates:
            assert c.rgb is not None and c.rgb.shape == (40, 48, 3) and c.rgb.dtype == np.uint8
            assert c.rgba is None and not c.has_alpha
    seeds = {c.origin["seed"] for c in slots[0].candidates}
    assert seeds == {3, 4}
    origin = slots[0].candidates[0].origin
    # the prompt comes from the templates and is stored with the candidate
    assert origin["prompt"] == gen.prompt_for(wave_spec(6)).prompt
    assert "waves" in origin["prompt"] and "plain solid white background" in origin["prompt"]
    assert origin["negative_prompt"] and "checkerboard" in origin["negative_prompt"]
    assert origin["model"] == REPO and origin["backend"] == "diffusers:ltx-video"
    assert origin["clip_frames"] == 9 and 2 <= origin["loop_end"] <= 8
    assert origin["seam_error"] >= 0 and origin["take"]
    # progress: every denoising step of both takes, ending at total
    assert [d for d, _, _ in calls] == [1, 2, 3, 4]
    assert all(t == 4 for _, t, _ in calls)
    # different seeds give different clips
    assert not np.array_equal(slots[2].candidates[0].rgb, slots[2].candidates[1].rgb)


def test_generate_is_reproducible_and_candidates_are_takes(gen, source: Source) -> None:
    a = gen.generate(source, wave_spec(4), size=(32, 32), candidates=1, seed=7)
    b = gen.generate(source, wave_spec(4), size=(32, 32), candidates=1, seed=7)
    for sa, sb in zip(a, b, strict=True):
        assert np.array_equal(sa.candidates[0].rgb, sb.candidates[0].rgb)


def test_regenerate_offers_new_take_and_neighbours(gen, source: Source) -> None:
    spec = MotionSpec(moves=(), frames=5, fps=10.0, prompt="raises both arms and laughs")
    cands = gen.regenerate(source, spec, 2, size=(32, 32), candidates=2, seed=11)
    primary = [c for c in cands if not c.origin.get("extra")]
    extra = [c for c in cands if c.origin.get("extra")]
    assert len(primary) == 2 and len(extra) == 4  # 2 takes × (slot 1, slot 3)
    assert [c.origin["rank"] for c in primary] == [0, 1]
    assert {c.origin["source_slot"] for c in extra} == {1, 3}
    assert "raises both arms and laughs" in primary[0].origin["prompt"]
    assert len({c.id for c in cands}) == len(cands)
    with pytest.raises(InputError, match="slot must be between 0 and 4"):
        gen.regenerate(source, spec, 5, size=(32, 32))
    two = MotionSpec(moves=(), frames=2, fps=10.0, prompt="jumps")
    cands = gen.regenerate(source, two, 0, size=(32, 32), candidates=1, seed=2)
    assert [c.origin.get("source_slot") for c in cands] == [None, 1]  # one neighbour, once


def test_refine_masks_smooths_each_take(gen, source: Source) -> None:
    from studio.types import Mask

    slots = gen.generate(source, wave_spec(4), size=(32, 32), candidates=2, seed=1)
    rng = np.random.default_rng(0)
    for s in slots:
        for c in s.candidates:
            c.mask = Mask(rng.random((32, 32)).astype(np.float32), "classical")
    new = gen.refine_masks(slots)
    assert set(new) == {(i, k) for i in range(4) for k in range(2)}
    assert all(m.backend == "classical+temporal" for m in new.values())


def test_studio_generate_segments_the_frames(offline_cache: Path, studio_home: Path) -> None:
    from studio.pipeline import Studio

    studio = Studio()
    project = studio.new_project(face_rgba(64), "tiny")
    # the backend cache holds the instance with the tiny options
    studio._backends[("generator", "diffusers:ltx-video")] = registry.create(
        "generator", "diffusers:ltx-video", TINY
    )
    slots = studio.generate(
        project, wave_spec(4), generator="diffusers:ltx-video", size=(32, 32), candidates=2,
        segmenter="classical",
    )
    assert len(slots) == 4 and all(len(s.candidates) == 2 for s in slots)
    assert all(c.mask is not None for s in slots for c in s.candidates)
    assert project.manifest["generator"] == "diffusers:ltx-video"


def test_unknown_variant_and_bad_options(offline_cache: Path) -> None:
    from studio.errors import UnknownBackend

    with pytest.raises(UnknownBackend, match="ltx-video"):
        registry.create("generator", "diffusers:nope")
    with pytest.raises(InputError, match="stepz"):
        registry.create("generator", "diffusers:ltx-video", {"stepz": 3})


def test_missing_weights_is_backend_unavailable(
    offline_cache: Path, source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))
    gen = registry.create("generator", "diffusers:wan2.2-i2v", TINY)
    with pytest.raises(BackendUnavailable, match=r"Wan-AI/Wan2\.2-I2V-A14B-Diffusers.*OFFLINE"):
        gen.generate(source, wave_spec(4), size=(32, 32))
    reason = type(gen).availability("wan2.2-i2v")
    assert reason is not None and "Wan-AI/Wan2.2-I2V-A14B-Diffusers" in reason


def test_missing_diffusers_is_backend_unavailable(
    offline_cache: Path, source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "diffusers", None)
    gen = registry.create("generator", "diffusers:ltx-video", TINY)
    with pytest.raises(BackendUnavailable, match=r"diffusers.*pip install diffusers"):
        gen.generate(source, wave_spec(4), size=(32, 32))
    assert "diffusers" in (type(gen).availability("ltx-video") or "")


def test_availability_with_weights(offline_cache: Path) -> None:
    from studio.generate.diffusers import DiffusersGenerator

    assert DiffusersGenerator.availability("ltx-video") is None


def test_offload_needs_cuda(offline_cache: Path) -> None:
    gen = registry.create("generator", "diffusers:ltx-video", {**TINY, "offload": "model"})
    with pytest.raises(InputError, match="offload='model' needs a CUDA device, got 'cpu'"):
        gen.pipeline()
