"""Referrals between partners (issue: referrals)."""
