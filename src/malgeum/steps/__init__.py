"""The built-in steps. Importing this package registers them by their recipe name (`Step.kind`)."""

from malgeum.steps.boilerplate import CutBoilerplate
from malgeum.steps.c4 import C4Lines
from malgeum.steps.classify import Classify
from malgeum.steps.decont import Decontaminate
from malgeum.steps.fineweb import FineWebQuality
from malgeum.steps.foreign import CutForeignBlocks
from malgeum.steps.gopher import GopherQuality, GopherRepetition
from malgeum.steps.language import IdentifyLanguage
from malgeum.steps.length import DropShort
from malgeum.steps.mojibake import FixMojibake
from malgeum.steps.pii import RedactPII
from malgeum.steps.repeats import CutRepeats
from malgeum.steps.salad import CutWordSalad
from malgeum.steps.spam import CutSpam
from malgeum.steps.spam_page import JudgeSpamPage
from malgeum.steps.templates import CutTemplates
from malgeum.steps.unicode_form import NormalizeUnicode
from malgeum.steps.url_filter import FilterURLs
from malgeum.steps.whitespace import NormalizeWhitespace

__all__ = [
    "C4Lines",
    "Classify",
    "CutBoilerplate",
    "CutForeignBlocks",
    "CutRepeats",
    "CutSpam",
    "CutTemplates",
    "CutWordSalad",
    "Decontaminate",
    "DropShort",
    "FilterURLs",
    "FineWebQuality",
    "FixMojibake",
    "GopherQuality",
    "GopherRepetition",
    "IdentifyLanguage",
    "JudgeSpamPage",
    "NormalizeUnicode",
    "NormalizeWhitespace",
    "RedactPII",
]
