#!/bin/sh
# Removed (dpkg: remove; rpm: 0 packages left), not upgraded: the agent's
# socket is no longer started at login.
set -e
case "$1" in
    remove | 0)
        if command -v systemctl >/dev/null 2>&1; then
            systemctl --global disable cells-auth-agent.socket >/dev/null 2>&1 || true
        fi
        ;;
esac
