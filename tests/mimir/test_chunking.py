"""Chunking along the content's own structure, with exact offsets."""

from __future__ import annotations

from mimir.chunking import chunk


def test_conversation_chunks_keep_whole_turns_and_speakers() -> None:
    turns = [
        f"[2025-01-0{i} 10:00] {'Dana' if i % 2 else 'Sam'}: " + "word " * 40 for i in range(1, 9)
    ]
    content = "\n".join(turns)
    chunks = chunk("conversation", content, max_chars=500, overlap_chars=100)
    assert len(chunks) > 1
    for piece in chunks:
        text = content[piece.start : piece.end]
        assert text.startswith("[2025-01-0")
        assert piece.end - piece.start <= 500
        assert piece.metadata["speakers"]
        assert len(piece.metadata["timestamps"]) == piece.metadata["turns"]
    assert sum(piece.metadata["turns"] for piece in chunks) == len(turns)


def test_a_long_turn_is_split_at_sentence_ends() -> None:
    content = "User: " + "This is one sentence. " * 100
    chunks = chunk("conversation", content, max_chars=300, overlap_chars=0)
    assert len(chunks) > 3
    assert all(content[c.start : c.end].endswith(".") for c in chunks)
    assert all(c.metadata["part"] for c in chunks)


def test_documents_split_at_headings_with_overlap() -> None:
    content = (
        "# Intro\n\nShort opening.\n\nSecond paragraph of the intro.\n\n"
        "## Details\n\nThe details paragraph.\n\nAnother detail."
    )
    chunks = chunk("document", content, max_chars=50, overlap_chars=40)
    texts = [content[c.start : c.end] for c in chunks]
    assert texts[0].startswith("# Intro")
    assert any(t.startswith("## Details") for t in texts)
    assert {c.metadata.get("heading") for c in chunks} == {"Intro", "Details"}
    first_intro, second_intro = chunks[0], chunks[1]
    assert second_intro.start < first_intro.end, "the second chunk repeats the last block"


def test_a_document_with_crlf_line_ends_has_the_blocks_and_sections_of_its_lf_twin() -> None:
    lf = "# Setup\n\nInstall it first.\n\n## Usage\n\nRun it daily.\n \n\nCheck the logs."
    crlf = lf.replace("\n", "\r\n")

    def shape(content: str) -> list[tuple[object, list[str]]]:
        chunks = chunk("document", content, max_chars=1200, overlap_chars=0)
        return [
            (c.metadata.get("heading"), [content[p.start : p.end] for p in c.passages])
            for c in chunks
        ]

    assert (
        shape(crlf)
        == shape(lf)
        == [
            ("Setup", ["# Setup", "Install it first."]),
            ("Usage", ["## Usage", "Run it daily.", "Check the logs."]),
        ]
    )


def test_a_conversation_without_speaker_labels_has_a_turn_per_line() -> None:
    nick = ["<dana>", "<sam>"]
    lines = [f"[10:0{i}] {nick[i % 2]} message number {i} " + "x" * 60 for i in range(9)]
    content = "\n".join(lines[:4]) + "\n\n  \n" + "\n".join(lines[4:]) + "\n"
    chunks = chunk("conversation", content, max_chars=250, overlap_chars=0)
    quoted = [content[p.start : p.end] for c in chunks for p in c.passages]
    assert quoted == lines, "one passage per line, blank lines left out"
    assert all(c.end - c.start <= 250 for c in chunks)
    assert sum(c.metadata["turns"] for c in chunks) == len(lines)
    assert all(c.metadata["speakers"] == [] for c in chunks)


def test_a_chat_exports_dated_lines_are_labelled_turns() -> None:
    content = (
        "03/02/2026, 14:38 - Maya: we signed the lease\n"
        "the boxes are everywhere\n"
        "3/2/26, 2:41 PM - Jonas Berg: congrats to you both!\n"
        "03.02.26, 14:45 \u2013 Jürgen: moin zusammen"
    )
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    passages = chunks[0].passages
    assert [p.metadata for p in passages] == [
        {"speaker": "Maya", "timestamp": "03/02/2026, 14:38"},
        {"speaker": "Jonas Berg", "timestamp": "3/2/26, 2:41 PM"},
        {"speaker": "Jürgen", "timestamp": "03.02.26, 14:45"},
    ]
    assert content[passages[0].start : passages[0].end].endswith("the boxes are everywhere")


