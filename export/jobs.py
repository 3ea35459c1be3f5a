"""Scheduled jobs of the open data (run by coordination.scheduler)."""
JOBS: list = []
