"""The built-in steps. Importing this package registers them by their recipe name (`Step.kind`)."""

from malgeum.steps.boilerplate import CutBoilerplate
from malgeum.steps.foreign import CutForeignBlocks
from malgeum.steps.length import DropShort
from malgeum.steps.mojibake import FixMojibake
from malgeum.steps.repeats import CutRepeats
from malgeum.steps.salad import CutWordSalad
from malgeum.steps.spam import CutSpam
from malgeum.steps.unicode_form import NormalizeUnicode
from malgeum.steps.whitespace import NormalizeWhitespace

__all__ = [
    "CutBoilerplate",
    "CutForeignBlocks",
    "CutRepeats",
    "CutSpam",
    "CutWordSalad",
    "DropShort",
    "FixMojibake",
    "NormalizeUnicode",
    "NormalizeWhitespace",
]
