"""Gold: what owners act on."""

import dagster as dg
import pandas as pd

from triage_platform.lib.humans.queue import apply_labels
from triage_platform.lib.humans.tables import LabelStore
from triage_platform.lib.transform.gold import (
    GOLD_REVIEWS_SCHEMA,
    ISSUE_DAILY_SCHEMA,
    build_gold_reviews,
    build_issue_daily,
)
from triage_platform.materialization import DELTA_KINDS, LAYER_OWNERS, PARTITION_METADATA, output
from triage_platform.partitions import DAILY_PARTITIONS
from triage_platform.resources import AnnotatorResource, TriageStorage


@dg.asset(
    key=["gold", "reviews"],
    ins={
        "reviews": dg.AssetIn(key=["silver", "reviews"]),
        "annotations": dg.AssetIn(key=["silver", "annotations"]),
    },
    deps=[dg.AssetKey(["gold", "labels"])],
    partitions_def=DAILY_PARTITIONS,
    group_name="gold",
    owners=LAYER_OWNERS,
    kinds=DELTA_KINDS,
    metadata=PARTITION_METADATA,
)
def gold_reviews(
    reviews: pd.DataFrame, annotations: pd.DataFrame, annotator: AnnotatorResource, storage: TriageStorage
) -> dg.Output[pd.DataFrame]:
    """One review, one enriched row, one current status: the review's dimensions, its latest annotation,
    and the routing decision (alert the owner, human review queue, labeling backlog, or nothing). A review a
    person labeled (`gold/labels`) keeps the human label (`human_override`, status `human_labeled`)."""
    frame = build_gold_reviews(reviews, annotations, annotator.router())
    frame = apply_labels(frame, LabelStore(storage.paths.table("gold", "labels")).all())
    routes = frame["route"].value_counts()
    return output(
        frame,
        GOLD_REVIEWS_SCHEMA,
        ["review_key", "primary_issue", "severity", "route", "product_family", "region"],
        {
            f"route_{name}": int(routes.get(name, 0))
            for name in ("alert", "human_review", "labeling_backlog", "none")
        }
        | {"human_override": int(frame["human_override"].sum()) if len(frame) else 0},
    )


@dg.asset(
    key=["gold", "issue_daily"],
    ins={"reviews": dg.AssetIn(key=["gold", "reviews"])},
    partitions_def=DAILY_PARTITIONS,
    group_name="gold",
    owners=LAYER_OWNERS,
    kinds=DELTA_KINDS,
    metadata=PARTITION_METADATA,
)
def gold_issue_daily(reviews: pd.DataFrame) -> dg.Output[pd.DataFrame]:
    """Reviews reporting each issue per day × issue type × product family × region, with negative,
    high-severity and critical counts: the input of spike alerts and the ROI marts."""
    frame = build_issue_daily(reviews)
    top = frame.sort_values("reviews", ascending=False).head(5)
    return output(
        frame,
        ISSUE_DAILY_SCHEMA,
        ["issue_type", "product_family", "region", "reviews", "high_severity_reviews"],
        {
            "cells": len(frame),
            "top_cells": ", ".join(
                f"{r.issue_type}/{r.product_family}/{r.region}={r.reviews}" for r in top.itertuples()
            ),
        },
    )
