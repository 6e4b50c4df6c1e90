"""Use cases: plain functions over the domain. No Qt, no SQL, no PDF library here."""
