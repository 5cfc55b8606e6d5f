/**
 * Migration 5 of the PostgreSQL schema: `append_batch` (append-function.ts) again, same arguments, same answer, with
 * a path of its own for a batch of one append of one event, and fewer statements on the path of the others.
 *
 * Why: a lone append's time went mostly into starting the plans of the batch statements (nested loops over the batch's
 * arrays, aggregates, function scans), not into the rows they touch (bench/README.md "On PostgreSQL"). One append of one
 * event is judged and stored by one-row statements instead, whose plans start cheaply: the command, the stream head,
 * the caller-fixed id if there is one, the last position, then one statement inserting the event and the command.
 * Every other batch runs as before, with the last position read by the lookup statement, the events and commands
 * inserted by one statement, and the loop's arrays filled in place.
 *
 * The judgement is the same on both paths, in the same order (idempotency, expected version, caller-fixed ids), under
 * the same append lock held to commit: positions stay dense and committed in order.
 */
export function appendWithLonePath(s: string): string {
  return `
    CREATE OR REPLACE FUNCTION ${s}.append_batch(
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
      data_values json[];
      metadata_values json[];
      head_position bigint;
      last_position bigint;
      command_versions integer[];
      head_versions integer[];
      head_hashes text[];
      after_versions integer[] := '{}';
      after_hashes text[] := '{}';
      first_hashes integer[] := '{}';
      stored_appends integer[] := '{}';
      stored_count integer := 0;
      hash_count integer := 0;
      prior integer;
      stream_at integer;
      chained text;
      lone_stream text;
      lone_count integer;
      lone_taken uuid;
      lone_data json;
      lone_metadata json;
    BEGIN
      -- A snapshot older than the lock would read a stale head: every statement must see what committed before it.
      IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'Vigil appends run at READ COMMITTED, not %', current_setting('transaction_isolation');
      END IF;

      IF appends = 1 AND a_count[1] = 1 THEN
        -- One append of one event (a lone writer): the batch's judgement, in one-row statements.
        PERFORM pg_advisory_xact_lock(hashtext('vigil.append:${s}'));
        taken_ids := ARRAY[NULL::uuid]; first_positions := '{}'; previous_hashes := '{}'; hashes := '{}';
        SELECT c.stream_id, c.version_after, c.event_count INTO lone_stream, stream_at, lone_count
          FROM ${s}.commands AS c WHERE c.command_id = a_command[1];
        IF lone_stream IS NOT NULL THEN
          outcomes := '{duplicate}'; versions := ARRAY[stream_at]; command_streams := ARRAY[lone_stream]; command_counts := ARRAY[lone_count];
          RETURN;
        END IF;
        command_streams := ARRAY[NULL::text]; command_counts := ARRAY[NULL::integer];
        SELECT e.stream_version, e.hash INTO stream_at, chained
          FROM ${s}.events AS e WHERE e.stream_id = a_stream[1] ORDER BY e.stream_version DESC LIMIT 1;
        stream_at := coalesce(stream_at, 0);
        versions := ARRAY[stream_at];
        IF NOT (a_expected[1] = -1 OR (a_expected[1] = -2 AND stream_at > 0) OR a_expected[1] = stream_at) THEN
          outcomes := '{wrong_version}';
          RETURN;
        END IF;
        IF e_fixed[1] THEN
          SELECT e.event_id INTO lone_taken FROM ${s}.events AS e WHERE e.event_id = e_id[1];
          IF lone_taken IS NOT NULL THEN
            outcomes := '{event_id_taken}'; taken_ids := ARRAY[lone_taken];
            RETURN;
          END IF;
        END IF;
        SELECT coalesce(max(e.global_position), 0) INTO head_position FROM ${s}.events AS e;
        -- The element's exact text (json_array_elements, unlike ->, leaves escapes as they are).
        SELECT x.d, x.m INTO lone_data, lone_metadata FROM ROWS FROM (json_array_elements(e_data), json_array_elements(e_metadata)) AS x(d, m);
        stream_at := stream_at + 1;
        hashes := ARRAY[${s}.event_hash(lone_data::text, e_id[1], lone_metadata::text, chained,
                                        e_schema_version[1], a_stream_json[1], stream_at, e_type_json[1])];
        WITH command AS (
          INSERT INTO ${s}.commands (command_id, stream_id, version_after, event_count, recorded_at)
            VALUES (a_command[1], a_stream[1], stream_at, 1, batch_recorded_at)
        )
        INSERT INTO ${s}.events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash,
                                 previous_hash, recorded_at, command_id)
          VALUES (head_position + 1, e_id[1], a_stream[1], stream_at, e_type[1], e_schema_version[1], lone_data, lone_metadata,
                  hashes[1], chained, e_recorded_at[1], a_command[1]);
        outcomes := '{stored}'; versions := ARRAY[stream_at]; command_streams := ARRAY[a_stream[1]]; command_counts := '{1}';
        first_positions := ARRAY[head_position + 1]; previous_hashes := ARRAY[chained];
        -- Delivered at commit, so a woken subscriber finds the event.
        PERFORM pg_notify('${s}_events', (head_position + 1)::text);
        RETURN;
      END IF;

      -- e_data and e_metadata: elements come out of a json array as the exact text they were.
      SELECT array_agg(x.d ORDER BY x.n), array_agg(x.m ORDER BY x.n) INTO data_values, metadata_values
        FROM ROWS FROM (json_array_elements(e_data), json_array_elements(e_metadata)) WITH ORDINALITY AS x(d, m, n);
      PERFORM pg_advisory_xact_lock(hashtext('vigil.append:${s}'));
      outcomes := '{}'; versions := '{}'; first_positions := '{}'; previous_hashes := '{}'; hashes := '{}';

      -- What the database knows of each append: its command, its stream's head, a caller-fixed event id already stored;
      -- and the last position.
      SELECT array_agg(c.stream_id ORDER BY w.idx), array_agg(c.version_after ORDER BY w.idx), array_agg(c.event_count ORDER BY w.idx),
             array_agg(coalesce(h.stream_version, 0) ORDER BY w.idx), array_agg(h.hash ORDER BY w.idx), array_agg(t.event_id ORDER BY w.idx),
             (SELECT coalesce(max(e.global_position), 0) FROM ${s}.events AS e)
        INTO command_streams, command_versions, command_counts, head_versions, head_hashes, taken_ids, head_position
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
          first_positions[app] := last_position + 1; previous_hashes[app] := chained; first_hashes[app] := hash_count + 1;
          FOR ev IN a_first[app] .. a_first[app] + a_count[app] - 1 LOOP
            stream_at := stream_at + 1;
            chained := ${s}.event_hash(data_values[ev]::text, e_id[ev], metadata_values[ev]::text, chained,
                                       e_schema_version[ev], a_stream_json[app], stream_at, e_type_json[ev]);
            -- In place: appending with || would copy the array each time.
            hash_count := hash_count + 1; hashes[hash_count] := chained;
          END LOOP;
          last_position := last_position + a_count[app];
          outcomes[app] := 'stored'; versions[app] := stream_at;
          command_streams[app] := a_stream[app]; command_versions[app] := stream_at; command_counts[app] := a_count[app];
          stored_count := stored_count + 1; stored_appends[stored_count] := app;
        END IF;
        after_versions[app] := stream_at; after_hashes[app] := chained;
      END LOOP;

      WITH commands AS (
        INSERT INTO ${s}.commands (command_id, stream_id, version_after, event_count, recorded_at)
          SELECT a_command[y.app], a_stream[y.app], versions[y.app], a_count[y.app], batch_recorded_at
            FROM unnest(stored_appends) AS y(app)
      )
      INSERT INTO ${s}.events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash,
                               previous_hash, recorded_at, command_id)
        SELECT first_positions[x.app] + x.k, e_id[x.ev], a_stream[x.app], versions[x.app] - a_count[x.app] + 1 + x.k, e_type[x.ev],
               e_schema_version[x.ev], data_values[x.ev], metadata_values[x.ev], hashes[x.h],
               CASE WHEN x.k = 0 THEN previous_hashes[x.app] ELSE hashes[x.h - 1] END, e_recorded_at[x.ev], a_command[x.app]
          FROM (SELECT s.app, k, a_first[s.app] + k AS ev, first_hashes[s.app] + k AS h
                  FROM unnest(stored_appends) AS s(app), generate_series(0, a_count[s.app] - 1) AS k) AS x;
      -- Delivered at commit, so a woken subscriber finds the events.
      IF last_position > head_position THEN
        PERFORM pg_notify('${s}_events', last_position::text);
      END IF;
    END $$;
  `;
}
