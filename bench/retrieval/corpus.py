"""A seeded corpus of multi-session group chats with planted facts and their questions.

Each conversation has 3-4 people and 15-25 sessions (days) of 15-30 turns of small talk,
into which the facts of `facts.py` are planted: a chain's events in strictly later
sessions, so an update comes after what it updates and a two-step answer spans sessions.
A session's content is one line per turn, `[<ISO timestamp>] <Speaker>: <text>`, and every
turn records its character range in that content, so a search hit is matched by offsets.
`rendered` writes the same corpus in another of `TURN_FORMATS`: `export` as the lines of a
phone's chat export (`<dd/mm/yyyy>, <hh:mm> - <Speaker>: <text>`), `irc` as an IRC log
(`[<ISO timestamp>] <<Speaker>> <text>`, no `Speaker:` label at all). Pure Python, no
network: the same seed gives the same corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bench.retrieval import facts, projects
from bench.retrieval import vocabulary as v

CONVERSATIONS = 8
SESSIONS = (15, 25)
TURNS = (15, 30)
TURN_FORMATS = {
    "labelled": "[{timestamp}] {speaker}: {said}",
    "export": "{when:%d/%m/%Y, %H:%M} - {speaker}: {said}",
    "irc": "[{timestamp}] <{speaker}> {said}",
}


@dataclass(frozen=True)
class Turn:
    id: str
    speaker: str
    timestamp: str
    said: str
    text: str  # the turn's line
    start: int  # content[start:end] == text
    end: int


@dataclass(frozen=True)
class Session:
    id: str
    conversation: str
    turns: tuple[Turn, ...]
    content: str


@dataclass(frozen=True)
class Question:
    id: str
    conversation: str
    text: str
    evidence: tuple[str, ...]  # turn ids
    kind: str
    wording: str


@dataclass(frozen=True)
class Corpus:
    seed: int
    sessions: tuple[Session, ...]
    questions: tuple[Question, ...]
    turn_format: str = "labelled"

    def turns(self) -> dict[str, tuple[Session, Turn]]:
        return {t.id: (s, t) for s in self.sessions for t in s.turns}


def line(timestamp: str, speaker: str, said: str, turn_format: str = "labelled") -> str:
    when = datetime.fromisoformat(timestamp)
    return TURN_FORMATS[turn_format].format(
        timestamp=timestamp, when=when, speaker=speaker, said=said
    )


def rendered(corpus: Corpus, turn_format: str) -> Corpus:
    """The same corpus with every turn written in `turn_format`, offsets moved with it."""
    sessions = []
    for session in corpus.sessions:
        turns, offset = [], 0
        for turn in session.turns:
            text = line(turn.timestamp, turn.speaker, turn.said, turn_format)
            turns.append(replace(turn, text=text, start=offset, end=offset + len(text)))
            offset += len(text) + 1  # the newline
        content = "\n".join(t.text for t in turns)
        sessions.append(replace(session, turns=tuple(turns), content=content))
    return replace(corpus, sessions=tuple(sessions), turn_format=turn_format)


def generate(seed: int = 20261130, conversations: int = CONVERSATIONS) -> Corpus:
    rng = random.Random(seed)
    sessions: list[Session] = []
    questions: list[Question] = []
    for c in range(conversations):
        conv_sessions, conv_questions = _conversation(rng, f"conv-{c:02d}")
        sessions.extend(conv_sessions)
        questions.extend(conv_questions)
    return Corpus(seed, tuple(sessions), tuple(questions))


def _conversation(rng: random.Random, cid: str) -> tuple[list[Session], list[Question]]:
    people = rng.sample(v.PEOPLE, rng.choice([3, 4]))
    ctx = facts.Context(rng, people, rng.sample(v.PROJECTS, 2))
    plans: list[facts.Plan] = []
    for person in people:
        for kind in facts.PERSONAL:
            if rng.random() < 0.8:
                plans.extend(kind(ctx, person))
    for name in ctx.projects:
        plans.extend(projects.project(ctx, name))
    count = rng.randint(*SESSIONS)
    planted: list[list[facts.Event]] = [[] for _ in range(count)]
    for plan in plans:
        for index, event in zip(
            _later_sessions(rng, count, len(plan.events)), plan.events, strict=True
        ):
            planted[index].append(event)
    day = datetime(2026, 1, 5) + timedelta(days=rng.randint(0, 60))
    sessions, turn_of_event = [], {}
    for index, events in enumerate(planted):
        day += timedelta(days=rng.randint(1, 6), hours=rng.randint(-3, 3))
        start = day.replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59))
        session, placed = _session(rng, f"{cid}/s{index:02d}", cid, people, events, start)
        sessions.append(session)
        turn_of_event.update(placed)
    questions = [
        Question(
            f"{cid}/q{n:03d}",
            cid,
            q.text,
            tuple(turn_of_event[k] for k in q.evidence),
            q.kind,
            q.wording,
        )
        for n, q in enumerate(q for plan in plans for q in plan.questions)
    ]
    return sessions, questions


def _later_sessions(rng: random.Random, count: int, events: int) -> list[int]:
    """Distinct sessions in increasing order, one per event of a chain."""
    return sorted(rng.sample(range(count), events))


def _session(
    rng: random.Random,
    sid: str,
    cid: str,
    people: list[str],
    events: list[facts.Event],
    start: datetime,
) -> tuple[Session, dict[str, str]]:
    """Small talk with the events (each maybe followed by a reaction) at random places."""
    rng.shuffle(events)
    lines: list[tuple[str, str, str | None]] = []  # speaker, said, event key
    for event in events:
        lines.append((event.speaker, event.said, event.key))
        if rng.random() < 0.5:
            lines.append(
                (rng.choice([p for p in people if p != event.speaker]), _reaction(rng), None)
            )
    target, chatter = rng.randint(*TURNS), rng.sample(v.SMALL_TALK, len(v.SMALL_TALK))
    while len(lines) < target:
        speaker = rng.choice(people)
        said = _fill(rng, chatter.pop(), speaker, people)  # no line twice in one session
        lines.insert(rng.randint(0, len(lines)), (speaker, said, None))
    turns, placed, offset, clock = [], {}, 0, start
    parts = []
    for n, (speaker, said, key) in enumerate(lines):
        clock += timedelta(seconds=rng.randint(15, 400))
        stamp = clock.isoformat(timespec="seconds") + "Z"
        text = line(stamp, speaker, said)
        turn = Turn(f"{sid}/t{n:02d}", speaker, stamp, said, text, offset, offset + len(text))
        turns.append(turn)
        parts.append(text)
        offset += len(text) + 1  # the newline
        if key is not None:
            placed[key] = turn.id
    return Session(sid, cid, tuple(turns), "\n".join(parts)), placed


def _reaction(rng: random.Random) -> str:
    return rng.choice(
        [
            "Oh nice, how are you finding it?",
            "Wait, really? Since when?",
            "Ooh, send pictures!",
            "That's a big decision.",
            "Makes sense to me.",
            "Hm, not sure about that one.",
            "Wow, good for you.",
            "Noted, thanks for the heads-up.",
        ]
    )


def _fill(rng: random.Random, template: str, speaker: str, people: list[str]) -> str:
    return template.format(
        other=rng.choice([p for p in people if p != speaker]),
        city=rng.choice(v.CITIES),
        animal=rng.choice(v.ANIMALS)[0],
        food=rng.choice(v.FOODS),
        show=rng.choice(v.SHOWS),
        sport=rng.choice(v.SPORTS),
        day=rng.choice(v.WEEKDAYS),
        drink=rng.choice(v.DRINKS),
        n=rng.randint(5, 60),
    )
