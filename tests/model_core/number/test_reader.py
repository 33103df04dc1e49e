"""Reading a line: the hand-drawn cases with the committed networks, and the reader's contract
with stand-in networks. How the sequence reader reads blobs again: test_reread.py."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from model_core.classifier import DigitClassifier
from model_core.number import DigitReading, NumberReading, Screen, read_line
from model_core.number.candidates import line_blobs, line_candidates
from model_core.number.paths import best_path
from model_core.number.reader import READ_WEIGHT, SURE_ODDS, _bounded_path, one_digit_odds
from model_core.preprocessing.box import Box
from model_core.preprocessing.errors import EmptyImageError, TooManyDigitsError
from tests.model_core.number.stand_ins import always, tall_ones, threes
from tests.model_core.number.test_segmentation import (
    PEN,
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


@pytest.fixture(scope="module")
def committed() -> DigitClassifier:
    missing = [path.name for path in COMMITTED if not path.is_file()]
    if missing:
        pytest.skip(f"not in the repository yet: {', '.join(missing)}")
    model, verifier, sequence = COMMITTED
    return DigitClassifier.load(model, verifier, sequence_path=sequence)


@pytest.mark.parametrize(
    ("expected", "touching", "gray"),
    [
        ("5", "-", canvas(120, five_body(40), five_cap(40))),  # a 5 in two strokes
        ("17", "--", canvas(160, one(40), seven(56))),  # a 1 beside a 7
        ("17", "--", canvas(200, one(50), dot(90), seven(120))),  # a dot between them
        ("00", "tt", canvas(160, zero(40), zero(72))),  # two touching 0s
        ("007", "tt-", canvas(220, zero(40), zero(72), seven(120))),
    ],
)
def test_hand_drawn_lines_read_right(
    expected: str, touching: str, gray: np.ndarray, committed: DigitClassifier
) -> None:
    reading = committed.read_number(gray).reading
    assert reading.number == expected
    assert "".join("t" if d.touching else "-" for d in reading.digits) == touching
    assert [d.in_sequence for d in reading.digits] == [mark == "t" for mark in touching]
    alone = math.prod(d.confidence for d in reading.digits if not d.in_sequence)
    assert reading.confidence == pytest.approx(alone * math.exp(reading.sequence_log_likelihood))


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

    def unsure(images: np.ndarray) -> np.ndarray:
        if len(images) == 2:
            return np.tile(np.full(11, 1 / 11), (2, 1))  # the wholes, first: unsure
        return np.tile(always(0, 11), (len(images), 1))  # then the parts: one digit each

    assert len(read_line(gray, threes, verifier=unsure).number) > 2  # the blobs were cut


def test_a_candidate_the_digit_network_reads_as_no_digit_costs_its_path() -> None:
    """The verifier gives every candidate the same odds of being one digit (4 to 1), so the
    path of the most pieces wins on its votes alone; when the digit network reads the parts
    flat (as it reads non-digits), the whole blobs win."""
    gray = canvas(220, zero(40), zero(72), seven(120))
    line = line_candidates(gray, 20)
    wholes = [line.candidates[i].image for i in line.wholes]  # each (28, 28)
    four_to_one = np.full(11, 0.8 / 10)  # (11,) a digit at 0.8, garbage at 0.2
    four_to_one[10] = 0.2

    def unsure_of_wholes(images: np.ndarray) -> np.ndarray:
        if len(images) == 2:  # the wholes, first: unsure, so they are cut
            return np.tile(np.full(11, 1 / 11), (2, 1))
        return np.tile(four_to_one, (len(images), 1))

    def flat_on_parts(images: np.ndarray) -> np.ndarray:
        whole = [any(np.array_equal(image, w) for w in wholes) for image in images]  # (N,)
        return np.where(np.array(whole)[:, None], always(3), np.float32(0.1))  # (N, 10)

    assert len(read_line(gray, threes, verifier=unsure_of_wholes).number) > 2
    assert read_line(gray, flat_on_parts, verifier=unsure_of_wholes).number == "33"


def test_a_blank_page_and_too_many_digits_are_refused() -> None:
    with pytest.raises(EmptyImageError):
        read_line(np.ones((60, 200), np.float32), threes)
    with pytest.raises(TooManyDigitsError):
        read_line(canvas(160, one(40), seven(56)), threes, max_digits=1)


def test_the_digit_limit_counts_digits_not_strokes(committed: DigitClassifier) -> None:
    cap = lambda pen: pen.line([(100, 18), (128, 15)], fill=0, width=PEN)  # noqa: E731
    gray = canvas(200, one(40), five_body(70), cap)  # the 5's cap apart: three blobs
    assert len(line_blobs(gray, 20).groups) == 3
    assert committed.read_number(gray, max_digits=2).reading.number == "15"
    with pytest.raises(TooManyDigitsError, match="at least 2 digits"):
        committed.read_number(gray, max_digits=1)


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


def test_a_screen_scores_the_candidates_and_the_digit_network_finishes_the_chosen() -> None:
    gray = canvas(220, zero(40), zero(72), seven(120))
    asked: list[tuple[str, int]] = []

    def screen(images: np.ndarray) -> np.ndarray:
        asked.append(("screen", len(images)))
        return threes(images)

    def sevens(images: np.ndarray, first: np.ndarray) -> np.ndarray:
        assert first.shape == (len(images), 10) and (first.argmax(axis=1) == 3).all()
        asked.append(("finish", len(images)))
        return np.tile(always(7), (len(images), 1))  # (N, 10)

    def unused(images: np.ndarray) -> np.ndarray:
        raise AssertionError("the screen's probabilities are finished, not read again")

    verified: list[int] = []

    def verifier(images: np.ndarray) -> np.ndarray:
        verified.append(len(images))
        return tall_ones(images)

    odds = lambda images: one_digit_odds(tall_ones(images))  # noqa: E731
    line = line_candidates(gray, 20, True, odds, SURE_ODDS)
    reading = read_line(gray, unused, verifier=verifier, screen=Screen(screen, sevens))

    assert len(reading.number) > 3 and set(reading.number) == {"7"}  # finished, not 3s
    screened = [count for name, count in asked if name == "screen"]
    assert sum(screened) <= len(line.candidates)  # each candidate at most once
    assert asked[-1] == ("finish", len(reading.number))
    blobs = len(line.wholes)  # the blobs' wholes are asked once, their cuts then
    assert verified == [blobs, len(line.candidates) - blobs]


def test_candidates_on_no_path_that_could_win_are_never_read() -> None:
    """Branch and bound: the digit network skips candidates whose verifier odds alone cannot
    reach the best path's score, and the path is the one scoring every candidate gives."""
    gray = canvas(220, zero(40), zero(72), seven(120))
    odds = lambda images: one_digit_odds(tall_ones(images))  # noqa: E731
    line = line_candidates(gray, 20, True, odds, SURE_ODDS)
    images = np.stack([c.image for c in line.candidates])  # (N, 28, 28)
    upper = odds(images)  # (N,)
    read: list[int] = []

    def inky(images: np.ndarray) -> np.ndarray:
        """(N, 10): a 3, the surer the more ink (a sliver reads as no digit)."""
        read.append(len(images))
        sure = np.clip(images.mean(axis=(1, 2)) * 8, 0.1, 0.99)  # (N,)
        probabilities = np.tile(((1 - sure) / 9)[:, None], (1, 10))  # (N, 10)
        probabilities[:, 3] = sure
        return probabilities

    chosen, every = _bounded_path(line, images, upper, inky)

    everything = upper + READ_WEIGHT * np.log(inky(images).max(axis=1))  # (N,) every one read
    spans = [c.span for c in line.candidates]
    assert chosen == best_path(line.last, spans, list(everything))
    assert sum(read[:-1]) < len(images)  # some were never read
    assert (every[chosen].argmax(axis=1) == 3).all()


def test_a_reading_is_never_more_than_certain() -> None:
    """A CTC log-likelihood a rounding error over 0 (a sure reading) still gives at most 1."""
    sure = DigitReading(1, 1.0, [0.0, 1.0] + [0.0] * 8, Box(0, 0, 5, 20), np.zeros((28, 28)))
    pair = [sure, sure]
    together = [replace(d, in_sequence=True) for d in pair]

    assert NumberReading(together, False, 1e-12).confidence == 1.0
    assert NumberReading(together, False, -0.5).confidence == pytest.approx(math.exp(-0.5))
    assert NumberReading(pair, False, 0.0).confidence == 1.0
