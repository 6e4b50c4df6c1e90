"""Checks on what was typed into an account form, so each problem can be shown beside its
field before anything is sent. The rules themselves are the domain's (and the services
check them again); this module only says which field a problem belongs to."""

from __future__ import annotations

from detainer_desk.domain import accounts as acc
from detainer_desk.services.accounts import Security

from .widgets import plain_sentence

USER_NAME = "user_name"
DISPLAY_NAME = "display_name"
PASSWORD = "password"
CONFIRM = "confirm"
CURRENT_PASSWORD = "current_password"
ROLES = "roles"
CODE = "code"

PASSWORD_HINT = (
    f"At least {acc.MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good "
    "password; commonly used passwords are refused."
)


class FieldProblems(Exception):
    """What is wrong with a form, field by field (keys are the names above)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def user_name_problem(name: str) -> str | None:
    problem = acc.user_name_problem(name)
    return plain_sentence(problem) if problem else None


def new_password_problem(security: Security, password: str, user_name: str) -> str | None:
    if not password:
        return "Choose a password."
    problems = acc.password_problems(password, user_name, security.is_common)
    if not problems:
        return None
    return "That password cannot be used: " + "; ".join(problems) + "."


def confirm_problem(password: str, confirm: str) -> str | None:
    if password and password != confirm:
        return "The two passwords are not the same. Type the new password again."
    return None


def raise_if_any(problems: dict[str, str | None]) -> None:
    found = {field: problem for field, problem in problems.items() if problem}
    if found:
        raise FieldProblems(found)


def new_account_problems(
    security: Security, user_name: str, password: str, confirm: str
) -> dict[str, str | None]:
    return {
        USER_NAME: user_name_problem(user_name),
        PASSWORD: new_password_problem(security, password, user_name),
        CONFIRM: confirm_problem(password, confirm),
    }


def new_password_problems(
    security: Security, user_name: str, password: str, confirm: str
) -> dict[str, str | None]:
    return {
        PASSWORD: new_password_problem(security, password, user_name),
        CONFIRM: confirm_problem(password, confirm),
    }
