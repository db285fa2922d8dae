# Sourced by the CLI tests: `refuse COMMAND WORDS ARGS...` runs `$app COMMAND
# ARGS...`, which must fail with exactly one line on stderr containing WORDS
# and leave "$work/refused" unwritten. Needs $app and $work.
refuse() {
  local command=$1 words=$2
  shift 2
  if "$app" "$command" "$@" > "$work/out.txt" 2> "$work/err.txt"; then echo "accepted: $command $*"; exit 1; fi
  grep -q -- "$words" "$work/err.txt" || { cat "$work/err.txt"; exit 1; }
  test "$(wc -l < "$work/err.txt")" -eq 1 || { cat "$work/err.txt"; exit 1; }
  test ! -e "$work/refused"
}
