"""Scheduled jobs of the network meetings (run by coordination.scheduler)."""
JOBS: list = []
