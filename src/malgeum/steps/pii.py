"""Personal data: e-mails, phone numbers, resident registration numbers, cards, bank accounts, IP addresses."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from functools import cache

from malgeum import langpacks
from malgeum.document import Cut, Document
from malgeum.scripts import LineScripts
from malgeum.step import Step

KINDS = ("email", "phone", "rrn", "card", "account", "ip")
PLACEHOLDERS = {k: f"<{k.upper()}>" for k in KINDS}
REASONS = {
    "email": "e-mail address",
    "phone": "phone number",
    "rrn": "resident registration number",
    "card": "payment card number (Luhn valid)",
    "account": "bank account number next to a bank name",
    "ip": "IP address",
}

_NB = r"(?<![0-9A-Za-z])"  # not glued to a number or Latin word; Hangul may touch (010-1234-5678로)
_NA = r"(?![0-9A-Za-z])"
_KR_PREFIX = r"(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|50[2-8])"
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_EMAIL = (  # the look behind follows the first character, so that Python's re can skip to one in C
    r"[A-Za-z0-9](?<![\w.%+-][A-Za-z0-9])[A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}" + _NA
)
# birth date, separator (or none), a sex digit 1-8, six digits or a mask
_RRN = (
    r"(?<![0-9-])\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[ ]?[-–][ ]?|[ ])?"
    r"[1-8](?:\d{6}|\d?[*xX]{5,6})" + _NA + r"(?!-\d)"
)
_CARD = (
    r"(?<![0-9-])(?:\d{4}(?P<s>[- ])\d{4}(?P=s)\d{4}(?P=s)\d{4}(?:(?P=s)\d{1,3})?"
    r"|3[47]\d\d(?P<a>[- ])\d{6}(?P=a)\d{5}|\d{13,19})" + _NA + r"(?![-.]\d)"
)
_PHONE = (
    r"(?<![0-9-])(?:"
    rf"(?:(?:\+82[-. ]?(?:\(0\)[-. ]?)?|0){_KR_PREFIX}\)?|\(0{_KR_PREFIX}\))[-. ]?\d{{3,4}}[-. ]?\d{{4}}"  # Korean
    r"|1[5-9]\d\d-\d{4}"  # 1588-0000 (checked for context)
    r"|\+[1-9]\d{0,2}[-. ]?(?:\(\d{1,4}\)[-. ]?)?\d{1,4}(?:[-. ]\d{2,5}){1,4}"  # international
    r"|\(\d{3}\)[ ]?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}"  # North American
    r")" + _NA + r"(?![-.]\d)"
)
_IPV4 = rf"(?<![0-9.]){_OCTET}(?:\.{_OCTET}){{3}}(?![0-9]|\.\d)"
_IPV6 = r"(?<![0-9A-Za-z:.])(?=[0-9A-Fa-f:.]*::|(?:[0-9A-Fa-f]{1,4}:){7})[0-9A-Fa-f:.]{3,45}(?![0-9A-Za-z:])"
# Numbers in one pass; the lookahead lets the scan skip every position that cannot start one. E-mails and
# IPv6 addresses are searched only in texts with an "@" or a "::" (their patterns are costly to try everywhere).
_NUMBERS = re.compile(rf"(?=[\d+(])(?:(?P<rrn>{_RRN})|(?P<card>{_CARD})|(?P<phone>{_PHONE})|(?P<ipv4>{_IPV4}))")
_EMAILS = re.compile(f"(?P<email>{_EMAIL})")
_IPV6S = re.compile(f"(?P<ipv6>{_IPV6})")
_DIGITS = re.compile(r"\d")
# a group of 2-6 digits and 1-4 more, or 10-14 digits in one, not glued to other digits or a dash; it starts
# with its first digit and looks behind that (`(?<![0-9-]\d)`), so Python's re skips non-digits in C (4x faster)
_ACCOUNT = re.compile(r"\d(?<![0-9-]\d)(?:\d{1,5}(?:[- ]\d{2,7}){1,4}(?![0-9]|-\d)|\d{9,13}(?![0-9]))")


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _valid_birth(s: str) -> bool:
    yy, mm, dd = int(s[0:2]), int(s[2:4]), int(s[4:6])
    try:  # 2000 is a leap year: every YY has a century in which YYMMDD is a real date if any is
        date(2000 + yy if yy != 0 else 2000, mm, dd)
    except ValueError:
        try:
            date(1900 + yy, mm, dd)
        except ValueError:
            return False
    return True


@cache
def _word_packs(packs: str | None) -> tuple[tuple[str, str | None], ...]:
    """(language, script) of every pack with PII words (once per langpacks.setting())."""
    return tuple((lang, langpacks.script(lang)) for lang in langpacks.available("pii"))


@cache
def _words(kind: str, lang: str, packs: str | None) -> re.Pattern[str] | None:
    words = sorted(set(langpacks.load(lang, "pii").get(kind, [])))
    if not words:
        return None
    # Latin words must stand alone ("v" is a version mark, not the v of "server")
    alts = (rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])" if w.isascii() else re.escape(w) for w in words)
    return re.compile("|".join(sorted(alts, key=len, reverse=True)), re.IGNORECASE)


# words that spare a number (it is an ID, a version): a pack's count only where its script is, so that an English
# `model` or `v` in a Korean sentence does not spare a phone number; the words that make a number someone's (a
# bank, a card, a phone) count in any script, as a missed redaction costs more than a wrong placeholder
_SPARING = frozenset({"id_words", "version_words"})


class _Words:
    """The packs' words around a number in one text, the sparing ones counted only on text of their pack's script
    (`malgeum.scripts`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._scripts: LineScripts | None = None
        self._packs = langpacks.setting()

    def near(self, kind: str, start: int, end: int, before: int = 24, after: int = 0) -> bool:
        text = self.text
        lo, hi = max(0, start - before), min(len(text), end + after)
        for lang, script in _word_packs(self._packs):
            rx = _words(kind, lang, self._packs)
            m = rx.search(text, lo, hi) if rx is not None else None
            if m is not None:
                if kind not in _SPARING:
                    return True
                if self._scripts is None:
                    self._scripts = LineScripts(text)
                if self._scripts.fits(m.start(), script):
                    return True
        return False


def non_overlapping_spans(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The passes above may find one span twice over (an e-mail with digits in it): the first one wins."""
    out: list[tuple[int, int, str]] = []
    for sp in spans:
        if not out or sp[0] >= out[-1][1]:
            out.append(sp)
    return out


def _public_phone(value: str, text: str, s: int, words: _Words) -> bool:
    """A Korean number that reaches an institution or a business, not a person: a landline with its area code,
    an internet (070) or a safe number (050x), a toll-free (080) or a nationwide one (1588-...), unless the words
    before it make it someone's (`자택`, `휴대폰`, `홍길동 씨 (02-...)`). Mobile numbers and numbers outside the
    Korean plan (whose mobiles this step cannot tell from landlines) are never public."""
    digits = "".join(_DIGITS.findall(value))
    if digits.startswith("82"):
        digits = "0" + digits[2:].removeprefix("0")
    elif not digits.startswith(("0", "1")) or value.lstrip("(").startswith("+"):
        return False
    if digits.startswith("01") or (digits.startswith("1") and len(digits) != 8):
        return False  # a mobile (010-...), or not a nationwide 15xx-xxxx number
    if words.near("personal_phone_words", s, s, 16):
        return False
    return _PERSON_BEFORE.search(text, max(0, s - 24), s) is None


# a person named right before the number, or their number named so (`홍길동 씨(02-…)`, `홍길동 씨의 연락처는 02-…`)
_PERSON_BEFORE = re.compile(
    r"(?:[가-힣]{2,4}|[A-Z][a-z]{1,15}) ?(?:씨|님)(?:의|은|는|께서)?"
    r"(?: ?(?:연락처|전화번호|전화|번호)(?:는|은|가|:)?)?[ \t(:：,]{0,3}$"
)


def _public_ip(value: str) -> bool:
    """A publicly routable address. Private, loopback, link-local, documentation, broadcast, multicast and
    unspecified addresses name no one (`192.168.0.1` in a how-to, `255.255.255.255` in a story about IPv4)."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return False
    return ip.is_global and not ip.is_multicast


class RedactPII(Step):
    """Replaces personal data with typed placeholders (`<EMAIL>`, `<PHONE>`, `<RRN>`, `<CARD>`, `<ACCOUNT>`,
    `<IP>`), one recorded edit each. Phone numbers: Korean mobile and landline (with or without separators,
    +82) and international; RRNs in every written form, masked ones too, by their date (numbers issued since
    October 2020 have no checksum); cards by the Luhn check (unseparated ones only next to a card word);
    account numbers only next to a bank name; IP addresses that are publicly routable (private, loopback,
    broadcast and other reserved addresses name no one). `mode: tag` records the spans in the scores without
    changing the text.

    `public_phones`: `keep` (the default) leaves the numbers that reach an institution or a business (a Korean
    landline with its area code, 070/050x/080, 1588-style numbers: a funeral hall in an obituary, a shop in an
    advert, a ministry's press line) unless the words before them make them a person's (`자택`, `휴대폰`, a name
    with 씨/님); `replace` replaces them too (1588-style ones when a phone word is near)."""

    kind = "pii"

    def __init__(
        self,
        mode: str = "replace",
        kinds: list[str] | None = None,
        public_phones: str = "keep",
        name: str | None = None,
    ) -> None:
        super().__init__(name)
        if mode not in ("replace", "tag"):
            raise ValueError(f"mode must be 'replace' or 'tag', not {mode!r}")
        if public_phones not in ("keep", "replace"):
            raise ValueError(f"public_phones must be 'keep' or 'replace', not {public_phones!r}")
        unknown = sorted(set(kinds or ()) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown PII kind(s) {unknown}; known: {list(KINDS)}")
        self.mode = mode
        self.kinds = set(kinds or KINDS)
        self.keep_public_phones = public_phones == "keep"

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of every piece of personal data, in order, not overlapping."""
        if not _DIGITS.search(text) and "@" not in text:
            return []
        found: list[tuple[int, int, str]] = []
        words = _Words(text)
        matches = list(_NUMBERS.finditer(text))
        if "@" in text:
            matches += _EMAILS.finditer(text)
        if "::" in text or text.count(":") >= 7:
            matches += _IPV6S.finditer(text)
        for m in matches:
            kind = m.lastgroup  # the outer group closes last
            s, e = m.span()
            value = m.group()
            if kind in ("card", "phone", "rrn") and words.near("id_words", s, e, 12):
                continue  # 주문번호 / order no. / 사업자등록번호: an ID that only looks personal
            if kind == "rrn" and not _valid_birth(value[:6]):
                continue
            if kind == "card":
                digits = re.sub(r"\D", "", value)
                if not luhn(digits) or (len(digits) == len(value) and not words.near("card_words", s, e, 16, 8)):
                    # an unseparated long number is an ID far more often than a card; it may be an account
                    if "account" in self.kinds and words.near("banks", s, e, 30):
                        found.append((s, e, "account"))
                    continue
            if kind == "phone" and self.keep_public_phones and _public_phone(value, text, s, words):
                continue
            if kind == "phone" and value[0] == "1" and not words.near("phone_words", s, e, 10):
                continue  # 1588-1234 style numbers look like ranges (1500-2000) unless called a number
            if kind in ("ipv4", "ipv6"):
                if words.near("version_words", s, e, 12) or not _public_ip(value):
                    continue
                kind = "ip"
            if kind == "phone" and not 8 <= len(_DIGITS.findall(value)) <= 15:
                continue
            found.append((s, e, kind))
        if "account" in self.kinds:  # number first, bank name near it second: few numbers look like accounts
            taken = [(s, e) for s, e, _ in found]
            for m in _ACCOUNT.finditer(text):
                s, e = m.span()
                n = len(_DIGITS.findall(m.group()))
                if (
                    10 <= n <= 16
                    and words.near("banks", s, e, 30, 10)
                    and not words.near("id_words", s, e, 12)
                    and not any(a < e and s < b for a, b in taken)
                ):
                    found.append((s, e, "account"))
        return non_overlapping_spans(sorted(f for f in found if f[2] in self.kinds))

    def apply(self, doc: Document) -> None:
        found = self.find(doc.text)
        if not found:
            return
        if self.mode == "tag":
            doc.scores[self.name] = [[s, e, k] for s, e, k in found]
            return
        counts: dict[str, int] = {}
        for _, _, k in found:
            counts[k] = counts.get(k, 0) + 1
        doc.scores[self.name] = counts
        doc.apply_cuts(self.name, [Cut(s, e, f"pii.{k}", REASONS[k], PLACEHOLDERS[k]) for s, e, k in found])
