#!/bin/sh
# Drives the release TUI in a detached 120×40 tmux session (COLS×ROWS when
# set) with --profile, pressing each KEY 0.6 s apart (so each background
# run finishes), then quits.
#   swift build -c release --product patchtop
#   Scripts/tui_profile.sh MODEL P N KEY...   # prints the profile log's path
#   COLS=200 ROWS=60 Scripts/tui_profile.sh MODEL P N v Left Enter
#   EXTRA='--board nRF52840' BIN=.build/debug/patchtop Scripts/tui_profile.sh MODEL P N P p
set -e
cd "$(dirname "$0")/.."
SOCK=patchtop-profile-$$
MODEL=$1; P=$2; N=$3; shift 3
LOG=${TMPDIR:-/tmp}/patchtop-profile-$(basename "$MODEL" .tflite).log
tmux -L "$SOCK" -f /dev/null new-session -d -s m -x "${COLS:-120}" -y "${ROWS:-40}" \
  "${BIN:-.build/release/patchtop} '$MODEL' -p $P -n $N ${EXTRA:-} --profile '$LOG'" </dev/null >/dev/null 2>&1
sleep 3
for k in "$@"; do tmux -L "$SOCK" send-keys -t m "$k"; sleep 0.6; done
sleep 2
tmux -L "$SOCK" send-keys -t m q; sleep 0.5
tmux -L "$SOCK" kill-server 2>/dev/null || true
echo "$LOG"
