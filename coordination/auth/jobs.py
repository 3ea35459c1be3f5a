"""Scheduled jobs of this domain (run by coordination.scheduler)."""
JOBS: list = []
