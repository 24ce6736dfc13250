#!/usr/bin/env bash
# Registrations per second through the real HTTP forms, on both engines (issue 10).
#
# Every client does what a browser does for one Registrasi Pemohon, over and over, each time
# as a new visitor: GET /layanan/registrasi (the form, its hidden `csrf` and `form_id`, the
# form-token cookie it sets), POST a complete valid registration (a username, email and NIK no
# one used before), GET the confirmation page the 303 names. The load generator is wrk with
# benches/registrations.lua, one connection per wrk thread (the script's state is per thread),
# kept alive across the visitors of that client.
#
# The service is the real release binary, `sicantik serve`, started per engine in a temporary
# directory of its own (its own data dir, no SMTP server so every email becomes an .eml file,
# no Pagefind, one officer so that each registration also composes the officers' notice), with
# SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS raised: every client is 127.0.0.1.
#
#   embedded   the default: SQLite file + documents folder in the data dir
#   postgres   PostgreSQL + S3: a fresh database on the server of SICANTIK_TEST_POSTGRES_URL
#              and a fresh prefix in SICANTIK_TEST_S3_BUCKET at SICANTIK_TEST_S3_ENDPOINT.
#              When those do not point to servers that answer, the script sources
#              .ci/services, which starts throwaway ones (and stops them at the end).
#
# For each engine it runs every concurrency level for a warm-up and then a measured run, and
# prints per level: registrations/s (303 answers to the POST per second), p50/p99 of a whole
# registration (form request to confirmation answer) and of single requests (timed by the Lua
# script; wrk's own histogram is printed beside, see registrations.lua), and errors (any answer other than the expected 200/303/200, socket errors,
# requests lost with their connection), each error listed with what the page said. Then it
# compares the embedded engine's figures with the aim of issue 10, and runs one more embedded
# level under `perf record` to say where the CPU goes (each sample counted once, by thread and
# call stack: the writer's statements, commit and fsync, the emails composed inside its
# transaction, page rendering, HTTP, the outbox worker, argon2, ...) and what one registration
# costs in CPU. After each engine it checks that every acknowledged registration is stored and
# says how far the outbox worker got. Prints figures; asserts nothing.
#
# Rerun (from any directory; it builds `cargo build --release` with your CARGO_TARGET_DIR):
#
#   bash benches/registrations.sh                           # both engines, 1 8 32 128 clients
#   bash benches/registrations.sh --engine embedded --duration 30 --no-profile
#   bash benches/registrations.sh --clients "32 64" --warmup 5
#
# Options: --engine embedded|postgres|all (all), --clients "LIST" ("1 8 32 128"),
# --duration SECONDS per measured run (10), --warmup SECONDS before each (3),
# --profile-clients N (32), --no-profile, --no-build (use the binary as it is),
# --keep (keep the data directories, wrk's per-thread latency files and perf's script output;
# logs, wrk outputs and the profile are always kept).
#
# Needs: wrk (Debian package `wrk`, LuaJIT scripting), curl, python3 (free ports, counting
# what was stored, the profile summary), perf for the profile (Debian `linux-perf`), and for
# PostgreSQL + S3 what .ci/install installs (postgresql, moto[server]).
#
# The figures are only as good as the machine is quiet: wrk runs on the same cores as the
# service (and on PostgreSQL + S3, the database and moto too). So the script prints the load
# average before each run, and per level how many cores the service, wrk and the whole
# machine kept busy; "all cores" well above the first two means someone else was busy too.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lua=$repo/benches/registrations.lua

engines=all
levels="1 8 32 128"
duration=10
warmup=3
profile=1
profile_clients=32
build=1
keep=0
while (($#)); do
  case $1 in
    --engine) engines=$2; shift 2 ;;
    --clients) levels=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --profile-clients) profile_clients=$2; shift 2 ;;
    --no-profile) profile=0; shift ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) printf 'unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
