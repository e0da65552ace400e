"""Shared plumbing: time, permissions, security headers, errors, i18n."""
