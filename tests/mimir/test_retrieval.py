"""Retrieval quality on multi-session conversations: a question brings back its answer turn.

A small generated fixture: three conversations, each over two sessions with timestamps and
several topics, so the answer to each question sits in one turn among many unrelated ones.
"""

from __future__ import annotations

import asyncio
from typing import Any

API = "/api/v1"

CONVERSATIONS = [
    [
        ("2025-03-01 09:00", "Dana", "Morning! Did the nightly backups finish?"),
        ("2025-03-01 09:01", "Sam", "Yes, all green, though the archive job took four hours."),
        ("2025-03-01 09:03", "Dana", "We should schedule the PostgreSQL 16 upgrade soon."),
        ("2025-03-01 09:04", "Sam", "Let's do the database upgrade on Saturday March 15th at 6am."),
        ("2025-03-01 09:06", "Dana", "Fine. I will tell the support team about the downtime."),
        ("2025-03-08 14:00", "Sam", "Lunch plans? There's a new ramen place near the station."),
        ("2025-03-08 14:02", "Dana", "I'm vegetarian, so only if they have a miso option."),
        ("2025-03-08 14:05", "Sam", "They do, and the gyoza are supposedly excellent too."),
    ],
    [
        ("2025-04-02 18:00", "Alex", "My puppy keeps chewing the sofa cushions when I leave."),
        ("2025-04-02 18:02", "Trainer", "Give her a frozen stuffed toy before you go out."),
        ("2025-04-02 18:03", "Alex", "How long should I leave her alone at first?"),
        ("2025-04-02 18:05", "Trainer", "Start with ten minutes and add five minutes each day."),
        ("2025-04-09 18:00", "Alex", "Also, which food brand did you recommend last week?"),
        ("2025-04-09 18:01", "Trainer", "A salmon-based kibble, because of her sensitive stomach."),
    ],
    [
        ("2025-05-10 11:00", "Priya", "The quarterly budget review is due next Friday."),
        ("2025-05-10 11:02", "Lee", "Marketing overspent by twelve thousand euros on ads."),
        ("2025-05-10 11:03", "Priya", "Then we cut the conference travel budget to compensate."),
        ("2025-05-17 10:00", "Lee", "I booked my flight to Lisbon for the offsite in June."),
        ("2025-05-17 10:01", "Priya", "Remember the hotel is the one by the river, near Belem."),
    ],
]

FILLER = [
    "The weather was grey all week, with light rain every afternoon.",
    "Did you see the match last night? The second half was chaotic.",
    "I've been listening to a lot of old jazz records while working.",
    "My sister is moving to a new flat across town next month.",
    "The coffee machine on the third floor is broken again.",
    "I finally finished that long novel about the lighthouse keeper.",
    "Traffic on the ring road was terrible this morning.",
    "We're thinking of repainting the kitchen a pale green.",
    "The kids have a school play on Thursday evening.",
    "I started running again, just short loops around the park.",
    "Someone left a huge box of pastries in the break room.",
    "The new laptop battery lasts much longer than the old one.",
]


def with_filler(turns: list[tuple[str, str, str]], per_turn: int) -> list[tuple[str, str, str]]:
    """The conversation with small talk after each exchange (two turns), so answers are
    spread over many chunks while each question stays next to its reply."""
    padded = []
    for index, (ts, speaker, text) in enumerate(turns):
        padded.append((ts, speaker, text))
        for k in range(per_turn if index % 2 else 0):
            filler = FILLER[(index * per_turn + k) % len(FILLER)]
            padded.append((ts, "Sam" if k % 2 else "Dana", filler))
    return padded


QUESTIONS = [
    ("When is the database going to be upgraded?", "Saturday March 15th at 6am"),
    ("Which restaurant did they talk about for lunch?", "new ramen place"),
    ("What should I do so my dog stops destroying furniture?", "frozen stuffed toy"),
    ("What dog food was suggested?", "salmon-based kibble"),
    ("How much did marketing go over budget?", "twelve thousand euros"),
    ("Where is the offsite happening?", "flight to Lisbon"),
]


async def test_questions_bring_back_the_turns_that_answer_them(api: Any, unique: str) -> None:
    ids = []
    for turns in CONVERSATIONS:
        turns = with_filler(turns, 8)
        content = "\n".join(f"[{ts}] {speaker}: {text}" for ts, speaker, text in turns)
        artifact = await api.artifact(content, artifact_type="conversation", source=unique)
        ids.append(artifact["id"])
    for artifact_id in ids:
        for _ in range(200):
            if (await api.ok(f"/artifacts/{artifact_id}"))["indexing_status"] == "indexed":
                break
            await asyncio.sleep(0.1)

    found = 0
    for question, answer in QUESTIONS:
        response = await api.client.post(
            f"{API}/search/hybrid",
            json={"query": question, "limit": 3, "filters": {"source": [unique]}},
        )
        assert response.status_code == 200, response.text
        hits = response.json()["hits"]
        if any(answer in hit["text"] for hit in hits):
            found += 1
    chunks = await api.ok("/spans", artifact_id=ids[0], span_type="chunk")
    assert len(chunks["items"]) >= 3, "each conversation spans several chunks"
    assert found == len(QUESTIONS)
