-- netroot's lease schema version 1, as netroot created it before version 2 (issue 26): integration/ha makes
-- version 1 databases from it to test the upgrade (`leases init-db`, and `serve` on start). Kept as it was.
CREATE TABLE netroot_schema (version integer NOT NULL);
CREATE SEQUENCE netroot_lease_revision;
CREATE TABLE netroot_leases (
    address inet PRIMARY KEY,
    mac macaddr NOT NULL,
    state text NOT NULL CHECK (state IN ('bound', 'released')),
    expires bigint NOT NULL,
    hostname text,
    client_architecture integer,
    node text,
    granted_by text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    revision bigint NOT NULL DEFAULT nextval('netroot_lease_revision')
);
COMMENT ON COLUMN netroot_leases.expires IS 'Unix seconds; 9223372036854775807: never';
COMMENT ON COLUMN netroot_leases.node IS 'the inventory node, NULL for a pool client';
COMMENT ON COLUMN netroot_leases.granted_by IS 'the appliance that wrote the row last';
CREATE INDEX netroot_leases_mac ON netroot_leases (mac);
CREATE INDEX netroot_leases_updated ON netroot_leases (updated_at);
CREATE TABLE netroot_appliances (
    name text PRIMARY KEY,
    address text,
    heartbeat timestamptz NOT NULL
);
CREATE FUNCTION netroot_commit(p_kind text[], p_address inet[], p_mac macaddr[], p_expires bigint[],
                               p_hostname text[], p_arch integer[], p_node text[], p_appliance text)
RETURNS TABLE (refused integer, holder_mac text, holder_expires bigint, holder_state text)
LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    db_now bigint := extract(epoch FROM clock_timestamp())::bigint;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_kind, 1), 0) LOOP
        IF p_kind[i] = 'bind' THEN
            INSERT INTO netroot_leases AS l
                (address, mac, state, expires, hostname, client_architecture, node, granted_by)
            VALUES (p_address[i], p_mac[i], 'bound', p_expires[i], nullif(p_hostname[i], ''),
                    nullif(p_arch[i], -1), nullif(p_node[i], ''), p_appliance)
            ON CONFLICT (address) DO UPDATE
                SET mac = EXCLUDED.mac, state = 'bound', expires = EXCLUDED.expires,
                    hostname = EXCLUDED.hostname, client_architecture = EXCLUDED.client_architecture,
                    node = EXCLUDED.node, granted_by = EXCLUDED.granted_by, updated_at = now(),
                    revision = nextval('netroot_lease_revision')
                WHERE EXCLUDED.node IS NOT NULL OR l.mac = EXCLUDED.mac OR l.state <> 'bound'
                      OR l.expires <= db_now;
            IF FOUND THEN
                -- A client holds one address: a move ends its lease on the old one.
                UPDATE netroot_leases
                   SET state = 'released', expires = least(expires, db_now), granted_by = p_appliance,
                       updated_at = now(), revision = nextval('netroot_lease_revision')
                 WHERE mac = p_mac[i] AND address <> p_address[i] AND state = 'bound';
            ELSE
                RETURN QUERY SELECT i, l.mac::text, l.expires, l.state
                               FROM netroot_leases l WHERE l.address = p_address[i];
            END IF;
        ELSE
            UPDATE netroot_leases
               SET state = 'released', expires = least(expires, db_now), granted_by = p_appliance,
                   updated_at = now(), revision = nextval('netroot_lease_revision')
             WHERE address = p_address[i] AND mac = p_mac[i] AND state = 'bound';
        END IF;
    END LOOP;
END
$$;
INSERT INTO netroot_schema (version) VALUES (1);
