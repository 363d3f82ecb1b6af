package cellsauth_test

// Run by the end-to-end test `consumers.rs` against a real agent and Ory
// Hydra, which sets:
//   CELLS_AUTH_BIN                  the cells-auth program
//   CELLS_AUTH_CONFIG_DIR           a store with one signed-in account, whose agent runs
//   CELLS_TEST_USERINFO             Hydra's userinfo endpoint, to try a token at
//   CELLS_TEST_NEEDS_SIGN_IN_DIR    a store whose account needs a new sign-in
// Without them, these tests are skipped.

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cellsauth "cells-auth/clients/go"
)

func source(t *testing.T) *cellsauth.Source {
	t.Helper()
	bin := os.Getenv("CELLS_AUTH_BIN")
	if bin == "" || os.Getenv("CELLS_TEST_USERINFO") == "" {
		t.Skip("run by the end-to-end tests (make test), against a real agent and Hydra")
	}
	return &cellsauth.Source{Command: bin}
}

// The status Hydra's userinfo endpoint answers a token with.
func status(t *testing.T, token string) int {
	t.Helper()
	request, _ := http.NewRequest("GET", os.Getenv("CELLS_TEST_USERINFO"), nil)
	request.Header.Set("Authorization", "Bearer "+token)
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	response.Body.Close()
	return response.StatusCode
}

func context10s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Reports `refused` from n goroutines at once: they must all get one newer token.
func rejectTogether(t *testing.T, s *cellsauth.Source, refused string, n int) string {
	t.Helper()
	answers := make([]string, n)
	var wait sync.WaitGroup
	for i := range answers {
		wait.Add(1)
		go func(i int) {
			defer wait.Done()
			newer, err := s.Rejected(context10s(t), refused)
			if err != nil {
				t.Errorf("Rejected: %v", err)
				return
			}
			answers[i] = newer.AccessToken
		}(i)
	}
	wait.Wait()
	for _, answer := range answers {
		if answer != answers[0] || answer == refused || answer == "" {
			t.Fatalf("the reports did not all get one newer token")
		}
	}
	return answers[0]
}

func TestTokenFromTheAgentWorksAtTheServer(t *testing.T) {
	s := source(t)
	token, err := s.Token(context10s(t))
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if got := status(t, token.AccessToken); got != http.StatusOK {
		t.Fatalf("the server answered %d", got)
	}
	if left := time.Until(token.ExpiresAt); left <= 0 || left > 10*time.Minute {
		t.Fatalf("expires in %v", left)
	}
	if shown := token.String(); len(token.AccessToken) > 0 && strings.Contains(shown, token.AccessToken) {
		t.Fatalf("String() shows the token")
	}
}

func TestARefusedTokenReportedByManyGetsOneNewerToken(t *testing.T) {
	s := source(t)
	refused, err := s.Token(context10s(t))
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	newer := rejectTogether(t, s, refused.AccessToken, 5)
	if status(t, newer) != http.StatusOK || status(t, refused.AccessToken) != http.StatusUnauthorized {
		t.Fatalf("the newer token works and the refused one is revoked")
	}
}

func TestWithoutAnAgentTheCommandAnswers(t *testing.T) {
	s := source(t)
	// No agent in this runtime directory: the command answers, the same way.
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	refused, err := s.Token(context10s(t))
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if refused.ExpiresAt.IsZero() {
		t.Fatalf("the command's answer has no expiry")
	}
	newer := rejectTogether(t, s, refused.AccessToken, 3)
	if status(t, newer) != http.StatusOK {
		t.Fatalf("the newer token does not work")
	}
}

func TestAnAccountThatNeedsASignInGivesATypedError(t *testing.T) {
	s := source(t)
	t.Setenv("CELLS_AUTH_CONFIG_DIR", os.Getenv("CELLS_TEST_NEEDS_SIGN_IN_DIR"))
	_, err := s.Token(context10s(t))
	if !errors.Is(err, cellsauth.ErrNeedsSignIn) {
		t.Fatalf("want ErrNeedsSignIn, got %v", err)
	}
	var failure *cellsauth.Error
	if !errors.As(err, &failure) || !strings.Contains(failure.Message, "cells-auth login") {
		t.Fatalf("the message says what to do: %v", err)
	}
	if _, err := s.Rejected(context10s(t), ""); err == nil || errors.Is(err, cellsauth.ErrNeedsSignIn) {
		t.Fatalf("an empty refused token is the caller's mistake, not a sign-in: %v", err)
	}
}
