"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (and what `flask --app wsgi` loads)."""

import sys

from tracker import create_app

try:
    app = create_app()
except RuntimeError as refused:  # a required setting is missing (config.ProductionConfig)
    print(f"Not starting: {refused}", file=sys.stderr)
    sys.exit(3)  # as the preflight: systemd's RestartPreventExitStatus=3 stops the restart loop
