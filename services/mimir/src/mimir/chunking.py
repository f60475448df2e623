"""Split a version's content into `chunk` spans along its own structure.

Conversations are cut at turn boundaries (a line starting `Speaker:`, optionally after a
`[timestamp]`), one or a few whole turns per chunk, so a hit quotes who said it. Documents
and notes are cut at blank lines and Markdown headings, packed up to `max_chars`, and each
chunk repeats the tail block of the previous one (up to `overlap_chars`) for context.
Offsets are character offsets into the content, so `content[start:end]` is the chunk.

Each chunk also lists its passages: the smallest units a search quotes and embeds — one turn
(or one part of a long turn) of a conversation, one block of a document. A search ranks
chunks, then picks the passages inside them that answer the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TURN = re.compile(
    r"^(?:\[(?P<ts>[^\]\n]{1,40})\]\s*)?(?P<speaker>[A-Za-z][\w .'@-]{0,39}):[ \t]", re.MULTILINE
)
BLOCK_BREAK = re.compile(r"\n[ \t]*\n+")
HEADING = re.compile(r"^#{1,6} ")


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    metadata: dict[str, Any] = field(default_factory=dict)
    passages: tuple[Passage, ...] = ()


def passages(chunks: list[Chunk]) -> list[Passage]:
    """Every passage of the chunks once, in order (overlapping chunks share passages)."""
    seen: dict[tuple[int, int], Passage] = {}
    for piece in chunks:
        for passage in piece.passages:
            seen.setdefault((passage.start, passage.end), passage)
    return sorted(seen.values(), key=lambda p: (p.start, p.end))


def chunk(artifact_type: str, content: str, max_chars: int, overlap_chars: int) -> list[Chunk]:
    if artifact_type == "conversation":
        turns = list(TURN.finditer(content))
        if turns:
            return _conversation(content, turns, max_chars)
    return _document(content, max_chars, overlap_chars)


def _trimmed(content: str, start: int, end: int) -> tuple[int, int]:
    while start < end and content[start].isspace():
        start += 1
    while end > start and content[end - 1].isspace():
        end -= 1
    return start, end


def _conversation(content: str, turns: list[re.Match[str]], max_chars: int) -> list[Chunk]:
    bounds = [m.start() for m in turns] + [len(content)]
    if content[: bounds[0]].strip():
        turns_meta: list[tuple[int, int, str | None, str | None]] = [(0, bounds[0], None, None)]
    else:
        turns_meta = []
    for index, match in enumerate(turns):
        turns_meta.append((bounds[index], bounds[index + 1], match["speaker"], match["ts"]))
    chunks: list[Chunk] = []
    group: list[tuple[int, int, str | None, str | None]] = []

    def flush() -> None:
        if not group:
            return
        start, end = _trimmed(content, group[0][0], group[-1][1])
        if start < end:
            speakers = sorted({s for _, _, s, _ in group if s})
            times = [t for _, _, _, t in group if t]
            meta: dict[str, Any] = {"speakers": speakers, "turns": len(group)}
            if times:
                meta["timestamps"] = times
            turns_in = tuple(_turn_passage(content, *turn) for turn in group)
            chunks.append(Chunk(start, end, meta, tuple(p for p in turns_in if p)))
        group.clear()

    for turn in turns_meta:
        if group and turn[1] - group[0][0] > max_chars:
            flush()
        if turn[1] - turn[0] > max_chars:
            flush()
            for piece in _document(content[turn[0] : turn[1]], max_chars, 0):
                start, end = turn[0] + piece.start, turn[0] + piece.end
                meta = {"speakers": [turn[2]] if turn[2] else [], "turns": 1, "part": True}
                part = Passage(start, end, _turn_metadata(turn[2], turn[3]))
                chunks.append(Chunk(start, end, meta, (part,)))
            continue
        group.append(turn)
    flush()
    return chunks


def _turn_metadata(speaker: str | None, timestamp: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"speaker": speaker} if speaker else {}
    if timestamp:
        meta["timestamp"] = timestamp
    return meta


def _turn_passage(
    content: str, start: int, end: int, speaker: str | None, timestamp: str | None
) -> Passage | None:
    start, end = _trimmed(content, start, end)
    return Passage(start, end, _turn_metadata(speaker, timestamp)) if start < end else None


def _blocks(content: str) -> list[tuple[int, int]]:
    blocks, position = [], 0
    for match in BLOCK_BREAK.finditer(content):
        blocks.append((position, match.start()))
        position = match.end()
    blocks.append((position, len(content)))
    trimmed = [_trimmed(content, s, e) for s, e in blocks]
    return [(s, e) for s, e in trimmed if s < e]


def _split_long(content: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long block at sentence or word ends, never inside a word if avoidable."""
    pieces = []
    while end - start > max_chars:
        window = content[start : start + max_chars]
        cut = max(window.rfind(". "), window.rfind("\n"), window.rfind("? "), window.rfind("! "))
        if cut < max_chars // 3:
            cut = window.rfind(" ")
        cut = cut + 1 if cut > 0 else max_chars
        s, e = _trimmed(content, start, start + cut)
        if s < e:
            pieces.append((s, e))
        start = start + cut
    s, e = _trimmed(content, start, end)
    if s < e:
        pieces.append((s, e))
    return pieces


def _document(content: str, max_chars: int, overlap_chars: int) -> list[Chunk]:
    blocks: list[tuple[int, int]] = []
    for start, end in _blocks(content):
        blocks.extend(_split_long(content, start, end, max_chars))
    chunks: list[Chunk] = []
    group: list[tuple[int, int]] = []
    heading: str | None = None

    def flush() -> None:
        if group:
            meta = {"heading": heading} if heading else {}
            blocks_in = tuple(Passage(s, e, dict(meta)) for s, e in group)
            chunks.append(Chunk(group[0][0], group[-1][1], meta, blocks_in))

    for block in blocks:
        text = content[block[0] : block[1]]
        starts_section = bool(HEADING.match(text))
        too_long = bool(group) and block[1] - group[0][0] > max_chars
        if group and (starts_section or too_long):
            flush()
            tail = group[-1]
            fits = tail[1] - tail[0] <= overlap_chars and block[1] - tail[0] <= max_chars
            group = [tail] if fits and not starts_section else []
        if starts_section:
            heading = text.splitlines()[0].lstrip("#").strip()
        group.append(block)
    flush()
    return chunks
