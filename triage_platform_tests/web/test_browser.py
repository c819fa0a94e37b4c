"""End to end in headless Chromium: a labeler-owner signs in, labels three items from the review queue with
the buttons and the keyboard, acknowledges and closes an alert on the board; the Delta tables, the audit
log and the next training set reflect it."""

from __future__ import annotations

from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.annotate.labeled_sets import labeled_sets
from triage_platform.lib.delta import read_table
from triage_platform.lib.humans.tables import AuditLog, LabelStore
from triage_platform_tests.humans_lake import PASSWORDS, PII_EMAIL
from triage_platform_tests.web.browser import chromium_page


def test_sign_in_label_three_items_and_walk_an_alert_to_closed(web) -> None:
    with chromium_page() as page:
        page.goto(f"{web.url}/queue")
        assert page.url.startswith(f"{web.url}/login")  # anonymous: sent to sign in
        page.fill("#username", "olga")
        page.fill("#password", PASSWORDS["olga"])
        page.click("#sign-in")
        page.wait_for_selector("[data-review-key]")
        assert "olga (owner)" in page.content()
        assert PII_EMAIL not in page.content()  # owners see redacted text only

        first = page.get_attribute("[data-review-key]", "data-review-key")
        page.click("#accept")  # 1: accept as is (htmx swaps in the next item)
        page.wait_for_selector(f"[data-review-key]:not([data-review-key='{first}'])")

        second = page.get_attribute("[data-review-key]", "data-review-key")
        page.check("input[name=issue_types][value=customer_service]")  # 2: correct categories and severity
        page.select_option("#primary_issue", "customer_service")
        page.check("input[name=severity][value=high]")
        page.click("#correct")
        page.wait_for_selector(f"[data-review-key]:not([data-review-key='{second}'])")

        third = page.get_attribute("[data-review-key]", "data-review-key")
        page.keyboard.press("a")  # 3: keyboard shortcut for accept
        page.wait_for_selector(f"[data-review-key]:not([data-review-key='{third}'])")

        alert_id = web.made["alert_ids"][0]
        page.goto(f"{web.url}/alerts")
        card = f"#alert-{alert_id}"
        page.click(f"{card} button[data-action=ack]")
        page.wait_for_selector(f"{card}[data-state=acknowledged]")
        page.click(f"{card} button[data-action=close]")
        page.wait_for_selector(f"{card}[data-state=closed]")

    labels = LabelStore(web.paths.table("gold", "labels")).all()
    assert sorted(labels["review_key"]) == sorted([first, second, third])
    assert set(labels["annotator"]) == {"olga"}
    corrected = labels.set_index("review_key").loc[second]
    assert "customer_service" in list(corrected["issue_types"]) and corrected["severity"] == "high"
    assert (
        '"severity": "high"' in corrected["after_json"]
        and corrected["before_json"] != corrected["after_json"]
    )

    gold = read_table(web.paths.table("gold", "reviews")).set_index("review_key")
    assert gold.loc[[first, second, third], "human_override"].all()
    assert not gold.drop(index=[first, second, third])["human_override"].any()
    assert gold.loc[second, "primary_issue"] == "customer_service"

    alert = AlertOutbox(web.paths.table("gold", "alerts")).get(alert_id)
    assert alert.lifecycle_status == "closed" and alert.acknowledged_at and alert.closed_at

    audit = AuditLog(web.paths.table("gold", "audit_log")).all()
    assert list(audit["action"]) == [
        "label.accept",
        "label.correct",
        "label.accept",
        "alert.acknowledged",
        "alert.closed",
    ]
    assert set(audit["actor"]) == {"olga"} and set(audit["via"]) == {"web"}

    sets = labeled_sets(web.paths.home / "labels", web.paths.table("gold", "labels"), web.config.taxonomy)
    examples = {e.id: e for e in [*sets.train, *sets.evaluation]}  # what the next retraining reads
    assert set(examples) == {first, second, third}
    assert examples[second].severity == "high" and "customer_service" in examples[second].issue_types
