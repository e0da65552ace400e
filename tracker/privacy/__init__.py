"""What the tracker holds about one person: export on request, erasure on request."""
