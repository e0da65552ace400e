"""People, organisations and the roles people hold."""
