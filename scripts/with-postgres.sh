#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: initdb into a temporary folder as a
# non-root user, start it on a free loopback port, export FORCEB_DATABASE_URL, stop and remove
# it afterwards whatever the command's outcome.
set -euo pipefail

bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then bindir=$candidate; fi
done
if [ -z "$bindir" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    for candidate in /usr/lib/postgresql/*/bin; do bindir=$candidate; done
  fi
  [ -x "$bindir/initdb" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }
fi

run_as=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root.
  id forceb-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin forceb-pg
  run_as=(runuser -u forceb-pg --)
fi

tmp=$(mktemp -d /tmp/forceb-pg.XXXXXX)
chmod 755 "$tmp"
[ ${#run_as[@]} -eq 0 ] || chown forceb-pg "$tmp"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U forceb -A trust -E UTF8 --no-locale >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
  -o "-p $port -k $tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U forceb forceb

export FORCEB_DATABASE_URL="postgres://forceb@127.0.0.1:$port/forceb"
echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
