/// The lease database's schema, versioned: netroot creates it (`netroot leases init-db`, or `serve` on an empty
/// database), upgrades version 1 in place (the same two, in one transaction), and refuses a version it does not
/// know. The constraints hold what the code relies on; a row that breaks them anyway (a constraint dropped by
/// hand) is skipped when read, never fatal (`UnreadableRows`).
///
/// Uniqueness lives in the database, not in any appliance: `address` is the primary key, and a binding is one
/// `INSERT … ON CONFLICT (address) DO UPDATE … WHERE` that takes a row only from the same client, a released or
/// expired lease, or for a known node's reservation. Two appliances binding one address at once serialize on
/// that row; the second sees the first's committed row and is refused.
public enum LeaseSchema {
    /// The version this netroot writes and reads.
    public static let version = 2
    /// Older versions it upgrades in place (`netroot leases init-db`, or `serve`, under the creation lock).
    public static let upgradable: [Int] = [1]

    /// Held for the length of the creating (or upgrading) transaction, so two appliances starting at once create
    /// it once.
    static let creationLock = 0x6E65_7472 // "netr"

    /// Statements creating version 2's tables, each run on its own (the extended protocol takes one statement at
    /// a time); `netroot_commit()` and the version row follow (`commitFunction`, `recordVersion`).
    ///
    /// Version 2 adds what the code relies on to version 1: an address is one IPv4 host (`family = 4`,
    /// `masklen = 32`: `10.0.0.5/24` and `10.0.0.5` would be two primary keys for one address), a client
    /// architecture is 16 bits, and `netroot_leases_rejected`, where an upgrade moves the rows that break them.
    static let create: [String] = [
        "CREATE TABLE netroot_schema (version integer NOT NULL)",
        "CREATE SEQUENCE netroot_lease_revision",
        """
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
            revision bigint NOT NULL DEFAULT nextval('netroot_lease_revision'),
            CONSTRAINT \(oneAddress),
            CONSTRAINT \(architectureRange)
        )
        """,
        "COMMENT ON COLUMN netroot_leases.expires IS 'Unix seconds; 9223372036854775807: never'",
        "COMMENT ON COLUMN netroot_leases.node IS 'the inventory node, NULL for a pool client'",
        "COMMENT ON COLUMN netroot_leases.granted_by IS 'the appliance that wrote the row last'",
        "CREATE INDEX netroot_leases_mac ON netroot_leases (mac)",
        "CREATE INDEX netroot_leases_updated ON netroot_leases (updated_at)",
        """
        CREATE TABLE netroot_appliances (
            name text PRIMARY KEY,
            address text,
            heartbeat timestamptz NOT NULL
        )
        """,
        createRejected,
    ]

    /// The constraints version 2 adds, by name.
    static let oneAddress = "netroot_leases_one_ipv4_address CHECK (family(address) = 4 AND masklen(address) = 32)"
    static let architectureRange =
        "netroot_leases_client_architecture CHECK (client_architecture BETWEEN 0 AND 65535)"

    /// Where an upgrade puts the rows the new constraints refuse: every column nullable, with when and why.
    static let createRejected = """
        CREATE TABLE IF NOT EXISTS netroot_leases_rejected (
            address inet,
            mac macaddr,
            state text,
            expires bigint,
            hostname text,
            client_architecture integer,
            node text,
            granted_by text,
            updated_at timestamptz,
            revision bigint,
            rejected_at timestamptz NOT NULL DEFAULT now(),
            reason text NOT NULL
        )
        """

    /// Moves the rows version 2 refuses to `netroot_leases_rejected`; one row, their count.
    static let moveRejected = """
        WITH moved AS (
            DELETE FROM netroot_leases
             WHERE family(address) <> 4 OR masklen(address) <> 32 OR mac IS NULL OR state IS NULL
                OR state NOT IN ('bound', 'released') OR expires IS NULL OR granted_by IS NULL
                OR updated_at IS NULL OR revision IS NULL OR client_architecture NOT BETWEEN 0 AND 65535
            RETURNING *),
        kept AS (
            INSERT INTO netroot_leases_rejected (address, mac, state, expires, hostname, client_architecture, node,
                                                 granted_by, updated_at, revision, reason)
            SELECT address, mac, state, expires, hostname, client_architecture, node, granted_by, updated_at,
                   revision,
                   CASE WHEN family(address) <> 4 THEN 'not an IPv4 address'
                        WHEN masklen(address) <> 32 THEN 'a network, not one address'
                        WHEN mac IS NULL THEN 'mac is NULL'
                        WHEN state IS NULL OR state NOT IN ('bound', 'released') THEN 'state is not bound or released'
                        WHEN expires IS NULL THEN 'expires is NULL'
                        WHEN granted_by IS NULL THEN 'granted_by is NULL'
                        WHEN client_architecture NOT BETWEEN 0 AND 65535 THEN 'client_architecture is not 16 bits'
                        ELSE 'updated_at or revision is NULL' END
              FROM moved
            RETURNING 1)
        SELECT count(*) FROM kept
        """

    /// Version 1 to 2 once the refused rows are gone: NOT NULL where the code reads a value (a no-op where
    /// version 1 had it already, mending a table someone altered), the state check again, the new checks.
    static let upgradeFrom1: [String] = [
        """
        ALTER TABLE netroot_leases ALTER COLUMN mac SET NOT NULL, ALTER COLUMN state SET NOT NULL,
            ALTER COLUMN expires SET NOT NULL, ALTER COLUMN granted_by SET NOT NULL,
            ALTER COLUMN updated_at SET NOT NULL, ALTER COLUMN revision SET NOT NULL,
            DROP CONSTRAINT IF EXISTS netroot_leases_state_check
        """,
        """
        ALTER TABLE netroot_leases ADD CONSTRAINT netroot_leases_state_check CHECK (state IN ('bound', 'released')),
            ADD CONSTRAINT \(oneAddress), ADD CONSTRAINT \(architectureRange)
        """,
    ]

    /// The version row: inserted in a new database, updated by an upgrade.
    static let recordVersion = """
        WITH updated AS (UPDATE netroot_schema SET version = \(version) RETURNING 1)
        INSERT INTO netroot_schema (version) SELECT \(version) WHERE NOT EXISTS (SELECT 1 FROM updated)
        """

    /// One round trip, one transaction for a whole batch of changes; returns the bindings it refused and the
    /// address's holder. Empty strings and -1 stand for NULL (arrays of optionals do not travel as parameters).
    /// Its search_path is its own (pg_catalog, then `schema`, the quoted name of the schema holding
    /// `netroot_leases`, pg_temp last): a caller's search_path cannot send its statements to other tables or
    /// functions of the same names.
    static func commitFunction(schema: String, replacing: Bool = false) -> String {
        """
        CREATE \(replacing ? "OR REPLACE " : "")FUNCTION netroot_commit(p_kind text[], p_address inet[], p_mac macaddr[],
                                       p_expires bigint[], p_hostname text[], p_arch integer[], p_node text[],
                                       p_appliance text)
        RETURNS TABLE (refused integer, holder_mac text, holder_expires bigint, holder_state text)
        LANGUAGE plpgsql
        SET search_path = pg_catalog, \(schema), pg_temp
        AS $$
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
        $$
        """
    }
}
