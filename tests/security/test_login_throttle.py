"""Per-address login throttle and trusted proxies (issue 13 item 9): one address trying many
accounts is refused (429) at the configured number of failures; behind a proxy each client
is counted by its own address (TRUSTED_PROXY_HOPS), and without one X-Forwarded-For is
ignored, so a client cannot spoof its way around the limit."""
from __future__ import annotations

from tests.factories.helpers.clients import TenantClient

LIMITED = "短時間に操作が繰り返されたため"


def fail(client: TenantClient, identifier: str, addr: str = "192.0.2.10", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else None
    return client.post("/login", {"identifier": identifier, "password": "wrong-password"},
                       headers=headers, environ_base={"REMOTE_ADDR": addr})


def test_forty_accounts_from_one_address_are_refused_at_the_limit(app, jsicm, world):
    limit = int(app.config["LOGIN_FAILURES_PER_ADDRESS"].split("/")[0])
    codes = [fail(jsicm, f"member-{i}").status_code for i in range(40)]
    assert codes == [400] * limit + [429] * (40 - limit)
    refused = fail(jsicm, "member-41")
    assert LIMITED in refused.get_data(as_text=True)
    assert fail(jsicm, "member-42", addr="192.0.2.11").status_code == 400  # another address


def test_reset_requests_are_limited_per_address(jsicm, world):
    codes = [jsicm.post("/password/forgot", {"email": f"x{i}@example.jp"},
                        csrf_from="/password/forgot",
                        environ_base={"REMOTE_ADDR": "192.0.2.20"}).status_code
             for i in range(11)]
    assert codes == [200] * 10 + [429]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app, jsicm, world):
    limit = int(app.config["LOGIN_FAILURES_PER_ADDRESS"].split("/")[0])
    codes = [fail(jsicm, f"member-{i}", forwarded=f"198.51.100.{i}").status_code
             for i in range(limit + 1)]
    assert codes[-1] == 429  # rotating the header did not help


def test_behind_one_trusted_proxy_each_client_is_counted_apart(make_live_app, world):
    live = make_live_app(None, TRUSTED_PROXY_HOPS=1)
    client = TenantClient(live, "jsicm.localhost")
    limit = int(live.config["LOGIN_FAILURES_PER_ADDRESS"].split("/")[0])
    proxy = "10.0.0.1"  # every request arrives from the proxy's own address
    first = [fail(client, f"a-{i}", proxy, "203.0.113.1").status_code for i in range(limit + 1)]
    assert first[-1] == 429
    assert fail(client, "b-0", proxy, "203.0.113.2").status_code == 400  # another client
    # The client may prepend its own X-Forwarded-For; only the proxy's last entry counts.
    assert fail(client, "b-1", proxy, "198.51.100.7, 203.0.113.1").status_code == 429
