"""The read API under /api/v1 for the campaign's partners and scripts: tokens, scopes, the call log, OpenAPI."""