case $engines in
  all) engines="embedded postgres" ;;
  embedded | sqlite) engines=embedded ;;
  postgres | pg) engines=postgres ;;
  *) printf -- '--engine must be embedded, postgres or all, not %s\n' "$engines" >&2; exit 2 ;;
esac

say() { printf '[bench] %s\n' "$*"; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
command -v curl >/dev/null || die "curl not found"
if ((profile)) && ! command -v perf >/dev/null; then
  say "perf not found (apt-get install linux-perf): no profile"
  profile=0
fi

# --- Build --------------------------------------------------------------------------------
target=${CARGO_TARGET_DIR:-$repo/target}
[[ $target = /* ]] || target=$repo/$target
bin=$target/release/sicantik
if ((build)); then
  say "cargo build --release (target dir $target)"
  (cd "$repo" && cargo build --release --quiet)
fi
[[ -x $bin ]] || die "$bin not found; build it with cargo build --release"

# --- Cleanup ------------------------------------------------------------------------------
out=$(mktemp -d /tmp/sicantik-bench-registrations.XXXXXX)
server_pid=
perf_pid=
pg_database=
pg_admin_url=

stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}

drop_database() {
  if [[ -n $pg_database && -n $pg_admin_url ]]; then
    psql "$pg_admin_url" -XAtqc "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  pg_database=
}

cleanup() {
  if [[ -n $perf_pid ]] && kill -0 "$perf_pid" 2>/dev/null; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
  fi
  stop_server
  drop_database
  if ((!keep)); then
    rm -rf "$out"/*/data "$out"/*/public "$out"/*/threads "$out"/*/perf-script.txt
  fi
  say "logs, wrk outputs and the profile are in $out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- PostgreSQL + S3 servers --------------------------------------------------------------
if [[ " $engines " == *" postgres "* ]]; then
  # Sourced after our trap is set, so that its own EXIT trap chains onto ours.
  # shellcheck source=../.ci/services
  source "$repo/.ci/services" || die "could not start PostgreSQL and moto (bash .ci/install first?)"
  if ! command -v psql >/dev/null; then
    pg_bindir=$(_sicantik_svc_pg_bindir) || die "psql not found"
    PATH=$pg_bindir:$PATH
  fi
fi

# --- One engine ---------------------------------------------------------------------------
# The service's environment: nothing of the caller's SICANTIK_* settings.
service_env=()
for v in $(compgen -e); do
  [[ $v == SICANTIK_* ]] && service_env+=(-u "$v")
done

start_service() { # engine dir port
  local engine=$1 dir=$2 port=$3
  local addr=127.0.0.1:$port
  local -a envs=(
    SICANTIK_ADDR="$addr"
    SICANTIK_DATA_DIR="$dir/data"
    SICANTIK_BASE_URL="http://$addr"
    SICANTIK_LOG=warn
    SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS=1000000
  )
  if [[ $engine == postgres ]]; then
    pg_admin_url=$SICANTIK_TEST_POSTGRES_URL
    pg_database=sicantik_bench_$(date +%s)_$$
    psql "$pg_admin_url" -XAtqc "CREATE DATABASE $pg_database" >/dev/null \
      || die "could not create the database $pg_database"
    local url=${pg_admin_url%/*}/$pg_database
    envs+=(
      SICANTIK_DATABASE_URL="$url"
      SICANTIK_STORAGE_URL="s3://$SICANTIK_TEST_S3_BUCKET/$pg_database"
      SICANTIK_S3_ENDPOINT="$SICANTIK_TEST_S3_ENDPOINT"
    )
  fi
  local -a cmd=(env "${service_env[@]}" "${envs[@]}" "$bin" --content "$repo/content"
    --theme "$repo/themes/default" --out "$dir/public")
  mkdir -p "$dir/data"
  # One officer of the site's instansi, so that a registration also composes their notice.
  (cd "$dir" && printf '%s\n' 'petugas perizinan sumsel 2026' \
    | "${cmd[@]}" officer add --username petugas1 --name "Petugas Satu" \
      --email petugas1@dpmptsp.test --password-stdin) >"$dir/officer.log" 2>&1 \
    || { cat "$dir/officer.log" >&2; die "sicantik officer add failed"; }
  (cd "$dir" && exec "${cmd[@]}" serve) >"$dir/serve.log" 2>&1 </dev/null &
  server_pid=$!
  local i
  for ((i = 0; i < 1800; i++)); do
    kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$dir/serve.log" >&2; die "sicantik serve exited"; }
    curl -fsS -o /dev/null "http://$addr/layanan/registrasi" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 30 "$dir/serve.log" >&2
  die "sicantik serve did not answer on $addr within 180 s"
}

# What the store holds against what was acknowledged: registrations, and emails by status
# (how far the outbox worker got).
report_stored() { # engine dir
  local engine=$1 dir=$2 regs mails
  local q1="SELECT count(*) FROM applicants"
  local q2="SELECT count(*) FILTER (WHERE status = 'antre') || ' queued, ' ||
    count(*) FILTER (WHERE status = 'terkirim') || ' sent, ' ||
    count(*) FILTER (WHERE status = 'gagal') || ' failed' FROM outbox"
  if [[ $engine == postgres ]]; then
    local url=${pg_admin_url%/*}/$pg_database
    regs=$(psql "$url" -XAtqc "$q1")
    mails=$(psql "$url" -XAtqc "$q2")
  else
    local db=$dir/data/sicantik.sqlite3
    regs=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$q1")
    mails=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$q2")
  fi
  say "$engine: $regs registrations stored, $acknowledged acknowledged with a 303 (warm-ups and the profile included)"
  if ((regs < acknowledged)); then
    say "$engine: WARNING: $((acknowledged - regs)) acknowledged registrations are not in the store"
  elif ((regs > acknowledged)); then
    say "$engine: the $((regs - acknowledged)) more stored were POSTs still in flight when a run stopped"
  fi
  say "$engine: outbox at the end: $mails (.eml files; every registration has 2 emails)"
}

field() { # RESULT-line key
  local k
  for k in $1; do
    [[ $k == "$2="* ]] && { printf '%s' "${k#*=}"; return; }
  done
}

declare -A results   # "engine clients" -> RESULT line
acknowledged=0       # 303 answers to the POST in this engine's runs, warm-ups included
run_tag=0

result= # the RESULT line of the last run_wrk
# CPU time of a process in clock ticks (utime + stime); of the machine: busy and all ticks.
process_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat; }

# Runs wrk; sets $result to its RESULT line with how many cores the service, wrk and the whole
# machine kept busy on average (cores = CPU seconds / wall seconds).
run_wrk() { # engine dir clients seconds label
  local engine=$1 dir=$2 clients=$3 seconds=$4 label=$5 log hz svc0 svc1 m0 m1 t0 t1 wrk_cpu
  run_tag=$((run_tag + 1))
  log=$dir/wrk-$label-c$clients.txt
  hz=$(getconf CLK_TCK)
  mkdir -p "$dir/threads"
  svc0=$(process_ticks "$server_pid")
  m0=$(machine_ticks)
  t0=$(date +%s%N)
  local TIMEFORMAT='%U %S'
  { time wrk -t "$clients" -c "$clients" -d "${seconds}s" --timeout 30s -s "$lua" \
    "http://127.0.0.1:$port" -- "$run_tag" "$clients" "$dir/threads" >"$log" 2>&1; } 2>"$log.time" || {
    cat "$log" >&2
    die "wrk failed"
  }
  t1=$(date +%s%N)
  svc1=$(process_ticks "$server_pid")
  m1=$(machine_ticks)
  wrk_cpu=$(awk '{ print $1 + $2 }' "$log.time")
  result=$(grep '^RESULT ' "$log" | tail -n 1) || { cat "$log" >&2; die "no RESULT from wrk"; }
  result+=$(awk -v s0="$svc0" -v s1="$svc1" -v hz="$hz" -v w="$wrk_cpu" -v t0="$t0" -v t1="$t1" \
    -v m0="$m0" -v m1="$m1" 'BEGIN {
      wall = (t1 - t0) / 1e9; split(m0, a, " "); split(m1, b, " ")
      printf " service_cores=%.2f wrk_cores=%.2f machine_cores=%.2f", (s1 - s0) / hz / wall, w / wall,
        (b[1] - a[1]) / hz / wall
    }')
  acknowledged=$((acknowledged + $(field "$result" registrations)))
}

engine_label() {
  case $1 in
    embedded) printf 'embedded (SQLite file + documents folder)' ;;
    postgres) printf 'PostgreSQL + S3 (moto)' ;;
  esac
}

for engine in $engines; do
  dir=$out/$engine
  mkdir -p "$dir"
  port=$(free_port)
  say "$(engine_label "$engine"): starting sicantik serve on 127.0.0.1:$port (log $dir/serve.log)"
  start_service "$engine" "$dir" "$port"
  acknowledged=0
  for c in $levels; do
    say "$engine, $c clients: warm-up ${warmup} s, then ${duration} s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if ((warmup > 0)); then
      run_wrk "$engine" "$dir" "$c" "$warmup" warmup
      if (($(field "$result" errors) > 0)); then
        say "warm-up errors: $(field "$result" errors) (see $dir/wrk-warmup-c$c.txt)"
      fi
    fi
    run_wrk "$engine" "$dir" "$c" "$duration" run
    results["$engine $c"]=$result
    # wrk's summary and the script's report, every error listed.
    sed -n '/^registrations:/,/^RESULT/p' "$dir/wrk-run-c$c.txt" | grep -v '^RESULT' | sed 's/^/    /'
  done

  if [[ $engine == embedded ]] && ((profile)); then
    say "embedded, $profile_clients clients under perf record (${duration} s; not part of the table)"
    # DWARF call graphs: Rust's release code keeps no frame pointers, so `-g` (frame pointers)
    # would give the right functions but wrong callers; the release profile has line tables.
    perf record -F 199 --call-graph dwarf,16384 -p "$server_pid" -o "$dir/perf.data" \
      -- sleep "$duration" >"$dir/perf-record.log" 2>&1 &
    perf_pid=$!
    # perf samples for as long as wrk runs, starting a moment earlier (to attach).
    sleep 0.2
    run_wrk "$engine" "$dir" "$profile_clients" "$duration" profile
    wait "$perf_pid" || true
    perf_pid=
    profile_result=$result
    say "under perf: $(field "$result" rate) registrations/s, $(field "$result" errors) errors"
  fi

  sleep 1
  report_stored "$engine" "$dir"
  stop_service_log=$(grep -ciE '\b(error|panic)' "$dir/serve.log" || true)
  ((stop_service_log == 0)) || say "$engine: $stop_service_log error lines in $dir/serve.log, the first:" \
    "$(grep -m1 -iE '\b(error|panic)' "$dir/serve.log")"
  stop_server
  drop_database
done

# --- Report -------------------------------------------------------------------------------
echo
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');" \
  "wrk on the same machine; ${duration} s per level after a ${warmup} s warm-up"
for engine in $engines; do
  echo
  echo "$(engine_label "$engine")"
  printf '%8s %16s %11s %11s %11s %11s %7s %9s %9s %9s\n' clients registrations/s "reg p50 ms" \
    "reg p99 ms" "req p50 ms" "req p99 ms" errors "svc cores" "wrk cores" "all cores"
  for c in $levels; do
    l=${results["$engine $c"]}
    printf '%8s %16s %11s %11s %11s %11s %7s %9s %9s %9s\n' "$c" "$(field "$l" rate)" \
      "$(field "$l" reg_p50)" "$(field "$l" reg_p99)" "$(field "$l" req_p50)" "$(field "$l" req_p99)" \
      "$(field "$l" errors)" "$(field "$l" service_cores)" "$(field "$l" wrk_cores)" \
      "$(field "$l" machine_cores)"
  done
done
echo
echo "reg = one whole registration (form, POST, confirmation page); req = one request of the three;"
echo "cores = CPU seconds per wall second of the service, of wrk, and of the whole machine (others included)"

if [[ " $engines " == *" embedded "* ]]; then
  # The aim of issue 10, judged on the whole registration's p99 (the stricter reading).
  best= best_rate=0 fastest= fastest_rate=0
  for c in $levels; do
    l=${results["embedded $c"]}
    rate=$(field "$l" rate)
    if awk -v r="$rate" -v f="$fastest_rate" 'BEGIN { exit !(r > f) }'; then
      fastest=$c fastest_rate=$rate
    fi
    if awk -v p="$(field "$l" reg_p99)" -v r="$rate" -v b="$best_rate" -v e="$(field "$l" errors)" \
      'BEGIN { exit !(p < 100 && r > b && e == 0) }'; then
      best=$c best_rate=$rate
    fi
  done
  echo
  echo "aim (issue 10): at least 2,000 registrations/s at p99 under 100 ms on SQLite, load generator on the same machine"
  if [[ -n $best ]] && awk -v r="$best_rate" 'BEGIN { exit !(r >= 2000) }'; then
    l=${results["embedded $best"]}
    echo "  MET at $best clients: $best_rate registrations/s, p99 $(field "$l" reg_p99) ms per registration" \
      "($(field "$l" req_p99) ms per request)"
  else
    echo -n "  NOT MET: "
    if [[ -n $best ]]; then
      l=${results["embedded $best"]}
      echo "the best rate with a registration p99 under 100 ms and no errors is $best_rate/s at $best clients" \
        "($(awk -v r="$best_rate" 'BEGIN { printf "%.0f", r / 20 }')% of the aim; p99 $(field "$l" reg_p99) ms" \
        "per registration, $(field "$l" req_p99) ms per request)"
    else
      echo "no level kept a registration p99 under 100 ms without errors"
    fi
    l=${results["embedded $fastest"]}
    echo "  highest rate: $fastest_rate/s at $fastest clients (p99 $(field "$l" reg_p99) ms per registration," \
      "$(field "$l" req_p99) ms per request)"
  fi
fi

# --- Profile ------------------------------------------------------------------------------
if [[ " $engines " == *" embedded "* ]] && ((profile)) && [[ -s $out/embedded/perf.data ]]; then
  data=$out/embedded/perf.data
  report=$out/embedded/profile.txt
  echo
  say "reading the profile (perf script with inlined frames; a minute or more) …"
  perf script -i "$data" >"$out/embedded/perf-script.txt" 2>/dev/null || true
  # Each sample goes to the first rule its thread and call stack match (so the shares add up to
  # 100%); then the threads, and the functions the samples were in (inlined callees folded in).
  python3 - "$out/embedded/perf-script.txt" "$(field "$profile_result" registrations)" \
    >"$report" <<'EOF' || say "could not summarize the profile"
import collections, re, sys

FRAME = re.compile(r"^\s*[0-9a-f]+ (.*?)(?:\+0x[0-9a-f]+)? \((.*)\)$")
samples = []  # (thread, [(symbol, inlined)], period)
thread, frames, period = None, [], 0
for line in open(sys.argv[1], errors="replace"):
    if not line.strip():
        if thread is not None:
            samples.append((thread, frames, period))
        thread, frames = None, []
    elif not line[0].isspace():
        head = line.split()
        thread = head[0]
        period = next((int(t) for t in head[3:] if t.isdigit()), 0)
    else:
        m = FRAME.match(line)
        if m:
            frames.append((m.group(1), m.group(2) == "inlined"))
if thread is not None:
    samples.append((thread, frames, period))
if not samples:
    sys.exit("no samples")


def has(stack, *words):
    return any(w in stack for w in words)


W = "sqlite-writer"
RULES = [
    ("argon2 (password hashing)", lambda t, s: has(s, "argon2::")),
    ("writer: composing the emails (App::compose, inside the transaction)", lambda t, s: t == W and has(s, "::compose")),
    ("writer: fsync (CPU in the kernel's fsync)", lambda t, s: t == W and has(s, "do_fsync", "sys_fsync", "sys_fdatasync")),
    ("writer: WAL checkpoint", lambda t, s: t == W and has(s, "sqlite3WalCheckpoint")),
    ("writer: commit (writing WAL frames)", lambda t, s: t == W and has(s, "sqlite3PagerCommitPhaseOne", "sqlite3WalFrames", "sqlite3BtreeCommitPhaseOne")),
    ("writer: the registration's statements", lambda t, s: t == W and has(s, "sqlite::registrations::")),
    ("writer: rate-limit counters (Shared::hit)", lambda t, s: t == W and has(s, "sqlite::shared::")),
    ("writer: outbox claims and marks", lambda t, s: t == W and has(s, "sqlite::outbox::")),
    ("writer: other", lambda t, s: t == W),
    ("outbox worker: writing .eml files", lambda t, s: has(s, "formsvc::outbox::") and has(s, "std::fs::", "sys_openat", "ext4_", "sys_write", "sys_rename", "File>::")),
    ("outbox worker: other", lambda t, s: has(s, "formsvc::outbox::")),
    ("rendering pages (theme, minijinja)", lambda t, s: has(s, "Theme::render", "minijinja::")),
    ("form tokens and hashes (HMAC, SHA-256)", lambda t, s: has(s, "hmac::", "sha2::", "formsvc::security::")),
    ("store reads (SQLite read pool)", lambda t, s: has(s, "sqlite3_", "rusqlite::")),
    ("parsing the form (urlencoded, FormCheck, domain types)", lambda t, s: has(s, "serde_urlencoded", "formsvc::form::", "formsvc::domain::", "routes::registration::check")),
    ("HTTP and sockets (hyper, axum, kernel TCP)", lambda t, s: has(s, "hyper::", "axum::", "tcp_", "sock_", "tokio::net::")),
    ("tokio scheduling, parking, waking", lambda t, s: has(s, "tokio::runtime", "futex", "finish_task_switch")),
    ("other", lambda t, s: True),
]

by_rule, by_thread, by_leaf = collections.Counter(), collections.Counter(), collections.Counter()
for t, frames, p in samples:
    stack = "\n".join(f for f, _ in frames)
    w = p or 1
    for name, rule in RULES:
        if rule(t, stack):
            by_rule[name] += w
            break
    by_thread[t] += w
    leaf = next((f for f, inlined in frames if not inlined), frames[0][0] if frames else "?")
    by_leaf[leaf] += w
total = sum(by_thread.values())
pct = lambda n: 100.0 * n / total
periods = all(p for _, _, p in samples)
print(f"{len(samples)} samples" + (f", {total / 1e9:.1f} CPU seconds of the service" if periods else ""))
registrations = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 0
if periods and registrations:
    per = total / 1e6 / registrations
    writer = by_thread[W] / 1e6 / registrations
    print(f"CPU per registration: {per:.2f} ms in the service, {writer:.2f} ms of it on the one writer thread "
          f"(which alone, at 100% of a core, caps at {1000 / writer:,.0f} registrations/s)" if writer else "")
print()
print("== where the CPU goes (each sample counted once, on the first line that matches it)")
for name, _ in RULES:
    if by_rule[name]:
        print(f"  {pct(by_rule[name]):5.1f}%  {name}")
print()
print("== by thread")
for t, n in by_thread.most_common():
    print(f"  {pct(n):5.1f}%  {t}")
print()
print("== top functions by self time")
for f, n in by_leaf.most_common(25):
    print(f"  {pct(n):5.1f}%  {f[:150]}")
EOF
  say "profile of the embedded engine at $profile_clients clients ($report; perf.data beside it):"
  sed 's/^/    /' "$report"
fi
