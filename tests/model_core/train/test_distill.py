"""Training against a teacher: its soft targets, and a student that learns them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model_core.nn.ensemble import Ensemble
from model_core.nn.losses import softmax
from model_core.nn.presets import build
from model_core.nn.serialization import save_model
from model_core.preprocessing import to_model_input
from model_core.train.config import default_config
from model_core.train.distill import load_teacher, soft_targets
from model_core.train.loop import fit
from tests.model_core.train.test_run import strokes


def test_an_ensembles_soft_targets_are_its_members_tempered_softmax_averaged() -> None:
    rng = np.random.default_rng(0)
    members = [build("seed", rng), build("seed", rng)]
    x = rng.normal(size=(5, 28, 28, 1)).astype(np.float32)  # (N, 28, 28, 1)
    targets = soft_targets(Ensemble(members), x, temperature=3.0)  # (5, 10)
    expected = sum(softmax(m.forward(x) / np.float32(3.0)) for m in members) / 2
    np.testing.assert_allclose(targets, expected, rtol=1e-6)
    np.testing.assert_allclose(targets.sum(axis=1), 1.0, rtol=1e-6)
    flat = soft_targets(members[0], x, temperature=1.0)
    np.testing.assert_allclose(flat, members[0].predict_proba(x), rtol=1e-5)


def test_a_student_taught_only_by_the_teacher_comes_to_agree_with_it(tmp_path: Path) -> None:
    """With distill_weight 1 the labels play no part: the student learns the teacher's
    answers, here a network trained on the labels swapped, so that learning from the labels
    instead would make the student disagree with it (the teacher is loaded once)."""
    images, labels = strokes(300, seed=4)
    data, swapped = (images, labels), (images, 1 - labels)
    teacher_net = build("seed", np.random.default_rng(1))
    fit(teacher_net, default_config("seed", epochs=3), swapped, swapped, np.random.default_rng(2))
    path = tmp_path / "teacher.npz"
    save_model(path, teacher_net, {"preset": "seed"})
    taught = default_config(
        "seed", epochs=3, teacher=str(path), distill_weight=1.0, temperature=2.0
    )
    student = build("seed", np.random.default_rng(3))
    x = to_model_input(images)
    before = np.mean(student.predict(x) == teacher_net.predict(x))
    fit(student, taught, data, data, np.random.default_rng(4))
    after = np.mean(student.predict(x) == teacher_net.predict(x))
    assert before < 0.6 and after > 0.9
    assert load_teacher(str(path)) is load_teacher(str(path))  # loaded once
