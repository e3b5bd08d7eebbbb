"""backend/core/segmentation.py: the ink of a written number -> one segment per digit, left to right."""

import numpy as np
from PIL import Image, ImageDraw

from backend.core.segmentation import segment


def drawn(shapes, size=(500, 200), width=12) -> np.ndarray:
    """An ink map with polylines (lists of points) and dots ((x, y, radius) triples) drawn on it."""
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        if len(shape) == 3 and not isinstance(shape[0], tuple):
            x, y, r = shape
            draw.ellipse([x - r, y - r, x + r, y + r], fill=255)
        else:
            draw.line(shape, fill=255, width=width, joint="curve")
    return np.asarray(image, dtype=np.float32) / 255.0


ONE = [(60, 40), (60, 160)]
ZERO = [(150, 40), (190, 40), (200, 100), (190, 160), (150, 160), (140, 100), (150, 40)]
FOUR_STROKE = [(260, 40), (245, 120), (310, 120)]  # the first stroke of a 4
FOUR_BAR = [(295, 70), (295, 165)]  # its second stroke, crossing nothing: a piece of its own
SEVEN_BODY = [(360, 45), (420, 45), (380, 165)]


def boxes(segments):
    return [s.box for s in segments]


def test_separate_digits_come_out_left_to_right_each_with_its_box():
    segments = segment(drawn([SEVEN_BODY, ONE, ZERO]))
    lefts = [s.box[1] for s in segments]
    assert len(segments) == 3
    assert lefts == sorted(lefts)
    assert abs(segments[0].box[1] - (60 - 6)) <= 1 and abs(segments[0].box[3] - (60 + 6)) <= 1  # the 1, pen 12 px
    assert abs(segments[2].box[0] - (45 - 6)) <= 1  # the 7's top


def test_the_strokes_of_one_digit_that_overlap_horizontally_are_one_segment():
    ink = drawn([ONE, FOUR_STROKE, FOUR_BAR])
    segments = segment(ink)
    assert len(segments) == 2
    four = segments[1]
    assert four.box[1] <= 245 and four.box[3] >= 310  # both strokes
    assert four.ink.sum() == ink[:, 200:].sum()


def test_a_bar_drawn_apart_joins_the_digit_it_lies_over():
    five_body = [(120, 80), (115, 110), (150, 105), (160, 135), (140, 160), (110, 155)]
    five_bar = [(125, 50), (175, 50)]  # lies over the body only in part (the body is narrower)
    segments = segment(drawn([ONE, five_body, five_bar]))
    assert len(segments) == 2
    assert segments[1].box[0] <= 50 and segments[1].box[3] >= 175


def test_a_fragment_next_to_a_digit_joins_it_and_a_far_speck_is_dropped():
    two = [(120, 70), (150, 45), (175, 70), (125, 160)]
    tail = [(140, 160), (195, 160)]  # the 2's foot, lifted off the pen: flat, and to the side
    speck = (450, 180, 3)
    segments = segment(drawn([ONE, two, tail, speck]))
    assert len(segments) == 2
    assert segments[1].box[3] >= 195  # the tail is part of the 2


def test_a_segment_keeps_only_its_own_ink():
    """A 7 whose bar reaches into the next digit's box: each segment holds its own strokes only."""
    seven = [(100, 45), (230, 45), (140, 165)]
    zero = [(250, 50), (280, 50), (290, 105), (280, 160), (250, 160), (240, 105), (250, 50)]
    ink = drawn([seven, zero])
    segments = segment(ink)
    assert len(segments) == 2
    top, left, _, _ = segments[1].box
    assert left < 236 and top < 51  # the 0's box holds the end of the 7's bar ...
    assert segments[1].ink[: 51 - top, : 236 - left].sum() == 0  # ... but not its ink
    assert abs(sum(s.ink.sum() for s in segments) - ink.sum()) < 1e-3  # nothing counted twice, nothing lost


def test_a_piece_much_wider_than_a_digit_is_offered_cut_where_its_ink_is_thinnest():
    zero_a = [(100, 70), (130, 70), (145, 100), (130, 130), (100, 130), (85, 100), (100, 70)]
    zero_b = [(x + 58, y) for x, y in zero_a]  # touching the first one at x = 144
    (piece,) = segment(drawn([zero_a, zero_b], width=10))
    assert piece.width > 1.5 * piece.height
    halves = [cut for cut in piece.cuts if len(cut) == 2]
    assert any(abs(left.box[3] - 144) <= 8 and abs(right.box[1] - 144) <= 8 for left, right in halves), (
        "one proposal cuts where the two rings touch"
    )


def test_digit_shaped_pieces_are_not_offered_cuts():
    assert all(s.cuts == () for s in segment(drawn([ONE, ZERO, SEVEN_BODY])))


def test_nothing_drawn_is_no_segment_and_noise_is_bounded():
    assert segment(np.zeros((200, 500), np.float32)) == []
    noise = (np.random.default_rng(0).random((200, 500)) > 0.98).astype(np.float32)
    assert len(segment(noise)) <= 120
