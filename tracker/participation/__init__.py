"""Participation: each country's status in a campaign."""
