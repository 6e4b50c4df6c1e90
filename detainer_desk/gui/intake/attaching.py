"""Attaching scans to the request: read on the task runner (never on the GUI thread), shown
while they load, and attached only to the request they were chosen for."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..errors import show_bug
from .drafts import ScanRef, sha256_of
from .part import IntakePart
from .scans import PickedScan, ScanRefused, attached_text, read_scan


class Attachments(IntakePart):
    """Scans picked from disk, read in the background and attached."""

    def attach_scans(self) -> None:
        if self.state.recorded is not None:
            return
        paths = self.screen.dialogs.scans_to_attach(self.screen, self.screen.recent.folder())
        self.load_scans(paths)

    def load_scans(self, paths: list[str] | list[ScanRef]) -> None:
        """Read and attach scans: paths the officer chose, or the scans of a kept draft
        (attached again only if the file still holds what it held)."""
        if self.state.recorded is not None:
            return
        generation = self.state.generation
        for chosen in paths:
            ref = chosen if isinstance(chosen, ScanRef) else None
            path = ref.path if ref is not None else str(chosen)
            self.state.loading += 1
            name = Path(path).name
            self.screen.documents.show_loading(name)

            def work(handle: Any, path: str = path) -> Any:
                return (yield from read_scan(path, handle.cancelled))

            def loaded(
                scan: PickedScan | None, name: str = name, ref: ScanRef | None = ref
            ) -> None:
                self._loaded(generation, name, scan, ref)

            def failed(exc: BaseException, _tb: object, name: str = name) -> None:
                self._failed(generation, name, exc)

            self.tasks.start(work, on_finished=loaded, on_failed=failed)
        self.display.update_enabled()

    def _loaded(
        self, generation: int, name: str, scan: PickedScan | None, ref: ScanRef | None = None
    ) -> None:
        if generation != self.state.generation:
            return
        self.state.loading -= 1
        documents = self.screen.documents
        documents.loading_done(name)
        if scan is not None and ref is not None:
            if sha256_of(scan.content) != ref.sha256:
                documents.show_scan_message(
                    f"Not attached again: {name} has changed since the draft was saved. "
                    "Attach it again if it is the right file.",
                    problem=True,
                )
                scan = None
            else:
                scan = dataclasses.replace(scan, document_index=ref.document_index)
        if scan is not None:
            documents.add_scan(scan)
            documents.show_scan_message(attached_text(scan), problem=False, warning=scan.large)
        self.display.update_enabled()

    def _failed(self, generation: int, name: str, exc: BaseException) -> None:
        if generation != self.state.generation:
            return
        self.state.loading -= 1
        self.screen.documents.loading_done(name)
        if isinstance(exc, ScanRefused):
            # The file's name exactly as it is (not "Corrupt.pdf" for corrupt.pdf).
            self.screen.documents.show_scan_message(f"Not attached: {exc}.", problem=True)
        else:
            show_bug(self.screen, type(exc), exc, exc.__traceback__)
        self.display.update_enabled()
