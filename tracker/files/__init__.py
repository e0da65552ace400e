"""Files received with replies and tickets, kept in the database."""
