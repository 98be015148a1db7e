"""Draw a rig over a copy of the image it was found on (never over a frame): part outlines
coloured by kind, pivots as dots, ids as labels. For the studio's rig view and the docs."""

from __future__ import annotations

import cv2
import numpy as np

from studio.motion.rig.model import Rig

KIND_COLOURS: dict[str, tuple[int, int, int]] = {  # RGB
    "face": (255, 255, 255),
    "eye": (230, 40, 40),
    "mouth": (40, 200, 60),
    "ear": (0, 200, 230),
    "arm": (255, 140, 0),
    "leg": (60, 90, 255),
    "tail": (220, 0, 220),
}


def draw_rig(image: np.ndarray, rig: Rig, *, scale: float = 1.0, labels: bool = True,
             background: tuple[int, int, int] = (150, 150, 150)) -> np.ndarray:
    """RGB uint8 (round(H·scale), round(W·scale), 3): `image` (RGBA or RGB uint8, the
    cut-out or source the rig was found on; RGBA is shown over `background`) with the rig
    drawn on top. The input array is not modified."""
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(f"image must be RGB or RGBA (H, W, 3|4), got {image.shape}")
    rgb = image[..., :3].astype(np.float32)
    if image.shape[2] == 4:
        a = image[..., 3:4].astype(np.float32) / 255
        rgb = rgb * a + np.asarray(background, np.float32) * (1 - a)
    out = np.clip(rgb, 0, 255).astype(np.uint8)
    if scale != 1.0:
        size = (max(1, round(out.shape[1] * scale)), max(1, round(out.shape[0] * scale)))
        out = cv2.resize(out, size, interpolation=cv2.INTER_AREA if scale < 1 else
                         cv2.INTER_LINEAR)
    out = np.ascontiguousarray(out)
    thick = max(1, round(1.5 * max(scale, 0.5)))
    for part in sorted(rig.parts, key=lambda p: p.kind != "face"):
        colour = KIND_COLOURS.get(part.kind, (255, 255, 0))
        pts = np.rint(part.points * scale * 4).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(out, [pts], True, colour, thick, cv2.LINE_AA, 2)
        px, py = (round(v * scale * 4) for v in part.pivot)
        r = max(3, round(3 * max(scale, 0.7)))
        cv2.circle(out, (px, py), r * 4, (0, 0, 0), -1, cv2.LINE_AA, 2)
        cv2.circle(out, (px, py), (r - 1) * 4, colour, -1, cv2.LINE_AA, 2)
        if labels and part.kind != "face":
            x0, y0, _, _ = part.bbox()
            org = (int(x0 * scale), max(10, int(y0 * scale) - 3))
            cv2.putText(out, part.id, org, cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 2,
                        cv2.LINE_AA)
            cv2.putText(out, part.id, org, cv2.FONT_HERSHEY_SIMPLEX, 0.35, colour, 1,
                        cv2.LINE_AA)
    return out
