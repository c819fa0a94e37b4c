"""Humans in the loop: the review queue and labeling backlog, human labels, the audit log, alert
lifecycle actions, users and roles, Slack interactivity, Label Studio interchange and triage measures.

Plain Python (no Dagster imports): the Dagster assets in `defs/gold/humans.py`, the `triage serve` web app
in `triage_platform/web/` and the CLI in `cli_humans.py` all call these functions."""
