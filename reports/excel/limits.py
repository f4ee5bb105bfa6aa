"""How much one Excel import takes on, and how much of its answer is spelled out.

A township registers a few thousand poor households (the benchmarks' big one has 20,000,
with 62,000 members); a file far beyond that is a wrong file or a sheet filled to the
bottom, and is refused with a message as soon as its rows pass the limit, before it can
take minutes and gigabytes. Within the limits every row is checked, the first
LISTED_PROBLEMS problems are listed and marked and the rest only counted: a clerk fixes
those and imports again, and a list of 100,000 problems would help no one.
"""

from __future__ import annotations

LISTED_PROBLEMS = 1_000
MAX_HOUSEHOLD_ROWS = 50_000  # data rows of sheet “农户”
MAX_MEMBER_ROWS = 200_000  # data rows of sheet “家庭成员”
# Past this many data rows (both sheets) no marked copy is written: it would take minutes
# for a file that has to be split anyway; the problems are still listed.
MARKED_COPY_MAX_ROWS = 100_000
CHECK_CHUNK = 1_000  # households checked (and, while all are clean, written) at a time
