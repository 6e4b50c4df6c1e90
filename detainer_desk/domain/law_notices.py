"""Which notices and forms the law asks a jail to give the person, by jurisdiction.

Each notice is a one-page form, English beside one other language. The texts are data
(``detainer_desk/notices/<language>.json``); this module says which notice exists, the law
behind it, and which a county uses: that follows from its reporting jurisdiction and from
what its policy permits (a county whose policy never permits notification gives no notice
that ICE was told a release date).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

INTERVIEW_CONSENT: Final = "interview-consent"
REQUEST_NOTICE: Final = "request-notice"
RELEASE_DATE_NOTICE: Final = "release-date-notice"
TEXAS_DETAINER_NOTICE: Final = "texas-detainer-notice"
COLORADO_ADVISEMENT: Final = "colorado-advisement"


@dataclass(frozen=True, slots=True)
class NoticeDefinition:
    key: str
    title: str
    law: str
    jurisdictions: tuple[str, ...]
    # Which of the policy's actions must be possible for the notice to be needed ("" none).
    needs_permitted: str = ""


NOTICES: Final[Mapping[str, NoticeDefinition]] = {
    n.key: n
    for n in (
        NoticeDefinition(
            INTERVIEW_CONSENT,
            "Consent to an interview with ICE",
            "Cal. Gov. Code 7283.1(a); N.J. AG Directive 2018-6",
            ("CA", "NJ"),
        ),
        NoticeDefinition(
            REQUEST_NOTICE,
            "Notice of an ICE hold, notification or transfer request",
            "Cal. Gov. Code 7283.1(b); N.J. AG Directive 2018-6",
            ("CA", "NJ"),
        ),
        NoticeDefinition(
            RELEASE_DATE_NOTICE,
            "Notice that ICE was told your release date",
            "Cal. Gov. Code 7283.1(b)",
            ("CA",),
            needs_permitted="notify",
        ),
        NoticeDefinition(
            TEXAS_DETAINER_NOTICE,
            "Notice that you are held on an immigration detainer",
            "Tex. Code Crim. Proc. art. 2.251(a)(2)",
            ("TX",),
            needs_permitted="hold",
        ),
        NoticeDefinition(
            COLORADO_ADVISEMENT,
            "Advisement before an interview with federal immigration authorities",
            "Colorado HB19-1124 (2019)",
            ("CO",),
        ),
    )
}

# The languages every notice is printed in beside English: the TRUTH Act's list for the
# interview consent form (Gov. Code 7283.1(a)), Chinese in both scripts.
NOTICE_LANGUAGES: Final = ("es", "zh-Hans", "zh-Hant", "tl", "vi", "ko")


def notices_for(jurisdiction: str | None, policy_can: Mapping[str, bool]) -> tuple[str, ...]:
    """The notices a county uses: those its jurisdiction's law names, less those its policy
    makes pointless (``policy_can``: whether any clause of the policy permits hold,
    transfer, notify)."""
    chosen = []
    for notice in NOTICES.values():
        if jurisdiction not in notice.jurisdictions:
            continue
        if notice.needs_permitted and not policy_can.get(notice.needs_permitted, False):
            continue
        chosen.append(notice.key)
    return tuple(chosen)
