"""Who sees and does what in `triage serve`: anonymous requests get nothing, a labeler sees no personal
data and cannot change roles, every POST needs the session's CSRF token."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

from triage_platform.lib.alerts.outbox import AlertOutbox
from triage_platform.lib.humans.tables import AuditLog, LabelStore
from triage_platform_tests.humans_lake import PASSWORDS, PII_EMAIL


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.csrf = ""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=10) as response:
                status, text, headers = response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, text, headers = error.code, error.read().decode(), dict(error.headers)
        found = re.search(r'name="csrf_token" value="([^"]+)"', text)
        if found:
            self.csrf = found.group(1)
        return status, text, headers

    def sign_in(self, user: str) -> None:
        self.request("/login")
        status, _, headers = self.request(
            "/login",
            {"csrf_token": self.csrf, "username": user, "password": PASSWORDS[user], "next": "/queue"},
        )
        assert status == 303 and headers["location"] == "/queue"
        self.request("/queue")


def test_anonymous_requests_get_nothing(web) -> None:
    anonymous = Browser(web.url)
    for path in ("/", "/queue", "/queue?kind=backlog", "/alerts", "/audit", "/admin/users"):
        status, text, headers = anonymous.request(path)
        assert status == 303 and headers["location"].startswith("/login"), path
        assert "crushed" not in text and "charger" not in text
    alert_id = web.made["alert_ids"][0]
    assert anonymous.request(f"/alerts/{alert_id}/ack", {"csrf_token": "x"})[0] == 401
    assert anonymous.request("/queue/review/decide", {"review_key": "r-q1", "decision": "accept"})[0] == 401
    assert anonymous.request("/admin/users/leo/role", {"role": "admin"})[0] == 401
    status, text, _ = anonymous.request("/login", {"username": "ana", "password": "wrong", "csrf_token": ""})
    assert status == 403  # no CSRF token, no sign-in attempt
    anonymous.request("/login")
    status, text, _ = anonymous.request(
        "/login", {"csrf_token": anonymous.csrf, "username": "ana", "password": "wrong", "next": "/queue"}
    )
    assert status == 401 and "wrong password" in text
    assert anonymous.request("/queue")[0] == 303
    assert AlertOutbox(web.paths.table("gold", "alerts")).get(alert_id).lifecycle_status == "open"


def test_only_admin_sees_personal_data_and_a_labeler_cannot_change_roles(web) -> None:
    labeler = Browser(web.url)
    labeler.sign_in("leo")
    _, page, _ = labeler.request("/queue")
    assert "[EMAIL]" in page and PII_EMAIL not in page and 'id="original-text"' not in page
    assert labeler.request("/admin/users")[0] == 403
    status, _, _ = labeler.request("/admin/users/leo/role", {"csrf_token": labeler.csrf, "role": "admin"})
    assert status == 403
    assert web.config.users.get("leo").role == "labeler"
    alert_id = web.made["alert_ids"][0]
    assert labeler.request(f"/alerts/{alert_id}/ack", {"csrf_token": labeler.csrf})[0] == 403

    admin = Browser(web.url)
    admin.sign_in("ana")
    _, page, _ = admin.request("/queue")
    assert PII_EMAIL in page and "[EMAIL]" in page
    status, _, _ = admin.request("/admin/users/leo/role", {"csrf_token": admin.csrf, "role": "owner"})
    assert status == 303 and web.config.users.get("leo").role == "owner"
    entries = AuditLog(web.paths.table("gold", "audit_log")).all()
    assert list(entries["action"]) == ["user.role"] and entries.iloc[0]["actor"] == "ana"
    assert '"role": "labeler"' in entries.iloc[0]["before_json"]

    viewer = Browser(web.url)
    viewer.sign_in("vic")
    _, page, _ = viewer.request("/queue")
    assert "can look but not label" in page
    decide = {"csrf_token": viewer.csrf, "review_key": "r-q1", "decision": "accept"}
    assert viewer.request("/queue/review/decide", decide)[0] == 403
    assert LabelStore(web.paths.table("gold", "labels")).all().empty


def test_post_without_the_csrf_token_is_rejected_with_nothing_changed(web) -> None:
    owner = Browser(web.url)
    owner.sign_in("olga")
    alert_id = web.made["alert_ids"][0]
    outbox = AlertOutbox(web.paths.table("gold", "alerts"))
    assert owner.request(f"/alerts/{alert_id}/ack", {})[0] == 403
    assert owner.request(f"/alerts/{alert_id}/ack", {"csrf_token": "forged-token"})[0] == 403
    decide = {"review_key": "r-q1", "decision": "accept"}
    assert owner.request("/queue/review/decide", decide)[0] == 403
    assert outbox.get(alert_id).lifecycle_status == "open"
    assert LabelStore(web.paths.table("gold", "labels")).all().empty
    assert AuditLog(web.paths.table("gold", "audit_log")).all().empty

    assert owner.request(f"/alerts/{alert_id}/ack", {"csrf_token": owner.csrf})[0] == 303
    assert outbox.get(alert_id).lifecycle_status == "acknowledged"
    other = Browser(web.url)  # another session's token is not this session's
    other.sign_in("ana")
    assert owner.request(f"/alerts/{alert_id}/close", {"csrf_token": other.csrf})[0] == 403
    assert outbox.get(alert_id).lifecycle_status == "acknowledged"


def test_a_critical_item_goes_to_a_second_person_not_back_to_the_first(web) -> None:
    labeler = Browser(web.url)
    labeler.sign_in("leo")
    _, page, _ = labeler.request("/queue")
    assert 'data-review-key="r-q1"' in page
    decide = {
        "csrf_token": labeler.csrf,
        "review_key": "r-q1",
        "decision": "correct",
        "issue_types": ["packaging_damage"],
        "severity": "critical",
        "sentiment": "negative",
    }
    assert labeler.request("/queue/review/decide", decide)[0] == 303
    _, page, _ = labeler.request("/queue")
    assert 'data-review-key="r-q1"' not in page  # leo labeled it: never shown to leo again
    admin = Browser(web.url)
    admin.sign_in("ana")
    _, page, _ = admin.request("/queue")
    assert 'data-review-key="r-q1"' in page and "Needs 2 independent labels (1 so far)" in page


def test_an_owner_reopens_a_labeled_item_and_it_needs_a_fresh_label(web) -> None:
    labeler = Browser(web.url)
    labeler.sign_in("leo")
    decide = {"csrf_token": labeler.csrf, "review_key": "r-q1", "decision": "accept"}
    assert labeler.request("/queue/review/decide", decide)[0] == 303
    assert 'data-review-key="r-q1"' not in labeler.request("/queue")[1]
    _, page, _ = labeler.request("/labels")
    assert 'data-label="r-q1"' in page and 'class="reopen"' not in page  # a labeler cannot reopen
    assert labeler.request("/labels/r-q1/reopen", {"csrf_token": labeler.csrf})[0] == 403

    owner = Browser(web.url)
    owner.sign_in("olga")
    owner.request("/labels")
    assert owner.request("/labels/r-q1/reopen", {"csrf_token": owner.csrf})[0] == 303
    assert 'data-review-key="r-q1"' in labeler.request("/queue")[1]  # back, even for its first labeler
    actions = list(AuditLog(web.paths.table("gold", "audit_log")).all()["action"])
    assert actions == ["label.accept", "label.reopen"]


def test_repeated_wrong_passwords_lock_the_sign_in(web) -> None:
    """Five wrong passwords (the default) lock the name and this client's address: the next attempt gets
    429 with Retry-After before any password is checked, even a correct one, and no session is made."""
    guesser = Browser(web.url)
    guesser.request("/login")
    for attempt in range(5):
        status, text, _ = guesser.request(
            "/login", {"csrf_token": guesser.csrf, "username": "leo", "password": f"guess-{attempt}"}
        )
        assert status == 401 and "wrong password" in text
    status, text, headers = guesser.request(
        "/login", {"csrf_token": guesser.csrf, "username": "leo", "password": PASSWORDS["leo"]}
    )
    assert status == 429 and "Too many failed sign-ins" in text
    assert 0 < int(headers["retry-after"]) <= 15 * 60
    status, _, headers = guesser.request("/queue")
    assert status == 303 and headers["location"].startswith("/login")  # still signed out
