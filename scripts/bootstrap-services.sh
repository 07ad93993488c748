#!/usr/bin/env bash
# Installs and starts the services the integration and end-to-end tests need, on Debian 12 without systemd:
#   PostgreSQL on 127.0.0.1:5432 (trust for postgres over loopback TCP), Redis on 127.0.0.1:6379 (no persistence),
#   the OpenSSH server binaries (sshd, ssh-keygen; the system sshd service is NOT enabled or started: tests start
#   their own sshd on a free loopback port), git and ansible-core. Terraform is optional and only reported.
# Idempotent: safe to run again when everything is already there. Run as root (or via sudo) on a fresh machine.
# Loopback trust authentication is meant for development and CI machines only.
set -euo pipefail

PACKAGES=(postgresql redis-server openssh-server openssh-client git ansible-core)
READY_TIMEOUT_SECONDS=30
HBA_MARKER='# added by scripts/bootstrap-services.sh: trust loopback TCP for postgres (dev/CI only)'

report() { printf '%-16s %s\n' "$1" "$2"; }
fail() {
  printf 'bootstrap-services: %s\n' "$1" >&2
  exit 1
}
is_root() { [ "$(id -u)" -eq 0 ]; }
package_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Waits (bounded) until the command given as arguments succeeds.
wait_until() {
  local deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then return 1; fi
    sleep 0.5
  done
}

ensure_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    if package_installed "$pkg"; then report "$pkg" ok; else missing+=("$pkg"); fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0

  is_root || fail "missing packages: ${missing[*]}. Run this script as root (sudo bash $0) or install them: sudo apt-get install -y ${missing[*]}"

  # Keep the system sshd from ever being started by the package (Debian's documented switch, honoured by both the
  # init script and the systemd unit). Only done when openssh-server is being installed here, so an existing,
  # deliberately configured sshd is never touched.
  if [[ " ${missing[*]} " == *' openssh-server '* ]]; then
    mkdir -p /etc/ssh
    touch /etc/ssh/sshd_not_to_be_run
  fi
  # Do not let maintainer scripts start services: this script starts what the tests need itself.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    created_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi

  export DEBIAN_FRONTEND=noninteractive
  local apt_opts=(-q -y -o DPkg::Lock::Timeout=300)
  apt-get "${apt_opts[@]}" update >/dev/null || fail "apt-get update failed: check network access to the Debian mirrors and /etc/apt/sources.list*"
  apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]} failed: run it by hand to see the error (apt-get install ${missing[*]})"

  if [ "$created_policy" -eq 1 ]; then
    rm -f "$policy"
    trap - EXIT
  fi
  for pkg in "${missing[@]}"; do
    package_installed "$pkg" || fail "$pkg is still not installed after apt-get install"
    report "$pkg" installed
  done
}

postgres_version() {
  local ver
  # shellcheck disable=SC2012 # version directories are plain numbers ("15", "16")
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
  # shellcheck disable=SC2012
  if [ -z "$ver" ]; then ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1 || true); fi
  [ -n "$ver" ] || fail "no PostgreSQL installation found under /etc/postgresql or /usr/lib/postgresql"
  printf '%s' "$ver"
}

postgres_tcp_works() {
  PGCONNECT_TIMEOUT=5 psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1
}

ensure_postgres_trust() {
  local ver=$1 hba
  postgres_tcp_works && return 0
  is_root || fail "cannot connect as postgres to 127.0.0.1:5432 without a password; as root, rerun this script (it adds a loopback trust rule to pg_hba.conf)"
  hba=$(runuser -u postgres -- psql -tAc 'show hba_file' 2>/dev/null || true)
  [ -n "$hba" ] || hba=/etc/postgresql/$ver/main/pg_hba.conf
  [ -f "$hba" ] || fail "pg_hba.conf not found at $hba"
  if ! grep -qF "$HBA_MARKER" "$hba"; then
    local tmp
    tmp=$(mktemp)
    {
      printf '%s\n' "$HBA_MARKER"
      printf 'host    all    postgres    127.0.0.1/32    trust\n'
      printf 'host    all    postgres    ::1/128         trust\n'
      cat "$hba"
    } >"$tmp"
    cat "$tmp" >"$hba" # keeps owner and mode of the original file
    rm -f "$tmp"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$ver" main reload >/dev/null
  wait_until postgres_tcp_works ||
    fail "PostgreSQL still refuses postgres@127.0.0.1 without a password; check $hba (trust rules must come first)"
  report pg_hba.conf "trust added for postgres on 127.0.0.1/32 and ::1/128"
}

ensure_postgres() {
  local ver
  ver=$(postgres_version)
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    report postgresql "ok (running, version $ver)"
  else
    is_root || fail "PostgreSQL is not running on 127.0.0.1:5432; start it as root: pg_ctlcluster --skip-systemctl-redirect $ver main start"
    if [ ! -d "/etc/postgresql/$ver/main" ]; then
      pg_createcluster "$ver" main >/dev/null || fail "pg_createcluster $ver main failed"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start ||
      fail "could not start PostgreSQL; see /var/log/postgresql/postgresql-$ver-main.log"
    wait_until pg_isready -q -h 127.0.0.1 -p 5432 ||
      fail "PostgreSQL did not accept connections on 127.0.0.1:5432 within ${READY_TIMEOUT_SECONDS}s; see /var/log/postgresql/postgresql-$ver-main.log"
    report postgresql "started (version $ver)"
  fi
  ensure_postgres_trust "$ver"
}

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; }

ensure_redis() {
  if redis_answers; then
    report redis "ok (running)"
    return 0
  fi
  is_root || fail "Redis is not running on 127.0.0.1:6379; run this script as root to start it"
  mkdir -p /var/lib/redis /var/log/redis
  local args=(--daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no
    --dir /var/lib/redis --logfile /var/log/redis/ci.log)
  if id redis >/dev/null 2>&1; then
    # Run as the package's unprivileged user rather than root.
    # The log may have been created by an earlier root-run redis-server: hand it over.
    touch /var/log/redis/ci.log
    chown redis /var/lib/redis /var/log/redis /var/log/redis/ci.log
    runuser -u redis -- redis-server "${args[@]}" || fail "could not start redis-server; see /var/log/redis/ci.log"
  else
    redis-server "${args[@]}" || fail "could not start redis-server; see /var/log/redis/ci.log"
  fi
  wait_until redis_answers ||
    fail "Redis did not answer PING on 127.0.0.1:6379 within ${READY_TIMEOUT_SECONDS}s; see /var/log/redis/ci.log"
  report redis started
}

ensure_sshd_binary() {
  local sshd
  sshd=$(command -v sshd || true)
  if [ -z "$sshd" ] && [ -x /usr/sbin/sshd ]; then sshd=/usr/sbin/sshd; fi
  [ -n "$sshd" ] || fail "sshd binary not found although openssh-server is installed"
  command -v ssh-keygen >/dev/null || fail "ssh-keygen not found although openssh-client is installed"
  # Privilege separation directory, needed when sshd runs as root (tests start their own sshd).
  if is_root && [ ! -d /run/sshd ]; then install -d -m 0755 /run/sshd; fi
  report sshd "ok ($sshd; the system sshd service is not started)"
}

report_terraform() {
  if [ -x /usr/local/bin/terraform ]; then
    report terraform "ok (/usr/local/bin/terraform, optional)"
  else
    report terraform "not found at /usr/local/bin/terraform (optional)"
  fi
}

ensure_packages
ensure_postgres
ensure_redis
ensure_sshd_binary
report_terraform
echo 'bootstrap-services: all services ready'
