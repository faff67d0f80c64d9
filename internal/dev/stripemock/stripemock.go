// Package stripemock runs stripe-mock, Stripe's own mock of its API, for
// tests of the Stripe adapter, the way internal/emulator runs moto: the
// binary is installed into .bin/ at the module root on first use (from the
// Go module proxy, pinned), started on a free loopback port, and stopped
// when the test binary exits. If it cannot start, tests fail saying why.
package stripemock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
)

// Module is the pinned stripe-mock release.
const Module = "github.com/stripe/stripe-mock@v0.203.0"

var (
	once   sync.Once
	url    string
	runErr error
)

// URL returns the base URL of a running stripe-mock, starting it once per
// test binary (or STRIPE_MOCK_URL if set).
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		if u := os.Getenv("STRIPE_MOCK_URL"); u != "" {
			url = u
			return
		}
		url, runErr = start()
	})
	if runErr != nil {
		t.Fatalf("stripe-mock unavailable: %v", runErr)
	}
	return url
}

// Binary returns the stripe-mock binary, installing it if needed.
func Binary() (string, error) {
	if b := os.Getenv("STRIPE_MOCK_BIN"); b != "" {
		return b, nil
	}
	root, err := emulator.ModuleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, ".bin", "stripe-mock")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "install", Module)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(bin))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("install %s (run `make tools` or set STRIPE_MOCK_BIN): %w: %s", Module, err, out)
	}
	return bin, nil
}

func start() (string, error) {
	bin, err := Binary()
	if err != nil {
		return "", err
	}
	// The shell stops stripe-mock when our stdin closes, that is when this
	// process exits however it exits.
	cmd := exec.Command("sh", "-c", `"$0" -http-addr 127.0.0.1: & pid=$!; read _; kill $pid`, bin)
	if _, err := cmd.StdinPipe(); err != nil {
		return "", err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				found <- "http://" + addr
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	select {
	case u := <-found:
		return u, nil
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		return "", errors.New("stripe-mock did not start within 30s")
	}
}
