"""Split a version's content into `chunk` spans along its own structure.

Conversations are cut at turn boundaries (a line starting `Speaker:`, optionally after a
`[timestamp]` or a chat export's `date, time - `), one or a few whole turns per chunk, so a
hit quotes who said it; in a conversation with no such label (an IRC log, a plain
transcript), or with a lone one that heads it, each line is a turn, as chat logs write one
message a line. Documents and notes are cut at blank lines and Markdown headings, packed up
to `max_chars`, and each chunk repeats the tail block of the previous one (up to
`overlap_chars`) for context.
Offsets are character offsets into the content, so `content[start:end]` is the chunk.

Each chunk also lists its passages: the smallest units a search quotes and embeds — one turn
(or one part of a long turn) of a conversation, one block of a document. A one-word reply
("Same.", "Lol.", its label or a log line's `[time] <nick>` aside) joins the passage of the
turn before it: alone, its vector is mostly the speaker's name, and it outranks what it
answers for any question naming that speaker. A search ranks chunks, then picks the
passages inside them that answer the query.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


def _combining_marks() -> str:
    """The combining marks of the Basic Multilingual Plane as ranges of a character class:
    `\\w` takes none, yet a name typed decomposed (`Zoe` and U+0301) or in a script whose
    vowel signs are marks (Devanagari, Thai) holds them."""
    ranges: list[str] = []
    start = None
    for code in range(0x300, 0x10001):
        is_mark = code < 0x10000 and unicodedata.category(chr(code)).startswith("M")
        if is_mark and start is None:
            start = code
        elif not is_mark and start is not None:
            ranges.append(f"\\u{start:04x}-\\u{code - 1:04x}")
            start = None
    return "".join(ranges)


TURN = re.compile(
    r"""^\ufeff?  # a byte order mark may open the text
        (?:\[(?P<ts>[^\]\n]{1,40})\]\s*  # [any timestamp]
         |(?P<dated>\d{1,4}[./-]\d{1,2}[./-]\d{1,4},?\ \d{1,2}:\d{2}(?::\d{2})?
           (?:\ ?[AaPp]\.?[Mm]\.?)?)\ [-\u2013]\ )?  # or a chat export's "3/2/26, 2:38 PM - "
        (?P<speaker>[^\W\d_][\w"""
    + _combining_marks()
    + r"""\ .'@-]{0,39}):[\ \t]  # a name in any alphabet, then a colon""",
    re.MULTILINE | re.VERBOSE,
)
LINE = re.compile(r"^[^\n]*\S[^\n]*$", re.MULTILINE)  # a line that is not blank
BLOCK_BREAK = re.compile(r"\n(?:[ \t\r]*\n)+")  # a blank line, also between CRLF line ends
HEADING = re.compile(r"^#{1,6} ")
LINE_LABEL = re.compile(r"(?:\[[^\]\n]{1,40}\][ \t]*)?(?:<[^>\n]{1,40}>[ \t]*)?")  # [ts] <nick>
# At most one word: a reply this short is quoted only together with the turn it answers.
SHORT_REPLY = re.compile(r"\W*(?:\w+\W*)?")
# A turn: start and end offsets, speaker and timestamp when its label names them.
Turn = tuple[int, int, str | None, str | None]


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
        labels = list(TURN.finditer(content))
        if _speaks(content, labels):
            return _conversation(content, _labelled_turns(content, labels), max_chars)
        return _conversation(content, _line_turns(content), max_chars)
    return _document(content, max_chars, overlap_chars)


def _speaks(content: str, labels: list[re.Match[str]]) -> bool:
    """Whether the labels are the speakers of a chat rather than a header: a header's labels
    (`Date: ...`) all come before the lines of another format, and are fewer than them; a
    chat's also follow a message's continuation lines, or label most lines."""
    if not labels:
        return False
    starts = {match.start() for match in labels}
    others = [line.start() for line in LINE.finditer(content) if line.start() not in starts]
    return not others or labels[-1].start() > others[0] or len(labels) >= len(others)


def _labelled_turns(content: str, labels: list[re.Match[str]]) -> list[Turn]:
    """From each label to the next; text before the first label is a turn of no speaker."""
    bounds = [m.start() for m in labels] + [len(content)]
    turns: list[Turn] = [(0, bounds[0], None, None)] if content[: bounds[0]].strip() else []
    for index, match in enumerate(labels):
        timestamp = match["ts"] or match["dated"]
        turns.append((bounds[index], bounds[index + 1], match["speaker"], timestamp))
    return turns


def _line_turns(content: str) -> list[Turn]:
    return [(m.start(), m.end(), None, None) for m in LINE.finditer(content)]


def _trimmed(content: str, start: int, end: int) -> tuple[int, int]:
    while start < end and content[start].isspace():
        start += 1
    while end > start and content[end - 1].isspace():
        end -= 1
    return start, end


def _conversation(content: str, turns: list[Turn], max_chars: int) -> list[Chunk]:
    chunks: list[Chunk] = []
    group: list[Turn] = []

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
            chunks.append(Chunk(start, end, meta, _turn_passages(content, group)))
        group.clear()

    for turn in turns:
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


def _turn_passages(content: str, group: list[Turn]) -> tuple[Passage, ...]:
    """A passage per turn, but a short reply extends the passage before it."""
    found: list[Passage] = []
    for start, end, speaker, timestamp in group:
        start, end = _trimmed(content, start, end)
        if start >= end:
            continue
        if found and _is_short_reply(content, start, end, speaker):
            before = found.pop()
            turns = before.metadata.get("turns", 1) + 1
            found.append(Passage(before.start, end, {**before.metadata, "turns": turns}))
        else:
            found.append(Passage(start, end, _turn_metadata(speaker, timestamp)))
    return tuple(found)


def _is_short_reply(content: str, start: int, end: int, speaker: str | None) -> bool:
    label = (TURN if speaker else LINE_LABEL).match(content, start)
    return SHORT_REPLY.fullmatch(content, label.end() if label else start, end) is not None


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
