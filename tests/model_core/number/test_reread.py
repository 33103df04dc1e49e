"""The sequence reader reading a line's blobs again (model_core/number/reread.py), with
stand-in networks: where its digits replace the path's, and where they do not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_core.number import read_line
from model_core.number.candidates import line_candidates
from model_core.number.reread import UNLIKELY, SequenceReader
from model_core.number.sequence import BLANK, Look, SequenceDigit, StripReading
from model_core.number.strips import FRAME, PAPER, strip_scale
from model_core.preprocessing.box import enclosing
from tests.model_core.number.stand_ins import always, doubtful_threes, tall_ones, threes, unlikely
from tests.model_core.number.test_segmentation import PEN, Draw, canvas, seven, zero


def sure_of(digits: list[tuple[int, int]], frames: int, sure: float = 0.99) -> StripReading:
    """A strip reading of `frames` frames, each (digit, frame) read at that one frame."""
    logp = np.full((frames, BLANK + 1), np.log((1 - sure) / BLANK))  # (T, 11)
    logp[:, BLANK] = np.log(sure)
    for digit, frame in digits:
        logp[frame] = np.log((1 - sure) / BLANK)
        logp[frame, digit] = np.log(sure)
    read = [SequenceDigit(d, always(d), (f * FRAME, (f + 1) * FRAME)) for d, f in digits]
    return StripReading(read, [Look(logp, 0)])


def first_blob_as(first: int, second: int, asked: list[int]) -> SequenceReader:
    """A sequence reader that reads the first strip as the two digits `first`, `second` and
    any other as a 5, and notes how many strips each call asks about in `asked`."""

    def sequence(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        asked.append(len(strips))
        readings = []
        for strip in strips:
            frames = strip.shape[1] // FRAME
            two = [(first, frames // 3), (second, 2 * frames // 3)]
            readings.append(sure_of(two if strip is strips[0] else [(5, 3)], frames))
        return readings

    return sequence


def test_the_sequence_reader_replaces_the_path_inside_blobs_it_reads_as_several_digits() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    page_boxes = line_candidates(gray, 20).blobs.boxes
    asked: list[int] = []

    sequence = first_blob_as(1, 2, asked)

    reading = read_line(gray, threes, verifier=unlikely, sequence=sequence)

    assert reading.number[:2] == "12" and set(reading.number[2:]) == {"3"}  # one digit: kept
    first, second = reading.digits[0].box, reading.digits[1].box
    assert first.right <= second.left + 1  # each took its own side of the blob
    assert first.left >= 0 and second.right <= 130  # both inside the touching 0s
    assert reading.digits[0].confidence == pytest.approx(0.99)
    assert all(d.image.any() for d in reading.digits[:2])
    assert len(page_boxes) == 2 and asked == [2]  # both blobs, in one batch


def test_each_digit_read_is_boxed_from_where_the_reader_reads_it_to_the_next() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # "00": the second 0 starts at x 72
    blobs = line_candidates(gray, 20).blobs
    first_blob, ink, factor = blobs.boxes[0], blobs.inks[0], blobs.page.factor
    scale = strip_scale(ink.shape[0], blobs.line) / factor  # strip columns per input column

    def at_left_edges(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        """Reads the first strip as "00", each 0 at the frame over its left edge, as the
        trained reader does; any other strip as a 5."""
        frame = [int((PAPER + (x - factor * first_blob.left) * scale) // FRAME) for x in (40, 72)]
        return [
            sure_of(list(zip((0, 0), frame, strict=True)) if strip is strips[0] else [(5, 3)],
                    strip.shape[1] // FRAME)
            for strip in strips
        ]  # fmt: skip

    reading = read_line(gray, threes, verifier=unlikely, sequence=at_left_edges)

    assert reading.number[:2] == "00"
    first, second = reading.digits[0].box, reading.digits[1].box
    within = FRAME / scale  # a frame's width in input columns
    assert 72 - within <= second.left <= 72 + within  # cut where the second 0 begins
    assert first.left <= 40 + PEN and first.right >= 72  # the first 0 whole, up to there


def test_a_blob_the_verifier_is_sure_of_is_read_again_unless_read_surely() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    asked: list[int] = []

    def sure(images: np.ndarray) -> np.ndarray:
        verdicts = np.full((len(images), 11), 0.0999)  # (N, 11) garbage at 0.001: log-odds 6.9
        verdicts[:, 10] = 0.001
        return verdicts

    sequence = first_blob_as(4, 2, asked)

    path = read_line(gray, doubtful_threes, verifier=sure)  # each blob whole: no cut searched
    reading = read_line(gray, doubtful_threes, verifier=sure, sequence=sequence)

    assert path.number == "33" and reading.number == "423"  # the lone 7 keeps its reading
    assert asked == [2]

    settled = read_line(gray, threes, verifier=sure, sequence=sequence)  # read surely, too

    assert settled.number == "33" and asked == [2]  # not read again


def test_a_blob_the_digit_network_is_certain_of_is_not_read_again() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    asked: list[int] = []

    def certain_threes(images: np.ndarray) -> np.ndarray:
        return np.tile(always(3, sure=0.9995), (len(images), 1))  # (N, 10)

    sequence = first_blob_as(4, 2, asked)
    reading = read_line(gray, certain_threes, verifier=unlikely, sequence=sequence)

    assert reading.number == "33" and asked == []  # the verifier unsure, yet not read again
    assert read_line(gray, threes, verifier=unlikely, sequence=sequence).number == "423"
    assert asked == [2]


def test_a_reading_not_far_more_likely_than_the_paths_is_refused() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))

    path = read_line(gray, threes, verifier=unlikely).number  # the cut path alone

    def doubtful(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        """Says "12", but its frames find the path's own digits far more likely."""
        readings = []
        for strip in strips:
            frames = strip.shape[1] // FRAME
            own = [(3, f) for f in np.linspace(1, frames - 2, 3).astype(int).tolist()]
            looks = sure_of(own, frames).looks
            one = SequenceDigit(1, always(1), (FRAME, 2 * FRAME))
            readings.append(StripReading([one] * 2, looks))
        return readings

    assert read_line(gray, threes, verifier=unlikely, sequence=doubtful).number == path


