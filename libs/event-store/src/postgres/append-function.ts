/**
 * Migration 2 of the PostgreSQL schema: a whole group commit in one statement.
 *
 * `append_batch` takes every append of a batch as arrays and, in the one transaction the statement is, takes the
 * append lock, looks up what the batch needs (commands seen, stream heads, caller-fixed ids already stored), judges
 * each append in order as the port says (idempotency, expected version, unique event ids), chains the hashes, inserts
 * the events and commands of the appends that pass with one INSERT each, and notifies subscribers. One round trip per
 * batch, instead of a savepoint and 4–6 round trips per append; no subtransaction either.
 *
 * Why the lock is held until commit: global positions are max + 1, so a transaction that commits late can never leave
 * a reader past a position it has not yet seen (docs/architecture.md "Ports and adapters": dense positions, in commit
 * order). The lock makes appends from every process one queue; the batch makes that queue short.
 */
export function appendInOneStatement(s: string): string {
  return `
    -- A command's events are found from its row (its stream's versions up to version_after) instead of an index on
    -- events.command_id: one B-tree fewer to write per append. NULL: written by an older Vigil still running during an
    -- upgrade; such a command's events are found by their command id.
    ALTER TABLE ${s}.commands ADD COLUMN event_count integer CHECK (event_count >= 0);
    UPDATE ${s}.commands AS c SET event_count = (SELECT count(*) FROM ${s}.events AS e WHERE e.command_id = c.command_id);
    DROP INDEX ${s}.events_by_command;

    -- The hash of an event (hash-chain.ts, canonicalEnvelope): SHA-256 of its RFC 8785 envelope, whose data and metadata
    -- are the canonical texts stored, stream id and type already written as JSON strings by the caller.
    CREATE FUNCTION ${s}.event_hash(data text, event_id uuid, metadata text, previous_hash text, schema_version integer,
                                    stream_json text, stream_version integer, type_json text) RETURNS text
      LANGUAGE sql STABLE AS $$
        SELECT encode(sha256(convert_to(
          '{"data":' || data || ',"eventId":"' || event_id::text || '","metadata":' || metadata ||
          ',"previousHash":' || coalesce('"' || previous_hash || '"', 'null') ||
          ',"schemaVersion":' || schema_version::text || ',"streamId":' || stream_json ||
          ',"streamVersion":' || stream_version::text || ',"type":' || type_json || '}', 'UTF8')), 'hex')
      $$;

    -- a_*: one element per append; e_*: one per event, an append's events at a_first .. a_first + a_count - 1.
    -- a_expected: a version, -1 for 'any', -2 for 'stream_exists' ('no_stream' is 0). a_same_stream, a_same_command: the
    -- append before it in the batch on the same stream, with the same command id (NULL for none). e_data and e_metadata are JSON
    -- arrays of the events' canonical texts, as they are: elements come out of a json array as the exact text they were.
    -- (Sent so, they need no escaping by the client and are parsed once.)
    -- Out, per append: outcome ('stored', 'duplicate', 'wrong_version', 'event_id_taken'); version (after the append,
    -- the first result's for a duplicate, the actual one for a wrong version); the command's stream and event count
    -- (a duplicate's first result); the caller-fixed id found stored; for a stored append, its first event's position
    -- and previous hash. Per stored event, in order: its hash.
    CREATE FUNCTION ${s}.append_batch(
      a_stream text[], a_stream_json text[], a_command text[], a_expected bigint[], a_first integer[], a_count integer[],
      a_same_stream integer[], a_same_command integer[],
      e_id uuid[], e_fixed boolean[], e_type text[], e_type_json text[], e_schema_version integer[], e_data json, e_metadata json,
      e_recorded_at timestamptz[], batch_recorded_at timestamptz,
      OUT outcomes text[], OUT versions integer[], OUT command_streams text[], OUT command_counts integer[], OUT taken_ids uuid[],
      OUT first_positions bigint[], OUT previous_hashes text[], OUT hashes text[]
    ) LANGUAGE plpgsql
      -- Planned once per session: a custom plan for each call (the planner's pick, as it cannot see that a batch is
      -- small) was a third of a lone append's time.
      SET plan_cache_mode = force_generic_plan
    AS $$
    DECLARE
      appends integer := coalesce(array_length(a_stream, 1), 0);
      data_values json[] := ARRAY(SELECT x.value FROM json_array_elements(e_data) WITH ORDINALITY AS x(value, n) ORDER BY x.n);
      metadata_values json[] := ARRAY(SELECT x.value FROM json_array_elements(e_metadata) WITH ORDINALITY AS x(value, n) ORDER BY x.n);
      head_position bigint;
      last_position bigint;
      command_versions integer[];
      head_versions integer[];
      head_hashes text[];
      after_versions integer[] := '{}';
      after_hashes text[] := '{}';
      first_hashes integer[] := '{}';
      stored_appends integer[] := '{}';
      prior integer;
      stream_at integer;
      chained text;
    BEGIN
      -- A snapshot older than the lock would read a stale head: every statement must see what committed before it.
      IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'Vigil appends run at READ COMMITTED, not %', current_setting('transaction_isolation');
      END IF;
      PERFORM pg_advisory_xact_lock(hashtext('vigil.append:${s}'));
      outcomes := '{}'; versions := '{}'; first_positions := '{}'; previous_hashes := '{}'; hashes := '{}';

      -- What the database knows of each append: its command, its stream's head, a caller-fixed event id already stored.
      SELECT array_agg(c.stream_id ORDER BY w.idx), array_agg(c.version_after ORDER BY w.idx), array_agg(c.event_count ORDER BY w.idx),
             array_agg(coalesce(h.stream_version, 0) ORDER BY w.idx), array_agg(h.hash ORDER BY w.idx), array_agg(t.event_id ORDER BY w.idx)
        INTO command_streams, command_versions, command_counts, head_versions, head_hashes, taken_ids
        FROM generate_subscripts(a_stream, 1) AS w(idx)
        -- LATERAL … LIMIT 1 throughout: one index probe per append, never a scan of a table that only grows.
        LEFT JOIN LATERAL (SELECT c.stream_id, c.version_after, c.event_count FROM ${s}.commands AS c
                            WHERE c.command_id = a_command[w.idx] LIMIT 1) AS c ON true
        LEFT JOIN LATERAL (SELECT e.stream_version, e.hash FROM ${s}.events AS e
                            WHERE e.stream_id = a_stream[w.idx] ORDER BY e.stream_version DESC LIMIT 1) AS h ON true
        LEFT JOIN LATERAL (SELECT e.event_id FROM ${s}.events AS e
                            WHERE true = ANY (e_fixed[a_first[w.idx] : a_first[w.idx] + a_count[w.idx] - 1])
                              AND e.event_id = ANY (e_id[a_first[w.idx] : a_first[w.idx] + a_count[w.idx] - 1])
                            LIMIT 1) AS t ON true;
      SELECT coalesce(max(e.global_position), 0) INTO head_position FROM ${s}.events AS e;
      last_position := head_position;

      -- Each append judged in order, as if alone; only what it stores is hashed. Few statements per append: this loop
      -- is plpgsql, where each one costs.
      FOR app IN 1 .. appends LOOP
        -- The stream and the command as the appends before this one left them.
        prior := a_same_stream[app];
        IF prior IS NULL THEN
          stream_at := head_versions[app]; chained := head_hashes[app];
        ELSE
          stream_at := after_versions[prior]; chained := after_hashes[prior];
        END IF;
        prior := a_same_command[app];
        IF prior IS NOT NULL AND command_streams[app] IS NULL THEN
          command_streams[app] := command_streams[prior]; command_versions[app] := command_versions[prior]; command_counts[app] := command_counts[prior];
        END IF;

        IF command_streams[app] IS NOT NULL THEN
          outcomes[app] := 'duplicate'; versions[app] := command_versions[app];
        ELSIF NOT (a_expected[app] = -1 OR (a_expected[app] = -2 AND stream_at > 0) OR a_expected[app] = stream_at) THEN
          outcomes[app] := 'wrong_version'; versions[app] := stream_at;
        ELSIF taken_ids[app] IS NOT NULL THEN
          outcomes[app] := 'event_id_taken'; versions[app] := stream_at;
        ELSE
          first_positions[app] := last_position + 1; previous_hashes[app] := chained; first_hashes[app] := coalesce(array_length(hashes, 1), 0) + 1;
          FOR ev IN a_first[app] .. a_first[app] + a_count[app] - 1 LOOP
            stream_at := stream_at + 1;
            chained := ${s}.event_hash(data_values[ev]::text, e_id[ev], metadata_values[ev]::text, chained,
                                       e_schema_version[ev], a_stream_json[app], stream_at, e_type_json[ev]);
            hashes := hashes || chained;
          END LOOP;
          last_position := last_position + a_count[app];
          outcomes[app] := 'stored'; versions[app] := stream_at;
          command_streams[app] := a_stream[app]; command_versions[app] := stream_at; command_counts[app] := a_count[app];
          stored_appends := stored_appends || app;
        END IF;
        after_versions[app] := stream_at; after_hashes[app] := chained;
      END LOOP;

      INSERT INTO ${s}.events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash,
                               previous_hash, recorded_at, command_id)
        SELECT first_positions[x.app] + x.k, e_id[x.ev], a_stream[x.app], versions[x.app] - a_count[x.app] + 1 + x.k, e_type[x.ev],
               e_schema_version[x.ev], data_values[x.ev], metadata_values[x.ev], hashes[x.h],
               CASE WHEN x.k = 0 THEN previous_hashes[x.app] ELSE hashes[x.h - 1] END, e_recorded_at[x.ev], a_command[x.app]
          FROM (SELECT s.app, k, a_first[s.app] + k AS ev, first_hashes[s.app] + k AS h
                  FROM unnest(stored_appends) AS s(app), generate_series(0, a_count[s.app] - 1) AS k) AS x;
      INSERT INTO ${s}.commands (command_id, stream_id, version_after, event_count, recorded_at)
        SELECT a_command[x.app], a_stream[x.app], versions[x.app], a_count[x.app], batch_recorded_at
          FROM unnest(stored_appends) AS x(app);
      -- Delivered at commit, so a woken subscriber finds the events.
      IF last_position > head_position THEN
        PERFORM pg_notify('${s}_events', last_position::text);
      END IF;
    END $$;
  `;
}
