"""Moderation: residents' error reports, the coordinators' moderation queue (reports, stale places,
pending organisations, imports to decide in bulk) (issue 16: out of the directory)."""
