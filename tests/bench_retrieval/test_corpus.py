"""The retrieval benchmark's generated corpus: deterministic, and every question answerable
from turns that exist at the recorded offsets."""

from __future__ import annotations

import sys

from harness import ROOT

sys.path.insert(0, str(ROOT))  # `bench` lives at the repository root, beside `tests`
from bench.retrieval import corpus

SEED = 7


def test_the_same_seed_gives_the_same_corpus() -> None:
    first, again = corpus.generate(SEED, 2), corpus.generate(SEED, 2)
    assert first == again
    assert corpus.generate(SEED + 1, 2) != first


def test_evidence_turns_exist_and_their_offsets_slice_the_content() -> None:
    generated = corpus.generate(SEED, 3)
    turns = generated.turns()
    assert generated.questions
    for question in generated.questions:
        assert question.evidence, question
        for turn_id in question.evidence:
            session, turn = turns[turn_id]
            assert session.conversation == question.conversation
            assert session.content[turn.start : turn.end] == turn.text
            assert turn.text == f"[{turn.timestamp}] {turn.speaker}: {turn.said}"


def test_every_turn_is_one_line_of_its_session() -> None:
    for session in corpus.generate(SEED, 1).sessions:
        assert session.content.split("\n") == [t.text for t in session.turns]


def test_a_corpus_rendered_in_another_format_keeps_its_turns_and_offsets() -> None:
    generated = corpus.generate(SEED, 1)
    exported = corpus.rendered(generated, "export")
    assert exported.questions == generated.questions
    assert exported.turn_format == "export"
    for before, after in zip(generated.sessions, exported.sessions, strict=True):
        assert after.content.split("\n") == [t.text for t in after.turns]
        for old, new in zip(before.turns, after.turns, strict=True):
            assert (new.id, new.speaker, new.said) == (old.id, old.speaker, old.said)
            assert after.content[new.start : new.end] == new.text
            assert new.text.endswith(f" - {new.speaker}: {new.said}")
            assert new.text[:2].isdigit(), "a line starts with its date, not a speaker"
    assert corpus.rendered(generated, "labelled") == generated


def test_multi_session_evidence_and_updates_are_planted() -> None:
    generated = corpus.generate(SEED, 3)
    turns = generated.turns()
    kinds = {q.kind for q in generated.questions}
    assert {"single", "updated", "history", "multi-hop"} <= kinds
    for question in generated.questions:
        if question.kind == "multi-hop":
            sessions = {turns[t][0].id for t in question.evidence}
            assert len(sessions) == len(question.evidence), question
