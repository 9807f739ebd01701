"""GET /coverage/stats: the JSON of coverage.stats(), every filter, pagination, errors.

Expected values come from the tables themselves, read as the superuser.
"""

import math

import pytest

from coverage_api import StatsPage


def stats(client, auth, **params):
    response = client.get("/coverage/stats", params=params, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def keys(page):
    return [e["key"] for g in page["groups"] for e in g["entities"]]


def test_matches_coverage_stats_in_the_database(client, auth, admin):
    # The wrapper passes the document through: equal once both are read by the model.
    db = admin.execute("SELECT coverage.stats(page_size => 5)").fetchone()[0]
    api = stats(client, auth, page_size=5)
    assert StatsPage.parse_obj(api) == StatsPage.parse_obj(db)


def test_summary_counts_every_market(client, auth, admin):
    markets, grouped_events, with_data = admin.execute(
        "SELECT count(*), count(DISTINCT event_ticker),"
        "       (SELECT count(*) FROM coverage.entity_coverage WHERE coverage IS NOT NULL)"
        "  FROM markets").fetchone()
    summary = stats(client, auth)["summary"]
    assert summary["entities"] == markets
    assert summary["entities_with_data"] == with_data
    assert 0 < with_data < markets  # the generator leaves a few markets without data
    # count(DISTINCT) skips the NULL of the ungrouped markets, which form a group too.
    assert summary["groups"] == grouped_events + 1
    assert set(summary["points"]) == {"snapshots", "deltas", "trades"}


def test_search_is_case_insensitive_over_ticker_and_title(client, auth, admin):
    expected = [r[0] for r in admin.execute(
        "SELECT ticker FROM markets WHERE title ILIKE '%bitcoin%' OR ticker ILIKE '%bitcoin%'")]
    assert expected
    page = stats(client, auth, search="BitCoin", page_size=500)
    assert sorted(keys(page)) == sorted(expected)
    assert page["summary"]["entities"] == len(expected)
    for group in page["groups"]:
        for entity in group["entities"]:
            assert "bitcoin" in entity["search"]["title"].lower()


def test_search_matches_the_ticker(client, auth):
    page = stats(client, auth, search="kxoneoff-000", page_size=500)
    assert keys(page)
    assert all(k.startswith("KXONEOFF-000") for k in keys(page))
    # One-off markets have no event: all of them sit in the Ungrouped group.
    assert [g["label"] for g in page["groups"]] == ["Ungrouped"]
    assert page["groups"][0]["group_key"] is None


def test_search_is_literal(client, auth):
    # % would match anything in a LIKE pattern; here it is a plain character.
    assert stats(client, auth, search="%")["summary"]["entities"] == 0


@pytest.mark.parametrize("status", ["open", "closed", "settled"])
def test_status_filter(client, auth, admin, status):
    expected = admin.execute("SELECT count(*) FROM markets WHERE status = %s",
                             (status,)).fetchone()[0]
    assert expected > 0  # test/suites/api.sh picks a data set size with every status
    page = stats(client, auth, status=status, page_size=500)
    assert page["summary"]["entities"] == expected
    assert len(keys(page)) == expected
    assert {e["status"] for g in page["groups"] for e in g["entities"]} <= {status}


def test_event_ticker_selects_one_event(client, auth, admin):
    event, count = admin.execute(
        "SELECT event_ticker, count(*) FROM markets WHERE event_ticker IS NOT NULL"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
    page = stats(client, auth, event_ticker=event)
    assert [g["group_key"] for g in page["groups"]] == [event]
    assert page["groups"][0]["entity_count"] == count
    assert all(k.startswith(event + "-") for k in keys(page))
    assert page["total_groups"] == 1


def test_filters_combine(client, auth, admin):
    event, status = admin.execute(
        "SELECT event_ticker, status FROM markets WHERE event_ticker IS NOT NULL"
        " ORDER BY ticker LIMIT 1").fetchone()
    expected = admin.execute(
        "SELECT count(*) FROM markets WHERE event_ticker = %s AND status = %s"
        " AND strpos(lower(title), 'above') > 0", (event, status)).fetchone()[0]
    page = stats(client, auth, event_ticker=event, status=status, search="ABOVE")
    assert page["summary"]["entities"] == expected > 0


def test_no_match_gives_the_empty_page(client, auth):
    page = stats(client, auth, event_ticker="NO-SUCH-EVENT")
    assert page["groups"] == []
    assert page["summary"]["entities"] == 0
    assert page["total_groups"] == 0


def test_entities_carry_their_coverage(client, auth, admin):
    key, segments, trades = admin.execute(
        "SELECT key, num_segments, trades_points FROM coverage.entity_coverage"
        " WHERE num_segments > 1 ORDER BY key LIMIT 1").fetchone()
    entity = stats(client, auth, search=key)["groups"][0]["entities"][0]
    assert entity["key"] == key
    assert entity["num_segments"] == len(entity["segments"]) == segments
    assert entity["points"]["trades"] == trades
    starts = [s["start"] for s in entity["segments"]]
    assert starts == sorted(starts)


def test_pages_partition_the_groups_in_order(client, auth):
    first = stats(client, auth, page_size=3)
    total = first["total_groups"]
    assert total > 6
    assert first["total_pages"] == math.ceil(total / 3)
    seen = []
    for page_no in range(1, first["total_pages"] + 1):
        page = stats(client, auth, page=page_no, page_size=3)
        assert page["page"] == page_no and page["page_size"] == 3
        # Pagination counts groups; every market of a group on the page comes with it.
        assert len(page["groups"]) == (3 if page_no < first["total_pages"] else total - len(seen))
        for group in page["groups"]:
            assert group["entity_count"] == len(group["entities"])
        seen += [g["group_key"] for g in page["groups"]]
    assert len(seen) == total == len(set(seen))
    # Groups sort by key, the Ungrouped group (key null) last.
    assert seen[-1] is None
    assert seen[:-1] == sorted(seen[:-1])


def test_page_past_the_end_is_empty(client, auth):
    page = stats(client, auth, page=1000)
    assert page["groups"] == []
    assert page["summary"]["entities"] > 0


@pytest.mark.parametrize("params", [{"page_size": 0}, {"page_size": 501}, {"page": 0},
                                    {"page_size": -3}])
def test_out_of_range_is_400_from_sqlstate_22023(client, auth, params):
    response = client.get("/coverage/stats", params=params, headers=auth)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(next(iter(params)) + " must be")


@pytest.mark.parametrize("params", [{"page_size": "ten"}, {"page": "1.5"}])
def test_not_a_number_is_422(client, auth, params):
    response = client.get("/coverage/stats", params=params, headers=auth)
    assert response.status_code == 422
