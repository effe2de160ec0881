"""The progress bar of a pass over a run's shards: bytes done, on stderr."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def shard_bar(shards: list[Any], todo: list[Any], desc: str, enabled: bool) -> tqdm:
    return tqdm(
        total=sum(s.size for s in shards),
        initial=sum(s.size for s in shards if s not in todo),
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc=desc,
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
    )
