-- Points the coverage view of coverage_ext at the tables of examples/demo/data.sql; the
-- refresh is left to the caller. Markets are the entities, grouped by event; every table
-- the collector writes is a source. With snapshots at most 15 minutes apart (plus a few
-- seconds of jitter), a 20-minute tolerance makes any longer stretch without a row a gap:
-- the collector was not recording that market then.

\set ON_ERROR_STOP on
DO $$
BEGIN
    PERFORM coverage.set_entities('markets', 'ticker', group_column => 'event_ticker',
                                  search_columns => '{title}', status_column => 'status');
    PERFORM coverage.add_source('orderbook_snapshots', 'ticker', 'ts', label => 'snapshots');
    PERFORM coverage.add_source('orderbook_deltas', 'ticker', 'ts', label => 'deltas');
    PERFORM coverage.add_source('trades', 'ticker', 'created_time', label => 'trades');
    PERFORM coverage.set_max_gap('20 minutes');
END
$$;