def test_a_lone_label_over_lines_of_another_format_is_a_header() -> None:
    content = "Date: 8 May 2023\n<ann> we moved to Porto\n<bob> which part?\n<ann> near the sea"
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    assert [content[p.start : p.end] for p in chunks[0].passages] == content.split("\n")
    transcript = "User: how do I retry?\nwith backoff?\nAssistant: like this:\n  retry()\n  log()"
    chunks = chunk("conversation", transcript, max_chars=1000, overlap_chars=0)
    assert [p.metadata["speaker"] for p in chunks[0].passages] == ["User", "Assistant"]
    chunks = chunk(
        "conversation", "Dana: hi there\nSam: hello Dana", max_chars=1000, overlap_chars=0
    )
    assert [p.metadata["speaker"] for p in chunks[0].passages] == ["Dana", "Sam"]


def test_a_speaker_may_be_named_in_any_alphabet() -> None:
    content = "Émile: bonjour à tous\nЮля: привет всем\n3D: not a speaker, a continuation"
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    assert chunks[0].metadata["speakers"] == ["Émile", "Юля"]
    assert [p.metadata["speaker"] for p in chunks[0].passages] == ["Émile", "Юля"]
    assert content[chunks[0].passages[1].start :].startswith("Юля: привет всем\n3D:")


def test_a_name_may_hold_combining_marks_and_the_text_a_byte_order_mark() -> None:
    content = "\ufeffMaya: hello there\nZoe\u0301: the accent typed apart\nराम: नमस्ते सब लोग"
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    assert [p.metadata["speaker"] for p in chunks[0].passages] == ["Maya", "Zoe\u0301", "राम"]


def test_a_one_word_reply_is_quoted_with_the_turn_it_answers() -> None:
    content = (
        "Marcus: my birthday is on the ninth of May\n"
        "Lena: Same.\n"
        "Jonas: Lol!\n"
        "Lena: no, really, mine is in May too\n"
        "Marcus: Nice"
    )
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    quoted = [content[p.start : p.end] for p in chunks[0].passages]
    lines = content.split("\n")
    assert quoted == ["\n".join(lines[:3]), "\n".join(lines[3:])]
    assert [p.metadata for p in chunks[0].passages] == [
        {"speaker": "Marcus", "turns": 3},
        {"speaker": "Lena", "turns": 2},
    ]
    assert chunks[0].metadata["turns"] == 5, "the chunk still counts every turn"


def test_a_one_word_line_of_a_log_is_quoted_with_the_line_before_it() -> None:
    """Without labels each line is a turn; its `[time]` and `<nick>` are not its words."""
    content = (
        "[09:00] <marcus> my birthday is in May\n[09:01] <lena> same!\n[09:02] <jonas> how old?"
    )
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    lines = content.split("\n")
    assert [content[p.start : p.end] for p in chunks[0].passages] == [
        "\n".join(lines[:2]),
        lines[2],
    ]
    assert [p.metadata for p in chunks[0].passages] == [{"turns": 2}, {}]


def test_a_one_word_reply_that_opens_a_chunk_stands_alone() -> None:
    content = "Lena: Same.\nMarcus: " + "word " * 30
    chunks = chunk("conversation", content, max_chars=1000, overlap_chars=0)
    assert [p.metadata["speaker"] for p in chunks[0].passages] == ["Lena", "Marcus"]
    content = "Marcus: " + "word " * 30 + "\nLena: Same."
    chunks = chunk("conversation", content, max_chars=160, overlap_chars=0)
    assert [[p.metadata["speaker"] for p in c.passages] for c in chunks] == [["Marcus"], ["Lena"]]
