"""malgeum (맑음): clean, deduplicated, accountable training text from crawled web data."""

from malgeum.document import Cut, Document, Edit, Span, restore, trace
from malgeum.pipeline import Pipeline
from malgeum.step import Step, StepStats

__version__ = "0.1.0"

__all__ = ["Cut", "Document", "Edit", "Pipeline", "Span", "Step", "StepStats", "restore", "trace"]
