"""`triage serve`: the humans-in-the-loop web app (Starlette + Jinja2 + a little htmx, no front-end build)."""
