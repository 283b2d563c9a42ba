#!/usr/bin/env bash
# `pifleet completion bash|zsh|fish` and `pifleet man` against the CLI as a user sees it: every
# subcommand that some `--help` lists appears in all three scripts and in the man page, each
# script loads in its own shell, bash and fish complete real command lines, and the man page
# renders without a warning. A shell that is not installed is skipped with a message.
set -euo pipefail
pifleet=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "completion_test: $*"; exit 1; }

"$pifleet" completion bash > "$tmp/pifleet.bash"
"$pifleet" completion zsh > "$tmp/_pifleet"
"$pifleet" completion fish > "$tmp/pifleet.fish"
"$pifleet" man > "$tmp/pifleet.1"
rc=0; "$pifleet" completion tcsh > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "completion tcsh exited $rc, want 2"

# Every command path, found the way a user finds them: the "Subcommands:" list of each --help.
subcommands_of() {
  # shellcheck disable=SC2086  # the path is words on purpose
  "$pifleet" $1 --help | awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^[^ ]/ {on = 0}'
}
paths=() queue=("")
while [ "${#queue[@]}" -gt 0 ]; do
  parent=${queue[0]}; queue=("${queue[@]:1}")
  while read -r name; do
    path=${parent:+$parent }$name
    paths+=("$path"); queue+=("$path")
  done < <(subcommands_of "$parent")
done
[ "${#paths[@]}" -ge 40 ] || fail "only ${#paths[@]} command paths found in --help: ${paths[*]}"
for path in "${paths[@]}"; do
  name=${path##* } parent=${path% *}; [ "$parent" != "$path" ] || parent=""
  grep -qF "'$path')" "$tmp/pifleet.bash" || fail "bash: no table for '$path'"
  grep -qF "'$path')" "$tmp/_pifleet" || fail "zsh: no table for '$path'"
  grep -qF "__pifleet_at \\'$parent\\'' -a '$name'" "$tmp/pifleet.fish" \
    || fail "fish: '$name' is not offered after '$parent'"
  grep -qF ".SS \"pifleet $path\"" "$tmp/pifleet.1" || fail "man: no section for 'pifleet $path'"
done
echo "ok: ${#paths[@]} command paths from --help, each in the bash, zsh and fish scripts and the man page"

# bash: load the script and complete command lines as readline would.
complete_bash() {  # complete_bash WORD... (the last word is the one being completed)
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _pifleet
           [ "${#COMPREPLY[@]}" -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' _ "$tmp/pifleet.bash" "$@" |
    sort | tr '\n' ' '
}
expect_bash() {  # expect_bash "WANT" WORD...
  local want=$1; shift
  local got; got=$(complete_bash "$@")
  [ "$got" = "$want" ] || fail "bash: '$*' completes to '$got', want '$want'"
}
bash -n "$tmp/pifleet.bash" || fail "bash -n rejects the script"
expect_bash "key keygen kv " pifleet k
expect_bash "get " pifleet kv g
expect_bash "get " pifleet --endpoints kv kv g  # the value of --endpoints is not a command
expect_bash "lease local log " pifleet kv get --consistency ""
expect_bash "--consistency " pifleet kv get --cons
expect_bash "" pifleet kv get --prefix ""  # no fixed choices: bash completes file names
expect_bash "" pifleet --key-file ""
expect_bash "bash fish zsh " pifleet completion ""
echo "ok: bash completes commands, options and choices"

if command -v zsh > /dev/null; then
  zsh -n "$tmp/_pifleet" || fail "zsh -n rejects the script"
  zsh -fc "autoload -Uz compinit && compinit -u -d $tmp/zcompdump; fpath=($tmp \$fpath);
           autoload -Uz _pifleet; source $tmp/_pifleet; _pifleet_tables 'kv get';
           print -r -- \$valued" > "$tmp/zsh.out" 2>&1 || fail "zsh could not load the script: $(cat "$tmp/zsh.out")"
  grep -q -- "--consistency" "$tmp/zsh.out" || fail "zsh: kv get's tables lack --consistency: $(cat "$tmp/zsh.out")"
  echo "ok: zsh loads the script"
else
  echo "SKIP zsh checks: zsh is not installed (scripts/setup installs it)"
fi

if command -v fish > /dev/null; then
  fish --no-execute "$tmp/pifleet.fish" || fail "fish --no-execute rejects the script"
  complete_fish() { fish -c "source $tmp/pifleet.fish; complete -C '$1'" | cut -f1 | sort | tr '\n' ' '; }
  got=$(complete_fish "pifleet kv g"); [ "$got" = "get " ] || fail "fish: 'kv g' completes to '$got'"
  got=$(complete_fish "pifleet kv get --consistency ")
  [ "$got" = "lease local log " ] || fail "fish: --consistency completes to '$got'"
  echo "ok: fish completes commands and choices"
else
  echo "SKIP fish checks: fish is not installed (scripts/setup installs it)"
fi

warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$tmp/pifleet.1" 2>&1 || true)
[ -z "$warnings" ] || fail "groff warns about the man page: $warnings"
LC_ALL=C.UTF-8 MANWIDTH=100 man -l "$tmp/pifleet.1" 2>/dev/null | col -b > "$tmp/man.txt"
grep -q "pifleet kv get" "$tmp/man.txt" || fail "man -l does not show 'pifleet kv get'"
grep -q "EXIT STATUS" "$tmp/man.txt" || fail "man -l shows no EXIT STATUS"
echo "ok: the man page renders without warnings ($(wc -l < "$tmp/man.txt") lines)"
