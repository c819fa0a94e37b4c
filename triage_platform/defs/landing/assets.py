"""The landing zone as seen by Dagster: files dropped by channels, discovered by the landing sensor."""

import dagster as dg

landing_files = dg.AssetSpec(
    key=["landing", "files"],
    description=(
        "Feedback files as delivered by each channel into TRIAGE_HOME/landing/<source>/ (on-site reviews, "
        "app stores, surveys, support tickets, marketplaces, social). The landing sensor registers every new "
        "file version exactly once in lake/landing/files and archives it by content hash."
    ),
    group_name="landing",
    kinds={"file"},
    owners=["team:data-platform"],
)
