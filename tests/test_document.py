from __future__ import annotations

import orjson
import pytest

from malgeum import Cut, Document, restore, trace


def test_apply_cuts_records_offsets_of_the_text_the_step_saw():
    doc = Document("d", "abc DEF ghi")
    removed = doc.apply_cuts("s", [Cut(4, 8, "r.x", "why")])
    assert removed == 4
    assert doc.text == "abc ghi"
    assert [(e.step, e.rule, e.start, e.end, e.removed, e.reason) for e in doc.edits] == [
        ("s", "r.x", 4, 8, "DEF ", "why")
    ]


def test_overlapping_cuts_are_refused():
    doc = Document("d", "abcdef")
    with pytest.raises(ValueError, match="overlapping"):
        doc.apply_cuts("s", [Cut(0, 3, "a", ""), Cut(2, 4, "b", "")])


def test_a_step_cannot_cut_twice_in_a_row():
    doc = Document("d", "abcdef")
    doc.apply_cuts("s", [Cut(0, 1, "a", "")])
    with pytest.raises(RuntimeError, match="twice"):
        doc.apply_cuts("s", [Cut(0, 1, "a", "")])


def test_restore_replays_replacements_and_removals_over_several_steps():
    doc = Document("d", "가  나\n다라 마\n바")
    doc.apply_cuts("ws", [Cut(1, 3, "space", "", " ")])  # "가 나\n다라 마\n바"
    doc.apply_cuts("cut", [Cut(4, 9, "line", "")])  # "가 나\n바"
    doc.apply_cuts("rep", [Cut(0, 1, "x", "", "GA")])  # "GA 나\n바"
    assert doc.text == "GA 나\n바"
    record = orjson.loads(orjson.dumps(doc.to_record()))
    assert restore(record) == "가  나\n다라 마\n바"


def test_trace_shows_each_removed_piece_with_its_edit():
    doc = Document("d", "keep JUNK keep2 MORE")
    doc.apply_cuts("a", [Cut(5, 10, "junk", "")])
    doc.apply_cuts("b", [Cut(10, 15, "more", "")])
    spans = trace(doc.text, doc.edits)
    assert [(s.text, s.edit.rule if s.edit else None) for s in spans] == [
        ("keep ", None),
        ("JUNK ", "junk"),
        ("keep2", None),
        (" MORE", "more"),
    ]


def test_record_round_trip_keeps_meta_scores_and_drop_reason():
    doc = Document("d", "text", meta={"url": "u"}, scores={"x": 1})
    doc.drop("min_length", "length.too_short", "4 characters left")
    back = Document.from_record(orjson.loads(orjson.dumps(doc.to_record())))
    assert back.meta == {"url": "u"}
    assert back.scores == {"x": 1}
    assert back.dropped == ("min_length", "length.too_short", "4 characters left")
