"""What a save or print of a document or listing says when it fails: the listings' buttons
(audit trail, what-if) and a decision's documents (audit PDF, notice) say it alike."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from detainer_desk.services.access import RecordError

from .errors import show_bug
from .intake.printing import PrintError
from .widgets import MessageLabel, plain_sentence


def show_output_failure(
    message: MessageLabel,
    owner: QWidget,
    error: BaseException,
    *,
    refused: Callable[[str], str],
    not_saved: Callable[[str], str],
) -> None:
    """A refusal or a printer's problem in ``refused``'s words (given the error as a plain
    sentence), a file the system would not write in ``not_saved``'s (given its reason);
    anything else is a bug, shown as one over ``owner``."""
    if isinstance(error, RecordError | PrintError):
        message.show_error(refused(plain_sentence(str(error))))
    elif isinstance(error, OSError):
        message.show_error(not_saved(error.strerror or str(error)))
    else:
        show_bug(owner, type(error), error, error.__traceback__)
