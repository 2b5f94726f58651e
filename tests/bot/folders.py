"""Small helpers for tests that look at a knowledge folder on disk."""

from __future__ import annotations

from pathlib import Path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder by name, byte for byte: to show an import wrote nothing."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
