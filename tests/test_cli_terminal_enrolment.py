"""The command line on a real terminal (a pseudo-terminal): the system-use notice before
the password prompt, then the second factor's set-up for an account that has none (the QR
code and the key printed, a real code typed back, the recovery codes shown once), and the
command goes on. No sleeps: each step waits for the program's own prompt."""

from __future__ import annotations

import os
import pty
import re
import select
import sys
import time
from pathlib import Path

from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime, utc_now
from detainer_desk.services import accounts as svc
from detainer_desk.services.notices import DEFAULT_NOTICE

from .test_second_factor import rfc6238, secret_of

PASSWORD = "violet harbour lantern"


class Terminal:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the program, on the terminal
            os.execvpe(argv[0], argv, env)
        self.pid, self.fd, self.seen = pid, fd, ""

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"waited for {text!r}; the terminal showed:\n{self.seen}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the program ended
                    chunk = b""
                if not chunk:
                    assert text in self.seen, f"ended before {text!r}:\n{self.seen}"
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def type(self, line: str) -> None:
        os.write(self.fd, (line + "\n").encode())

    def finish(self) -> int:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk.decode("utf-8", "replace")
        _pid, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_enrolment_on_a_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_runtime(resolve_paths(data, environ={}))
    try:  # a new installation: a second factor is required
        svc.create_first_admin(
            store.uow(), store.security(), "chief", "Chief", PASSWORD, "W", utc_now()
        )
    finally:
        store.close()
    env = {**os.environ, "DETAINER_DESK_HOME": str(data), "COLUMNS": "200"}
    terminal = Terminal(
        [sys.executable, "-m", "detainer_desk", "users", "list", "--user", "chief"], env
    )
    terminal.wait_for("Password for chief:")
    assert DEFAULT_NOTICE[:40] in " ".join(terminal.seen.split())  # before the prompt
    terminal.type(PASSWORD)
    shown = terminal.wait_for("Then type the 6-digit code it shows:")
    assert "▀" in shown or "▄" in shown  # the QR code, in half blocks
    key = re.search(r"type this key into it: ([A-Z2-7 ]+)", shown)
    assert key is not None, shown
    secret = secret_of(key.group(1).strip())
    terminal.type(rfc6238(secret, utc_now()))
    after = terminal.wait_for("not shown again")
    code = terminal.finish()
    assert code == 0, terminal.seen
    codes = re.findall(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}\b", terminal.seen)
    assert len(codes) == 10, after
    assert "chief" in terminal.seen.split("not shown again")[1]  # the command went on
