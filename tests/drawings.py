"""Characters drawn for the tests (cv2 on numpy, no files): a white cat-ghost on white whose
outline has a small gap (the automatic keying floods its body away through it), with
pink cheeks, black eyes, and an arm whose loop encloses a white gap next to the body; and
a character with a separate label box beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WHITE_BODY = (250, 250, 252)
CHEEK = (255, 150, 180)
INK = (30, 30, 40)


@dataclass
class Ghost:
    """rgb (S, S, 3) uint8; body: (S, S) bool, the white body (without outline, eyes,
    cheeks, arm gap); gap: (S, S) bool, the white pocket between arm and body; character:
    (S, S) bool, everything that belongs to it (body, outline, face, arm, not the pocket);
    body_xy, gap_xy, cheek_xy: a pixel inside each, (x, y); box, box_xy: the separate label
    box (S, S) bool and a pixel on it, when drawn."""

    rgb: np.ndarray
    body: np.ndarray
    gap: np.ndarray
    character: np.ndarray
    body_xy: tuple[int, int]
    gap_xy: tuple[int, int]
    cheek_xy: tuple[int, int]
    box: np.ndarray | None = None
    box_xy: tuple[int, int] | None = None


def white_ghost(size: int = 256, outline_gap: bool = True, label_box: bool = False) -> Ghost:
    """The white ghost at `size` px (features scale with it). outline_gap: leave the small
    gap in its outline that makes the keying drop the body; label_box: draw a grey label box
    with white squares apart from it, bottom right."""
    s = size / 256
    img = np.full((size, size, 3), 255, np.uint8)

    def p(x: float, y: float) -> tuple[int, int]:
        return round(x * s), round(y * s)

    t = max(2, round(3 * s))
    fill = np.zeros((size, size), np.uint8)
    cv2.ellipse(fill, p(120, 130), (round(70 * s), round(85 * s)), 0, 0, 360, 1, -1)
    # the arm: a loop on the right whose inside (the pocket) touches the body outline
    arm = np.zeros_like(fill)
    cv2.ellipse(arm, p(196, 140), (round(24 * s), round(34 * s)), 0, 0, 360, 1, -1)
    pocket = np.zeros_like(fill)
    cv2.ellipse(pocket, p(196, 140), (round(12 * s), round(20 * s)), 0, 0, 360, 1, -1)
    shape = (fill | arm).astype(bool)
    img[shape] = WHITE_BODY
    ring = cv2.morphologyEx(shape.astype(np.uint8), cv2.MORPH_GRADIENT,
                            np.ones((t, t), np.uint8)).astype(bool)
    arm_ring = cv2.morphologyEx(arm, cv2.MORPH_GRADIENT, np.ones((t, t), np.uint8)).astype(bool)
    pocket_ring = cv2.morphologyEx(pocket, cv2.MORPH_GRADIENT,
                                   np.ones((t, t), np.uint8)).astype(bool)
    outline = ring | (arm_ring & fill.astype(bool)) | pocket_ring
    # a small gap in the outline on the left (as a scan or a sketchy line leaves)
    gx, gy = p(50, 130)
    gw = max(2, round(2 * s))
    if outline_gap:
        outline[gy - gw:gy + gw, :gx + round(8 * s)] &= ~(
            np.abs(np.arange(size)[:gx + round(8 * s)] - gx) < 10 * s)[None, :]
    img[outline] = INK
    pocket_px = pocket.astype(bool) & ~outline
    img[pocket_px] = 255
    for ex in (95, 145):
        cv2.ellipse(img, p(ex, 110), (round(7 * s), round(10 * s)), 0, 0, 360, INK, -1,
                    cv2.LINE_AA)
    for cx in (80, 160):
        cv2.circle(img, p(cx, 138), round(10 * s), CHEEK, -1, cv2.LINE_AA)
    near_white = (np.abs(img.astype(int) - WHITE_BODY).sum(-1) < 6)
    body = near_white & fill.astype(bool) & ~pocket_px
    character = (shape | outline) & ~pocket_px
    ghost = Ghost(img, body, pocket_px, character, p(120, 175), p(196, 140), p(80, 138))
    if label_box:
        x0, y0, x1, y1 = (round(v * s) for v in (178, 224, 248, 248))
        box = np.zeros((size, size), bool)
        box[y0:y1 + 1, x0:x1 + 1] = True
        img[box] = (110, 110, 120)
        for k in range(3):
            sx = x0 + round((8 + 21 * k) * s)
            img[y0 + round(7 * s):y1 - round(7 * s), sx:sx + round(12 * s)] = (235, 235, 240)
        ghost.box, ghost.box_xy = box, (x0 + round(4 * s), (y0 + y1) // 2)
    return ghost


def character_with_box(size: int = 256) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """A yellow face with a dark outline and, apart from it, a grey label box with white
    squares. Returns rgb (S, S, 3) uint8, the true character mask (S, S) bool and a point
    on the box (x, y)."""
    s = size / 256
    img = np.full((size, size, 3), 255, np.uint8)
    c = (round(100 * s), round(100 * s))
    r = round(55 * s)
    cv2.circle(img, c, r, (255, 200, 60), -1, cv2.LINE_AA)
    cv2.circle(img, c, r, INK, max(2, round(3 * s)), cv2.LINE_AA)
    for ex in (80, 120):
        cv2.ellipse(img, (round(ex * s), round(90 * s)), (round(5 * s), round(9 * s)), 0, 0,
                    360, INK, -1, cv2.LINE_AA)
    truth = np.zeros((size, size), np.uint8)
    cv2.circle(truth, c, r + max(1, round(1.5 * s)), 1, -1)
    x0, y0, x1, y1 = (round(v * s) for v in (170, 205, 245, 238))
    cv2.rectangle(img, (x0, y0), (x1, y1), (110, 110, 120), -1)
    for k in range(4):
        sx = x0 + round((8 + 17 * k) * s)
        cv2.rectangle(img, (sx, y0 + round(10 * s)), (sx + round(11 * s), y1 - round(10 * s)),
                      (235, 235, 240), -1)
    return img, truth.astype(bool), (x0 + round(5 * s), (y0 + y1) // 2)