def test_a_blob_too_wide_for_any_number_is_not_read_as_a_strip() -> None:
    gray = np.ones((60, 1200), np.float32)  # (H, W) white: a long, flat wavy stroke
    columns = np.arange(20, 1180)
    rows = (30 + 4 * np.sin(columns / 6)).astype(int)
    for offset in range(3):
        gray[rows + offset, columns] = 0.0
    widths: list[int] = []

    def sequence(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        widths.extend(strip.shape[1] for strip in strips)
        return [sure_of([], strip.shape[1] // FRAME) for strip in strips]

    read_line(gray, threes, max_digits=200, verifier=unlikely, sequence=sequence)
    assert widths == []  # its strip would have been thousands of columns wide


def reads_as(*strips_digits: list[int]) -> SequenceReader:
    """A sequence reader that reads strip i as the digits strips_digits[i], spread evenly."""

    def sequence(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        readings = []
        for strip, digits in zip(strips, strips_digits, strict=True):
            frames = strip.shape[1] // FRAME
            at = np.linspace(1, frames - 2, len(digits) + 2)[1:-1].astype(int).tolist()
            readings.append(sure_of(list(zip(digits, at, strict=True)), frames))
        return readings

    return sequence


def test_a_digit_the_path_cut_in_two_is_read_whole_by_the_digit_network() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    path = read_line(gray, threes, verifier=tall_ones)
    assert len(path.number) > 3  # "00" cut in pieces, each a 3

    reading = read_line(gray, threes, verifier=tall_ones, sequence=reads_as([8]))  # the 7 is
    # one digit surely, to the verifier and the digit network: not read again

    assert reading.number == "33"  # the digit network's 3, not the reader's 8; the 7's kept
    assert reading.digits[0].box == enclosing(d.box for d in path.digits[:-1])  # the blob
    assert reading.digits[0].confidence == pytest.approx(0.99)


def stub(x: int) -> Draw:
    """A short stroke, about a third of a digit's height, across the digits' middle (wholly
    above it, it would be a mark, groups.py)."""
    return lambda pen: pen.line([(x, 38), (x, 60)], fill=0, width=PEN)


def test_a_short_blob_the_reader_finds_no_digit_in_is_dropped() -> None:
    gray = canvas(220, zero(40), zero(72), stub(150))  # blobs "00" and a short stroke
    path = read_line(gray, threes, verifier=unlikely)
    assert path.number == "33"  # each blob whole

    dropped = read_line(gray, threes, verifier=unlikely, sequence=reads_as([5], []))

    assert dropped.number == "3" and dropped.digits[0].box == path.digits[0].box  # lone 3 kept


def test_a_whole_digit_the_reader_finds_no_digit_in_is_kept() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" and "7", both full height
    path = read_line(gray, threes, verifier=unlikely)
    reading = read_line(gray, threes, verifier=unlikely, sequence=reads_as([5], []))

    assert reading.number == path.number == "33"
    assert [d.box for d in reading.digits] == [d.box for d in path.digits]
    assert not any(d.unseen for d in reading.digits)  # no shape network: nothing flagged


def test_digits_read_together_count_at_the_readers_probability_of_them() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    given: list[StripReading] = []

    def unsure_of_the_pair(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        """Reads the first strip as "12" at 0.9 a frame (each digit itself at 0.99), any
        other as a 5."""
        readings = []
        for strip in strips:
            frames = strip.shape[1] // FRAME
            two = [(1, frames // 3), (2, 2 * frames // 3)]
            readings.append(sure_of(two, frames, 0.9) if strip is strips[0] else sure_of([], 9))
        given.extend(readings)
        return readings

    reading = read_line(gray, threes, verifier=unlikely, sequence=unsure_of_the_pair)

    assert reading.number[:2] == "12" and reading.digits[0].confidence == pytest.approx(0.99)
    assert [d.in_sequence for d in reading.digits] == [True, True, False]
    pair = given[0].log_likelihood([1, 2])
    assert reading.sequence_log_likelihood == pytest.approx(pair)
    assert reading.confidence == pytest.approx(0.99 * math.exp(pair))  # the lone 3's and theirs
    assert reading.confidence < 0.5 < math.prod(d.confidence for d in reading.digits)


def test_the_paths_digits_in_a_blob_the_reader_agrees_with_take_its_probability() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" and "7"
    path = read_line(gray, threes, verifier=tall_ones)  # "00" cut in pieces, each a 3
    pieces = len(path.number) - 1
    sequence = reads_as([3] * pieces)  # the 7 is settled, not read again

    reading = read_line(gray, threes, verifier=tall_ones, sequence=sequence)

    assert reading.number == path.number
    assert [d.in_sequence for d in reading.digits] == [True] * pieces + [False]
    assert -5 < reading.sequence_log_likelihood < 0
    alone = reading.digits[-1].confidence
    assert reading.confidence == pytest.approx(alone * math.exp(reading.sequence_log_likelihood))


def test_a_dropped_blob_counts_at_the_readers_probability_of_no_digit() -> None:
    gray = canvas(220, zero(40), zero(72), stub(150))  # blobs "00" and a short stroke

    dropped = read_line(gray, threes, verifier=unlikely, sequence=reads_as([5], []))

    assert dropped.number == "3" and not dropped.digits[0].in_sequence  # a lone digit
    assert dropped.sequence_log_likelihood < 0  # the chance the stroke holds no digit
    assert dropped.confidence == pytest.approx(0.99 * math.exp(dropped.sequence_log_likelihood))


@pytest.mark.parametrize(("frame", "taken"), [(0.999, True), (0.8, False)])
def test_several_digits_the_reader_finds_unlikely_are_not_taken_for_digits(
    frame: float, taken: bool
) -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"

    def pair(strips: list[np.ndarray], known: list[list[int]]) -> list[StripReading]:
        """Reads the first strip as "12", each frame `frame` sure; any other as a 5."""
        return [
            sure_of([(1, 2), (2, 5)] if strip is strips[0] else [], strip.shape[1] // FRAME, frame)
            for strip in strips
        ]

    reading = read_line(gray, threes, verifier=unlikely, sequence=pair)

    assert reading.number[:2] == "12"
    unlikely_pair = math.exp(reading.sequence_log_likelihood) < UNLIKELY
    assert unlikely_pair is not taken
    assert [d.unseen for d in reading.digits] == [not taken, not taken, False]
