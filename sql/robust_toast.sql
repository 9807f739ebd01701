-- Values stored out of line: the type's storage is external, so a large value is kept
-- uncompressed in the toast table and read back a slice at a time (a cancel can land
-- between slices), and first_ts, last_ts, num_segments and max_gap read only the chunks
-- they need. Every function must see the same value whichever way it was stored:
-- in memory, out of line uncompressed, compressed (a column set back to extended), or
-- inline.
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/sql/include/fresh_extension.psql
SET search_path = coverage, public;  -- for the = operator

SELECT typstorage FROM pg_type WHERE oid = 'coverage.coverage'::regtype;

-- 150,000 segments: 3.6 MB, three whole slices of 1 MB and a part of one. Segment i
-- starts at minute 2i and holds i % 7 + 1 points, so no two segments are alike.
CREATE TEMP VIEW fresh AS
SELECT coverage.coverage_agg('2024-01-01'::timestamptz + make_interval(mins => 2 * i)
                             + make_interval(secs => p), '10s') AS c
  FROM generate_series(0, 149999) i, generate_series(0, i % 7) p;

CREATE TABLE stored (label text PRIMARY KEY, c coverage.coverage);
CREATE TABLE stored_compressed (label text PRIMARY KEY, c coverage.coverage);
ALTER TABLE stored_compressed ALTER COLUMN c SET STORAGE EXTENDED;
INSERT INTO stored SELECT 'large', c FROM fresh;
INSERT INTO stored VALUES ('small', 'max_gap=10s [2024-01-01T00:00:00Z,2024-01-01T00:00:05Z]:2');
INSERT INTO stored VALUES ('empty', 'max_gap=10s');
INSERT INTO stored_compressed SELECT 'large', c FROM fresh;

-- How each is kept: the large value out of line, whole (external) or compressed.
SELECT label, pg_column_size(c) AS bytes, pg_column_compression(c) AS compression
  FROM stored ORDER BY label;
SELECT label, pg_column_size(c) < 3600024 AS shrunk, pg_column_compression(c) AS compression
  FROM stored_compressed;

-- Every accessor agrees with the value computed in memory.
SELECT kept, coverage.num_segments(c), coverage.num_points(c), coverage.first_ts(c),
       coverage.last_ts(c), coverage.max_gap(c), coverage.covered(c),
       coverage.covers(c, '2024-01-01 00:02:01+00'), coverage.covers(c, '2024-01-01 00:03+00')
  FROM (SELECT 'memory' AS kept, c FROM fresh
        UNION ALL SELECT 'external', c FROM stored WHERE label = 'large'
        UNION ALL SELECT 'compressed', c FROM stored_compressed) v
 ORDER BY kept;

-- Equality, merge, conversions and segments read the whole value.
SELECT (SELECT c FROM stored WHERE label = 'large') = (SELECT c FROM fresh) AS external_equal,
       (SELECT c FROM stored_compressed) = (SELECT c FROM fresh) AS compressed_equal,
       coverage.merge((SELECT c FROM stored WHERE label = 'large'),
                      (SELECT c FROM stored WHERE label = 'small'))
         = coverage.merge((SELECT c FROM fresh), (SELECT c FROM stored WHERE label = 'small'))
         AS merge_equal,
       (SELECT c FROM stored WHERE label = 'large')::text = (SELECT c FROM fresh)::text
         AS text_equal,
       (SELECT md5(coverage.coverage_send(c)::text) FROM stored WHERE label = 'large')
         = (SELECT md5(coverage.coverage_send(c)::text) FROM fresh) AS binary_equal;
SELECT s.*
  FROM stored, unnest(coverage.segments(c)) s
 WHERE label = 'large' ORDER BY s.start_ts DESC LIMIT 2;

-- The small inline and the empty values, through the accessors that read slices.
SELECT label, coverage.num_segments(c), coverage.first_ts(c), coverage.last_ts(c),
       coverage.max_gap(c)
  FROM stored WHERE label <> 'large' ORDER BY label;

-- A roll-up of stored values equals the merge of the values computed in memory.
SELECT coverage.rollup(c)
         = coverage.merge((SELECT c FROM fresh), (SELECT c FROM stored WHERE label = 'small'))
         AS rollup_equal
  FROM stored WHERE label IN ('large', 'small');
