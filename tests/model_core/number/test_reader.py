"""Reading a line: the hand-drawn cases with the committed networks, and the reader's contract
with stand-in networks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.number import read_line
from model_core.number.candidates import line_candidates
from model_core.number.reader import SURE_ODDS, one_digit_odds
from model_core.number.reread import SequenceReader
from model_core.number.sequence import BLANK, Look, SequenceDigit, StripReading
from model_core.number.strips import FRAME
from model_core.preprocessing.box import enclosing
from model_core.preprocessing.errors import EmptyImageError, TooManyDigitsError
from tests.model_core.number.test_segmentation import (
    PEN,
    Draw,
    canvas,
    dot,
    five_body,
    five_cap,
    one,
    seven,
    zero,
)
from tests.samples import ROOT

COMMITTED = (
    ROOT / "trained_cnn_model.npz",
    ROOT / "trained_verifier_model.npz",
    ROOT / "trained_sequence_model.npz",
)


def always(digit: int, classes: int = 10) -> np.ndarray:
    """(classes,) probabilities sure of `digit`."""
    probabilities = np.full(classes, 0.01 / (classes - 1), dtype=np.float32)
    probabilities[digit] = 0.99
    return probabilities


def threes(images: np.ndarray) -> np.ndarray:
    return np.tile(always(3), (len(images), 1))  # (N, 10)


def unlikely(images: np.ndarray) -> np.ndarray:
    """(N, 11) verdicts: each candidate not one digit at 0.9, so no blob is cut."""
    verdicts = np.full((len(images), 11), 0.01)
    verdicts[:, 10] = 0.9
    return verdicts


@pytest.fixture(scope="module")
def committed() -> DigitClassifier:
    missing = [path.name for path in COMMITTED if not path.is_file()]
    if missing:
        pytest.skip(f"not in the repository yet: {', '.join(missing)}")
    model, verifier, sequence = COMMITTED
    return DigitClassifier.load(model, verifier, sequence_path=sequence)


@pytest.mark.parametrize(
    ("expected", "gray"),
    [
        ("5", canvas(120, five_body(40), five_cap(40))),  # a 5 in two strokes
        ("17", canvas(160, one(40), seven(56))),  # a 1 beside a 7
        ("17", canvas(200, one(50), dot(90), seven(120))),  # a dot between them
        ("00", canvas(160, zero(40), zero(72))),  # two touching 0s
        ("007", canvas(220, zero(40), zero(72), seven(120))),
    ],
)
def test_hand_drawn_lines_read_right(
    expected: str, gray: np.ndarray, committed: DigitClassifier
) -> None:
    reading = committed.read_number(gray).reading
    assert reading.number == expected
    assert reading.confidence == pytest.approx(math.prod(d.confidence for d in reading.digits))


def test_without_a_verifier_each_blob_is_read_whole_in_one_batch() -> None:
    batches: list[int] = []

    def counted(images: np.ndarray) -> np.ndarray:
        batches.append(len(images))
        return threes(images)

    reading = read_line(canvas(220, zero(40), zero(72), seven(120)), counted)
    assert reading.number == "33"  # the touching 0s are one blob
    assert batches == [2]
    assert [d.box.left < 100 for d in reading.digits] == [True, False]
    assert all(d.image.shape == (28, 28) for d in reading.digits)


def test_blobs_the_verifier_is_sure_of_are_not_cut() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # two blobs: "00" touching, "7"
    calls: list[int] = []

    def sure(images: np.ndarray) -> np.ndarray:
        calls.append(len(images))
        return np.tile(always(0, 11), (len(images), 1))  # (N, 11) every one a digit

    assert read_line(gray, threes, verifier=sure).number == "33"
    assert calls == [2]  # the blobs whole only: no cut was searched for, nothing to choose


def test_unsure_blobs_are_cut_and_the_path_follows_the_verdicts() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))
    wholes = line_candidates(gray, 20).wholes  # where each blob's whole candidate lands

    def unsure(images: np.ndarray) -> np.ndarray:
        verdicts = np.tile(always(0, 11), (len(images), 1))  # parts: one digit each
        if len(images) == 2:
            return np.tile(np.full(11, 1 / 11), (2, 1))  # the wholes, first: unsure
        verdicts[wholes] = always(10, 11)  # the wholes, among all candidates: garbage
        return verdicts

    assert len(read_line(gray, threes, verifier=unsure).number) > 2  # the blobs were cut


def test_a_candidate_the_digit_network_reads_as_no_digit_costs_its_path() -> None:
    """The verifier gives every candidate the same odds of being one digit (4 to 1), so the
    path of the most pieces wins on its votes alone; when the digit network reads the parts
    flat (as it reads non-digits), the whole blobs win."""
    gray = canvas(220, zero(40), zero(72), seven(120))
    wholes = line_candidates(gray, 20).wholes
    four_to_one = np.full(11, 0.8 / 10)  # (11,) a digit at 0.8, garbage at 0.2
    four_to_one[10] = 0.2

    def unsure_of_wholes(images: np.ndarray) -> np.ndarray:
        if len(images) == 2:  # the wholes, first: unsure, so they are cut
            return np.tile(np.full(11, 1 / 11), (2, 1))
        return np.tile(four_to_one, (len(images), 1))

    def flat_on_parts(images: np.ndarray) -> np.ndarray:
        probabilities = np.full((len(images), 10), 0.1)  # (N, 10)
        if len(images) > 2:  # every candidate: sure of the wholes only
            probabilities[wholes] = always(3)
        else:
            probabilities[:] = always(3)
        return probabilities

    assert len(read_line(gray, threes, verifier=unsure_of_wholes).number) > 2
    assert read_line(gray, flat_on_parts, verifier=unsure_of_wholes).number == "33"


def test_a_blank_page_and_too_many_digits_are_refused() -> None:
    with pytest.raises(EmptyImageError):
        read_line(np.ones((60, 200), np.float32), threes)
    with pytest.raises(TooManyDigitsError):
        read_line(canvas(160, one(40), seven(56)), threes, max_digits=1)


def test_the_committed_verifier_records_how_it_was_made() -> None:
    path = COMMITTED[1]
    if not path.is_file():
        pytest.skip(f"{path.name} is not in the repository yet")
    verifier = DigitClassifier.load(COMMITTED[0], path).verifier
    assert verifier is not None and verifier.metadata["kind"] == "number_verifier"
    assert verifier.metadata["numbers"] >= 1000 and 0.8 < verifier.metadata["val_accuracy"] < 1


def test_the_committed_sequence_reader_records_how_it_was_made(
    committed: DigitClassifier,
) -> None:
    reader = committed.sequence
    assert reader is not None and reader.metadata["kind"] == "sequence_reader"
    assert reader.metadata["numbers"] >= 1000 and 0.8 < reader.metadata["val_exact"] < 1


def test_a_small_number_in_a_big_picture_is_read_at_its_own_scale(
    committed: DigitClassifier,
) -> None:
    page = np.ones((1000, 1600), dtype=np.float32)  # (H, W) white
    page[450:550, 700:860] = canvas(160, one(40), seven(56))  # digits about 60 px tall
    reading = committed.read_number(page).reading
    assert reading.number == "17"
    assert reading.box.left >= 700 and reading.box.right <= 860  # boxes in the page's pixels


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


def test_even_a_blob_the_verifier_is_sure_of_is_read_again() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    asked: list[int] = []

    def sure(images: np.ndarray) -> np.ndarray:
        verdicts = np.full((len(images), 11), 0.0999)  # (N, 11) garbage at 0.001: log-odds 6.9
        verdicts[:, 10] = 0.001
        return verdicts

    sequence = first_blob_as(4, 2, asked)

    path = read_line(gray, threes, verifier=sure)  # each blob whole: no cut searched
    reading = read_line(gray, threes, verifier=sure, sequence=sequence)

    assert path.number == "33" and reading.number == "423"  # the lone 7 keeps its reading
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


def tall_ones(images: np.ndarray) -> np.ndarray:
    """(N, 11) verdicts: a candidate whose ink is taller than wide is one digit, else not."""
    rows, columns = (images > 0).any(axis=2).sum(axis=1), (images > 0).any(axis=1).sum(axis=1)
    verdicts = np.full((len(images), 11), 0.01)  # (N, 11)
    verdicts[:, 10] = np.where(rows > columns, 0.001, 0.999)
    return verdicts


def test_a_digit_the_path_cut_in_two_is_read_whole_by_the_digit_network() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))  # blobs "00" (touching) and "7"
    path = read_line(gray, threes, verifier=tall_ones)
    assert len(path.number) > 3  # "00" cut in pieces, each a 3

    reading = read_line(gray, threes, verifier=tall_ones, sequence=reads_as([8], [5]))

    assert reading.number == "33"  # the digit network's 3, not the reader's 8; the 7's kept
    assert reading.digits[0].box == enclosing(d.box for d in path.digits[:-1])  # the blob
    assert reading.digits[0].confidence == pytest.approx(0.99)


def stub(x: int) -> Draw:
    """A short stroke, about a third of a digit's height."""
    return lambda pen: pen.line([(x, 58), (x, 80)], fill=0, width=PEN)


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


def test_a_screen_scores_the_candidates_and_the_digit_network_reads_the_chosen() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))
    asked: list[tuple[str, int]] = []

    def screen(images: np.ndarray) -> np.ndarray:
        asked.append(("screen", len(images)))
        return threes(images)

    def sevens(images: np.ndarray) -> np.ndarray:
        asked.append(("network", len(images)))
        return np.tile(always(7), (len(images), 1))  # (N, 10)

    odds = lambda images: one_digit_odds(tall_ones(images))  # noqa: E731
    candidates = len(line_candidates(gray, 20, True, odds, SURE_ODDS).candidates)
    reading = read_line(gray, sevens, verifier=tall_ones, screen=screen)

    assert len(reading.number) > 3 and set(reading.number) == {"7"}  # the network's, not 3s
    assert asked == [("screen", candidates), ("network", len(reading.number))]
