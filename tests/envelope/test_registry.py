import pytest

from envelope import EventSpec, registry, topic_matches


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("imi.#", "imi.work.started", True),
        ("imi.#", "imi", True),
        ("imi.*", "imi.work.started", False),
        ("tool.mutation.*", "tool.mutation.Edit", True),
        ("git.pr.*", "git.push", False),
        ("#.failed", "imi.cmd.failed", True),
        ("git.push", "git.push", True),
    ],
)
def test_topic_matching_follows_amqp_rules(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


def test_patterns_resolve_to_their_spec() -> None:
    spec = registry.spec("tool.mutation.Write")
    assert isinstance(spec, EventSpec)
    assert spec.producer == "hookd"
    assert "tool.mutation.Write" in registry
    assert "tool.other.Write" not in registry


def test_registering_another_model_for_a_type_is_refused() -> None:
    from pydantic import BaseModel

    class Other(BaseModel):
        x: int

    with pytest.raises(ValueError, match="already registered"):
        registry.register("tool.mutation.*", Other, producer="x", summary="x")
