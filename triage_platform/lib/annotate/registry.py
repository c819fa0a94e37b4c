"""The model store: trained models under TRIAGE_HOME/models, one folder per version, and which one is live.

Layout::

    TRIAGE_HOME/models/
      model-20260301120000-1a2b3c4d/   model.joblib + manifest.json (TriageModel.save)
      model-20260308120000-5e6f7a8b/
      current                          the live version's folder name (one line)
      history                          the promotion stack rollback walks (one version a line)
      promotions.jsonl                 the audit log: every promote and rollback with its time (UTC)
      seed-ecommerce-default/          the seed model cache (see `seed.py`; not a version)

`save` never changes what is live; `promote` does (after a check that the model loads), and `rollback`
goes back to the version promoted before the current one. Pointer files are replaced atomically, so a
reader sees the old or the new version, never half a file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from triage_platform.lib.annotate.model import MANIFEST_FILE, MODEL_FILE, TriageModel
from triage_platform.lib.annotate.taxonomy import Taxonomy
from triage_platform.lib.paths import TriagePaths

CURRENT_FILE = "current"
HISTORY_FILE = "history"
PROMOTIONS_FILE = "promotions.jsonl"
VERSION_PATTERN = re.compile(r"^model-\d{14}-[0-9a-f]{8}$")
"""Folder names of stored versions (`model-<YYYYmmddHHMMSS>-<hash8>`)."""


class ModelStoreError(RuntimeError):
    """A store operation that cannot be done (unknown version, nothing to roll back to, ...)."""


class ModelStore:
    """Versioned trained models in one folder (default TRIAGE_HOME/models)."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else TriagePaths.from_env().models

    # ------------------------------------------------------------------ versions

    def path_of(self, version: str) -> Path:
        """Folder of a stored version; `ModelStoreError` when it is not in the store."""
        folder = self.root / version
        if not VERSION_PATTERN.match(version) or not (folder / MANIFEST_FILE).is_file():
            raise ModelStoreError(f"no model version {version!r} in {self.root} (known: {self.versions()})")
        return folder

    def versions(self) -> list[str]:
        """Stored versions, oldest first (the timestamp in the name orders them)."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.root.iterdir()
            if p.is_dir() and VERSION_PATTERN.match(p.name) and (p / MANIFEST_FILE).is_file()
        )

    def manifest(self, version: str) -> dict:
        return json.loads((self.path_of(version) / MANIFEST_FILE).read_text(encoding="utf-8"))

    def save(self, model: TriageModel) -> Path:
        """Store `model` under its version (`model.version`); does not make it current."""
        version = model.version
        if not VERSION_PATTERN.match(version):
            raise ModelStoreError(f"model version {version!r} is not a storable version name")
        return model.save(self.root / version)

    # ------------------------------------------------------------------ the live pointer

    def current_version(self) -> str | None:
        """The live version, or None when nothing was promoted (or its folder is gone)."""
        pointer = self.root / CURRENT_FILE
        if not pointer.is_file():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
        if not version or not (self.root / version / MODEL_FILE).is_file():
            return None
        return version

    def current(self) -> Path | None:
        """Folder of the live model, or None."""
        version = self.current_version()
        return self.root / version if version else None

    def load_current(self, taxonomy: Taxonomy | None = None) -> TriageModel | None:
        """The live model (checked against `taxonomy`), or None when nothing is live."""
        folder = self.current()
        return TriageModel.load(folder, taxonomy) if folder is not None else None

    def promote(self, version: str, taxonomy: Taxonomy | None = None) -> Path:
        """Make `version` live, after checking it loads (and fits `taxonomy`, when given)."""
        folder = self.path_of(version)
        TriageModel.load(folder, taxonomy)
        previous = self.current_version()
        self._write(CURRENT_FILE, version + "\n")
        history = self.history()
        if not history or history[-1] != version:
            self._write(HISTORY_FILE, "".join(f"{v}\n" for v in [*history, version]))
        self._log("promote", version, previous)
        return folder

    def promotions(self) -> list[dict]:
        """The audit log, oldest first: `{action, version, previous, at}` per promote or rollback."""
        path = self.root / PROMOTIONS_FILE
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def promoted_at(self, version: str) -> str | None:
        """When `version` was last made live (ISO 8601, UTC), or None when it never was."""
        times = [entry["at"] for entry in self.promotions() if entry["version"] == version]
        return times[-1] if times else None

    def _log(self, action: str, version: str, previous: str | None) -> None:
        entry = {
            "action": action,
            "version": version,
            "previous": previous,
            "at": datetime.now(UTC).isoformat(),
        }
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / PROMOTIONS_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")

    def history(self) -> list[str]:
        """Promoted versions, oldest first."""
        path = self.root / HISTORY_FILE
        if not path.is_file():
            return []
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def rollback(self) -> str:
        """Go back to the version promoted before the current one; returns it.

        Versions whose folders were deleted are skipped. `ModelStoreError` when there is none.
        """
        history = self.history()
        current = self.current_version()
        if current is not None:
            while history and history[-1] != current:
                history.pop()  # pointer edited by hand: trust it
            if history:
                history.pop()
        while history and not (self.root / history[-1] / MODEL_FILE).is_file():
            history.pop()
        if not history:
            raise ModelStoreError(f"nothing to roll back to in {self.root} (current: {current})")
        previous = history[-1]
        self._write(CURRENT_FILE, previous + "\n")
        self._write(HISTORY_FILE, "".join(f"{v}\n" for v in history))
        self._log("rollback", previous, current)
        return previous

    def _write(self, name: str, content: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=self.root)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
            os.replace(tmp, self.root / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


__all__ = [
    "CURRENT_FILE",
    "HISTORY_FILE",
    "PROMOTIONS_FILE",
    "VERSION_PATTERN",
    "ModelStore",
    "ModelStoreError",
]
