//go:build linux || darwin

package cellsauth

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// An agent that has not answered by then is stuck: the command answers instead.
const agentTimeout = 3 * time.Second

// The longest line either side sends.
const maxLine = 64 * 1024

// socketDir is where this user's agent listens, as cells-auth puts it:
// $XDG_RUNTIME_DIR/cells-auth on Linux, $TMPDIR/cells-auth on macOS, and
// cells-auth-<uid> in the temporary directory without those.
func socketDir() string {
	variable := "XDG_RUNTIME_DIR"
	if isDarwin {
		variable = "TMPDIR"
	}
	if dir := os.Getenv(variable); dir != "" {
		return filepath.Join(dir, "cells-auth")
	}
	return filepath.Join(os.TempDir(), "cells-auth-"+strconv.Itoa(os.Getuid()))
}

// isPrivate: a directory of this user's that nobody else may enter, so that
// the socket in it is the agent's of this user.
func isPrivate(dir string) bool {
	info, err := os.Lstat(dir)
	if err != nil || !info.IsDir() || info.Mode().Perm()&0o077 != 0 {
		return false
	}
	stat, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(stat.Uid) == os.Getuid()
}

// askAgent asks this user's agent; false when none of this user and store answers.
func askAgent(ctx context.Context, account, store, refused string) (agentAnswer, bool) {
	dir := socketDir()
	if store == "" || !isPrivate(dir) {
		return agentAnswer{}, false
	}
	request := map[string]any{"account": nil, "store": store}
	if account != "" {
		request["account"] = account
	}
	if refused != "" {
		request["rejected"] = refused
	}
	line, err := json.Marshal(request)
	if err != nil {
		return agentAnswer{}, false
	}
	dialer := net.Dialer{Timeout: agentTimeout}
	conn, err := dialer.DialContext(ctx, "unix", filepath.Join(dir, "agent.sock"))
	if err != nil {
		return agentAnswer{}, false
	}
	defer conn.Close()
	deadline := time.Now().Add(agentTimeout)
	if until, ok := ctx.Deadline(); ok && until.Before(deadline) {
		deadline = until
	}
	_ = conn.SetDeadline(deadline)
	if _, err := conn.Write(append(line, '\n')); err != nil {
		return agentAnswer{}, false
	}
	text, err := bufio.NewReader(io.LimitReader(conn, maxLine)).ReadBytes('\n')
	if err != nil {
		return agentAnswer{}, false
	}
	var answer agentAnswer
	if json.Unmarshal(text, &answer) != nil {
		return agentAnswer{}, false
	}
	// Another store's agent, or one that does not answer us: ask the command.
	if answer.Answer != "token" && answer.Answer != "failed" {
		return agentAnswer{}, false
	}
	return answer, true
}
