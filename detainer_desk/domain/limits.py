"""How much of anything the program accepts, in one place (the README lists them).

Every figure is far above anything a real detainer, policy or search needs, and low enough
that the work each one causes is bounded: checking, recording, searching and printing take
a bounded time and memory whatever a file or a field holds. Input over a limit is refused
in plain words, naming the limit, never cut short silently.
"""

from __future__ import annotations

# -- files -------------------------------------------------------------------------------
REQUEST_FILE_BYTES = 1 << 20  # 1 MiB; a real request file is 1-5 KB
POLICY_FILE_BYTES = 1 << 20  # 1 MiB; the shipped presets are 1.4-5.3 KB
CHECKPOINT_FILE_BYTES = 256 << 20  # 256 MiB; about 11 bytes per entry: ~24 million entries
NOTICE_FILE_BYTES = 64 << 10  # 64 KiB; the system-use notice is a few hundred words
CERTIFICATE_FILE_BYTES = 1 << 20  # 1 MiB; a PEM certificate chain is a few KB
ATTACHMENT_BYTES = 100 << 20  # 100 MiB; a faxed or scanned I-247A is well under 5 MB

# -- a request ---------------------------------------------------------------------------
NAME_CHARACTERS = 300  # the longest real names, with aliases, are under 100
NAME_WORDS = 30  # ... and under 12 words
IDENTIFIER_CHARACTERS = 100  # booking number, A-number, FBI number
TEXT_CHARACTERS = 1_000  # issuing office, officer, court, offense
STATUTE_CHARACTERS = 200  # "Cal. Penal Code § 245(a)(1)" is 27
DOCUMENTS = 100  # documents that came with one request
HISTORY_ENTRIES = 500  # charges and convictions of one person
LIST_ITEMS = 50  # flags, indicators, requested actions, probable-cause bases
ATTACHMENTS = 100  # scans stored with one request
FILE_NAME_CHARACTERS = 255  # an attachment's file name (most file systems' own limit)

# -- a policy ----------------------------------------------------------------------------
TITLE_CHARACTERS = 500  # name, jurisdiction, citation
NOTE_CHARACTERS = 20_000  # caution, notes
OFFENSE_LISTS = 500
STATUTE_PATTERNS = 5_000  # in all the offense lists together
PATTERN_CHARACTERS = 200
PATTERN_STARS = 5  # `*` in one pattern (real ones have one, "RCW 9A.36.*", rarely two)
# Patterns that are neither a whole statute nor a statute's beginning ("RCW 9A.36.*"), in
# all the lists together: each costs a scan of every statute it is asked about.
OTHER_PATTERNS = 500
CLAUSES = 500  # in one `when` or `unless`
HOLIDAY_DATES = 2_000  # a county's own holiday list (50 years of 40 dates)
# The longest hold a policy may set. 8 CFR 287.7(d) allows 48 hours excluding weekends and
# holidays (at most about five calendar days); no county could lawfully need a month.
MAX_HOURS = 720

# -- searching and commands --------------------------------------------------------------
PLACE_CHARACTERS = 120  # the county's and the jail's names (settings), on every page
SEARCH_CHARACTERS = 200
SEARCH_WORDS = 10
REASON_CHARACTERS = 5_000  # a written reason, an export's recipient, a correction
PAGE_ROWS = 10_000  # rows one `log` or `audit` command lists
FIRST_YEAR = 1900  # dates and periods on the command line: years FIRST_YEAR to LAST_YEAR
LAST_YEAR = 2999


def size_words(size: int) -> str:
    """1 MiB as "1 MB", 256 MiB as "256 MB": how a limit reads in a message."""
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20:,} MB"
    if size >= 1 << 10 and size % (1 << 10) == 0:
        return f"{size >> 10:,} KB"
    return f"{size:,} bytes"
