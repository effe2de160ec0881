"""Characters that text holds and a reader never sees."""

from __future__ import annotations

# zero-width and invisible characters that split the words they sit in (`auto\xadnome`): a soft hyphen, zero-width
# space, word joiner, BOM, Mongolian vowel separator; not ZWJ and ZWNJ, which shape emoji and scripts such as Persian
INVISIBLE = "\u00ad\u200b\u2060\ufeff\u180e"
