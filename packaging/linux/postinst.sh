#!/bin/sh
# The token agent's socket for every user, from their next login (a systemd
# user unit; `systemctl --user enable --now cells-auth-agent.socket` starts it
# at once). No systemd, nothing to do.
set -e
if command -v systemctl >/dev/null 2>&1; then
    systemctl --global enable cells-auth-agent.socket >/dev/null 2>&1 || true
fi
