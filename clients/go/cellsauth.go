// Package cellsauth gives a sync engine the access tokens of a Cells account
// signed in with cells-auth, without ever touching a refresh token.
//
// A token is asked of this user's running agent first (a Unix socket in a
// directory of the user's alone), and otherwise of the `cells-auth token`
// command, which asks the agent itself on Windows. When a server refuses a
// token with 401, call Rejected with it: the answer is a newer token, and
// however many callers report the same token, the account's refresh token
// is spent once. An account that needs a new sign-in in the browser gives
// an error that errors.Is matches with ErrNeedsSignIn.
package cellsauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrNeedsSignIn: only a new sign-in in the browser (`cells-auth login`) helps.
var ErrNeedsSignIn = errors.New("the account needs a new sign-in")

// The exit code of `cells-auth token` for an account that needs a new sign-in.
const exitNeedsSignIn = 2

// Token is an access token and when the server says it expires. It is
// replaced (and Cells revokes it) a minute before that, or a quarter of its
// lifetime when that is shorter; ask again by then, or on a 401.
type Token struct {
	AccessToken string
	ExpiresAt   time.Time
}

// String never shows the token.
func (t Token) String() string {
	return fmt.Sprintf("Token(expires %s)", t.ExpiresAt.Format(time.RFC3339))
}

// Error is a failure as cells-auth states it: one line saying what is wrong
// and what to do.
type Error struct {
	Message     string
	needsSignIn bool
}

func (e *Error) Error() string { return e.Message }

// Is matches ErrNeedsSignIn for an account that needs a new sign-in.
func (e *Error) Is(target error) bool { return target == ErrNeedsSignIn && e.needsSignIn }

// Source hands out the tokens of one account.
type Source struct {
	// Account names the account (its id, login or server); empty when there is one.
	Account string
	// Command is the cells-auth program; "cells-auth" (found on PATH) when empty.
	Command string
}

// Token returns an access token with at least the freshness margin left.
func (s *Source) Token(ctx context.Context) (Token, error) {
	return s.ask(ctx, "")
}

// Rejected returns a newer token than refused, which a server just refused
// (401). The refresh token is spent only if refused is still the current
// token.
func (s *Source) Rejected(ctx context.Context, refused string) (Token, error) {
	if strings.TrimSpace(refused) == "" {
		return Token{}, &Error{Message: "cellsauth: Rejected needs the token the server refused"}
	}
	return s.ask(ctx, refused)
}

func (s *Source) ask(ctx context.Context, refused string) (Token, error) {
	if answer, ok := askAgent(ctx, s.Account, storeDir(), refused); ok {
		return answer.token()
	}
	return s.run(ctx, refused)
}

// agentAnswer is the agent's one-line JSON answer.
type agentAnswer struct {
	Answer    string     `json:"answer"`
	Token     string     `json:"token"`
	ExpiresAt *time.Time `json:"expires_at"`
	Code      int        `json:"code"`
	Message   string     `json:"message"`
}

func (a agentAnswer) token() (Token, error) {
	if a.Answer == "token" {
		t := Token{AccessToken: a.Token}
		if a.ExpiresAt != nil {
			t.ExpiresAt = *a.ExpiresAt
		}
		return t, nil
	}
	return Token{}, &Error{Message: a.Message, needsSignIn: a.Code == exitNeedsSignIn}
}

// The account directory, as cells-auth finds it: the agent answers only
// askers of its own store.
func storeDir() string {
	if dir := os.Getenv("CELLS_AUTH_CONFIG_DIR"); dir != "" {
		return comparable(dir)
	}
	config, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return comparable(filepath.Join(config, "cells-auth"))
}

func comparable(dir string) string {
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		if absolute, err := filepath.Abs(resolved); err == nil {
			return absolute
		}
	}
	return dir
}

// run asks `cells-auth token --json` (with --rejected, the refused token on
// its standard input, never on its command line).
func (s *Source) run(ctx context.Context, refused string) (Token, error) {
	program := s.Command
	if program == "" {
		program = "cells-auth"
	}
	args := []string{"token", "--json"}
	if refused != "" {
		args = append(args, "--rejected")
	}
	if s.Account != "" {
		args = append(args, "--", s.Account)
	}
	cmd := exec.CommandContext(ctx, program, args...)
	if refused != "" {
		cmd.Stdin = strings.NewReader(refused + "\n")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		message := strings.TrimSpace(stderr.String())
		if message == "" {
			message = fmt.Sprintf("cells-auth token failed (exit code %d)", exit.ExitCode())
		}
		return Token{}, &Error{Message: message, needsSignIn: exit.ExitCode() == exitNeedsSignIn}
	}
	if err != nil {
		return Token{}, &Error{Message: fmt.Sprintf("cannot run %s: %v (is cells-auth installed?)", program, err)}
	}
	var printed struct {
		AccessToken string    `json:"access_token"`
		ExpiresAt   time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil || printed.AccessToken == "" {
		return Token{}, &Error{Message: "cells-auth token --json printed no token"}
	}
	return Token{AccessToken: printed.AccessToken, ExpiresAt: printed.ExpiresAt}, nil
}
