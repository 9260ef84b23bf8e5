# A throw-away PostgreSQL 15 for the integration scripts and benchmarks (source it): one cluster in DIR,
# reachable only on a Unix socket in DIR/sock (a path socket, so processes in any network namespace reach it;
# no TCP port), fsync on, user `netroot` with a SCRAM password (DIR/pgpw) owning database `netroot`; the
# postgres superuser is trusted over the socket. The server runs as the postgres user (initdb refuses root).
#   pg_start DIR      initdb (first time only) and start; DIR's parents must be searchable by postgres; its
#                     immediate shutdown (pg_kill) goes on lib.sh's exit stack
#   PG_NETNS=NS PG_LISTEN=ADDRESS PG_TLS_CERT=PEM PG_TLS_KEY=PEM pg_start DIR
#                     the same, and listening on ADDRESS:5432 inside network namespace NS with TLS (certificate
#                     and key copied into the cluster), password logins over TLS only
#   pg_reload DIR     re-reads the configuration and the TLS certificate (DIR/data/server.crt, server.key)
#   pg_stop DIR       fast shutdown (nothing if it is not running)
#   pg_kill DIR       immediate shutdown, as a crash would (the next start recovers from the WAL)
#   pg_restart DIR    start again on the same data (stopping first if it runs)
#   pg_psql DIR SQL [DATABASE]   psql as postgres (default database netroot), -At output, stops on errors
#   pg_url DIR [DATABASE]        the URL netroot's server.leases.url takes for this cluster
#   pg_running DIR    true while the server answers
# Everything the cluster writes stays in DIR; the caller removes DIR (make_work's directory is removed after the
# server's pg_kill, which was put on the exit stack later).
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# pg_as_postgres COMMAND...: runs as the postgres user from /, so a root-only working directory does not matter.
# PG_AS_NETNS=NS runs it inside network namespace NS.
pg_as_postgres() { (cd / && ${PG_AS_NETNS:+ip netns exec "$PG_AS_NETNS"} runuser -u postgres -- "$@"); }

pg_start() {
  local dir=$1 password
  [ -x "$PG_BIN/initdb" ] || { echo "pg_start: no PostgreSQL 15 at $PG_BIN (run integration/setup-host)" >&2; return 1; }
  declare -F on_exit >/dev/null && on_exit pg_kill "$dir"
  mkdir -p "$dir"
  chmod 711 "$dir"
  if [ ! -s "$dir/data/PG_VERSION" ]; then
    mkdir -p "$dir/data" "$dir/sock"
    touch "$dir/server.log"
    chown postgres: "$dir/data" "$dir/sock" "$dir/server.log"
    chmod 700 "$dir/data"
    chmod 755 "$dir/sock"
    pg_as_postgres test -w "$dir/data" || {
      echo "pg_start: the postgres user cannot reach $dir (make its parent directories searchable)" >&2; return 1; }
    [ -s "$dir/pgpw" ] || { head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/pgpw"; chmod 600 "$dir/pgpw"; }
    pg_as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale --no-sync \
      --auth-local=trust --auth-host=reject >"$dir/initdb.log" 2>&1 \
      || { echo "pg_start: initdb failed:" >&2; tail -5 "$dir/initdb.log" >&2; return 1; }
    # The socket (and ADDRESS with TLS when asked); durable commits as in production (fsync, synchronous_commit
    # are the defaults, said aloud).
    echo "${PG_NETNS:-}" >"$dir/netns"
    if [ -n "${PG_TLS_CERT:-}" ]; then
      install -o postgres -m 600 "$PG_TLS_CERT" "$dir/data/server.crt"
      install -o postgres -m 600 "$PG_TLS_KEY" "$dir/data/server.key"
      printf "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n" >>"$dir/data/postgresql.conf"
    fi
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '${PG_LISTEN:-}'
unix_socket_directories = '$dir/sock'
unix_socket_permissions = 0777
fsync = on
synchronous_commit = on
password_encryption = 'scram-sha-256'
max_connections = 50
CONF
    # The superuser trusted on the socket (the test's own psql); netroot and everyone else by password.
    cat >"$dir/data/pg_hba.conf" <<HBA
local all postgres trust
local all all scram-sha-256
hostssl all all 0.0.0.0/0 scram-sha-256
HBA
    pg_ctl_start "$dir" || return 1
    password=$(head -1 "$dir/pgpw")
    pg_psql "$dir" "create role netroot login password '$password'" postgres >/dev/null || return 1
    pg_psql "$dir" "create database netroot owner netroot" postgres >/dev/null || return 1
  else
    pg_ctl_start "$dir"
  fi
}

# pg_ctl_start DIR: starts the server on existing data and waits until it accepts connections.
pg_ctl_start() {
  PG_AS_NETNS=$(cat "$1/netns" 2>/dev/null) pg_as_postgres "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 start >/dev/null \
    || { echo "pg_start: the server did not start:" >&2; tail -5 "$1/server.log" >&2; return 1; }
}

pg_running() { [ -d "$1/data" ] && pg_as_postgres "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

pg_stop() {
  pg_running "$1" || return 0
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w -t 30 stop >/dev/null
}

pg_kill() {
  pg_running "$1" || return 0
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w -t 30 stop >/dev/null
}

pg_reload() { pg_as_postgres "$PG_BIN/pg_ctl" -D "$1/data" reload >/dev/null; }

pg_restart() {
  pg_stop "$1" && pg_ctl_start "$1"
}

pg_psql() {
  pg_as_postgres "$PG_BIN/psql" -h "$1/sock" -U postgres -d "${3:-netroot}" -At -X -q -v ON_ERROR_STOP=1 -c "$2"
}

pg_url() { echo "postgresql://netroot@localhost/${2:-netroot}?host=$1/sock"; }
