"""Listing freshness: "Vérifié il y a N mois", reminders and campaigns, stale places (issue 16: out of the directory)."""
