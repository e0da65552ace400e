"""Contact-point appointments: carry-over, confirmation links, alternates and replacements."""
