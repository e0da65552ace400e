"""Reminder ladders: emails before and after each milestone, escalations, the calendar."""
