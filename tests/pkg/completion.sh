#!/usr/bin/env bash
# The bash completion (issue #10) offers every command of `assettrack
# --help`, each family's subcommands, a command's options, and value
# lists for --role; it reads them from the program, so none can be missing.
#
#   tests/pkg/completion.sh BINARY COMPLETION_FILE
set -uo pipefail

bin=$1 file=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$dir/assettrack"
export PATH="$dir:$PATH"
# shellcheck source=/dev/null
source "$file"

complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _assettrack
  printf '%s\n' "${COMPREPLY[@]}" | sort
}
expect() {   # expect "WORDS..." -- WANTED...
  local words=() got
  while [ "$1" != -- ]; do words+=("$1"); shift; done
  shift
  got=$(complete_words "${words[@]}")
  for w in "$@"; do
    grep -qx -- "$w" <<<"$got" || bad "completing '${words[*]}' does not offer $w (got: $(tr '\n' ' ' <<<"$got"))"
  done
}

mapfile -t cmds < <("$bin" --help | awk '/^  assettrack / {print $2}' | sort -u)
[ "${#cmds[@]}" -ge 20 ] || bad "only ${#cmds[@]} commands in --help"
expect assettrack "" -- "${cmds[@]}"
expect assettrack us -- user
expect assettrack user "" -- add token list revoke-tokens
expect assettrack --db x.db asset "" -- add update show list retire history
expect assettrack report "" -- custody unslotted occupancy holder retired
expect assettrack labels "" -- asset case holder
expect assettrack serve --t -- --threads --tls-cert --tls-key
expect assettrack user add bob --role "" -- admin operator auditor
expect assettrack --d -- --db
# And it can fail: nothing offers a command that does not exist.
if complete_words assettrack "" | grep -qx frobnicate; then bad "offers frobnicate"; fi

[ $fail -eq 0 ] && echo "completion OK: ${#cmds[@]} commands"
exit $fail
