"""Acting as a second operating-system account, for the tests that need one (what another
local user of the workstation can read or write).

The suite often runs as root, which file modes do not bind; so a forked child of the test
drops to the unprivileged ``nobody`` account and tries the action there. Only root can
switch accounts: as anyone else the test itself is already bound by the modes, and a test
that needs a *second* account is skipped with that reason.
"""

from __future__ import annotations

import os
import pwd
import sys
from collections.abc import Callable

import pytest

OTHER_ACCOUNT = "nobody"


def other_account() -> pwd.struct_passwd:
    if sys.platform == "win32":
        pytest.skip("POSIX accounts and file modes")
    if os.geteuid() != 0:
        pytest.skip("acting as a second account needs root (to switch to it)")
    try:
        return pwd.getpwnam(OTHER_ACCOUNT)
    except KeyError:
        pytest.skip(f"there is no {OTHER_ACCOUNT!r} account to act as")


def as_other_account(action: Callable[[], int]) -> int:
    """Run ``action`` in a forked child as the other account; its return value (an exit
    code of 0 to 125) comes back; 126 when it raised."""
    account = other_account()
    pid = os.fork()
    if pid == 0:  # the child: a few system calls, then out, whatever happens
        code = 126
        try:
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            code = int(action())
        except BaseException:  # noqa: BLE001 - the child must reach os._exit whatever it met
            code = 126
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
