"""Outbox and relay: emails are rows first and leave only after commit."""
