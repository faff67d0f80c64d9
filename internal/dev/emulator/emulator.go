// Package emulator starts the local AWS emulator: moto in server mode behind
// launcher.py, which serves one request at a time (see DESIGN.md: moto's
// threaded server oversells under racing transactions).
//
// The emulator is a child process that exits when its parent does (it
// watches its stdin), so neither tests nor `make run` leave it behind.
package emulator

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

//go:embed launcher.py
var launcher string

// MotoVersion is the pinned moto release (see requirements.txt).
const MotoVersion = "5.2.1"

// Region and the dummy credentials used against the emulator.
const (
	Region          = "us-east-1"
	AccessKeyID     = "test"
	SecretAccessKey = "test"
)

// Emulator is a running emulator process.
type Emulator struct {
	// Endpoint is the base URL to give the AWS SDK, e.g. http://127.0.0.1:40123.
	Endpoint string

	cmd   *exec.Cmd
	stdin io.WriteCloser
	once  sync.Once
	done  chan struct{}
}

// Options configure Start.
type Options struct {
	// Python is the interpreter with moto installed; empty means FindPython.
	Python string
	// Port to bind on 127.0.0.1; 0 picks a free one.
	Port int
	// StartTimeout bounds how long moto may take to come up (default 60s).
	StartTimeout time.Duration
	// WholeTableRollback keeps moto's own transactions, which copy every
	// table they touch (to compare against the launcher's undo log).
	WholeTableRollback bool
	// Env adds variables to the launcher's environment, such as
	// JIAOYI_EMULATOR_CHECK_DIRECT=1.
	Env []string
}

// Start launches the emulator and waits until it accepts connections.
// The error says why it could not start and how to fix it.
func Start(ctx context.Context, opt Options) (*Emulator, error) {
	py := opt.Python
	if py == "" {
		var err error
		if py, err = FindPython(); err != nil {
			return nil, err
		}
	}
	if opt.StartTimeout == 0 {
		opt.StartTimeout = 60 * time.Second
	}
	cmd := exec.Command(py, "-c", launcher, fmt.Sprint(opt.Port))
	cmd.Env = append(os.Environ(), opt.Env...)
	if opt.WholeTableRollback {
		cmd.Env = append(cmd.Env, "JIAOYI_EMULATOR_UNDO_LOG=0")
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulator: start %s: %w", py, err)
	}
	e := &Emulator{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(e.done) }()

	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if port, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- port
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	timer := time.NewTimer(opt.StartTimeout)
	defer timer.Stop()
	select {
	case port := <-ready:
		e.Endpoint = "http://127.0.0.1:" + port
		return e, nil
	case <-e.done:
		return nil, fmt.Errorf("emulator: moto exited before it was ready (%s); if moto is missing run `make venv`; its output:\n%s", cmd.ProcessState, stderr.tail())
	case <-timer.C:
		e.Stop()
		return nil, fmt.Errorf("emulator: moto not ready after %s; its output:\n%s", opt.StartTimeout, stderr.tail())
	case <-ctx.Done():
		e.Stop()
		return nil, fmt.Errorf("emulator: %w", ctx.Err())
	}
}

// Stop ends the emulator and waits for it to exit. It is safe to call twice.
func (e *Emulator) Stop() {
	e.once.Do(func() {
		_ = e.stdin.Close() // the launcher exits on EOF
		select {
		case <-e.done:
		case <-time.After(3 * time.Second):
			_ = e.cmd.Process.Kill()
			<-e.done
		}
	})
}

// Env returns the environment the AWS SDK needs to use the emulator.
func (e *Emulator) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL":      e.Endpoint,
		"AWS_REGION":            Region,
		"AWS_ACCESS_KEY_ID":     AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": SecretAccessKey,
	}
}

// ErrNoPython means no interpreter with the pinned moto was found.
var ErrNoPython = errors.New("emulator: no Python with moto[server]==" + MotoVersion +
	" found; run `make venv` in the repository (it creates .venv with the pinned moto), or set JIAOYI_PYTHON to an interpreter that has it")

// FindPython returns the interpreter to run moto with: $JIAOYI_PYTHON, else
// .venv/bin/python at the module root (found by walking up from the working
// directory), else python3 on PATH if it has the pinned moto.
func FindPython() (string, error) {
	if p := os.Getenv("JIAOYI_PYTHON"); p != "" {
		return p, nil
	}
	if root, err := ModuleRoot(); err == nil {
		p := filepath.Join(root, ".venv", "bin", "python")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("python3"); err == nil {
		out, err := exec.Command(p, "-c", "import moto, flask_cors; print(moto.__version__)").Output()
		if err == nil && strings.TrimSpace(string(out)) == MotoVersion {
			return p, nil
		}
	}
	return "", ErrNoPython
}

// ModuleRoot returns the nearest directory at or above the working directory
// that holds go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("emulator: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// lockedBuffer keeps the last output of the child for error messages.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		b.buf.Next(b.buf.Len() - 32<<10)
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) tail() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

// EnsureEnv gives this process an AWS endpoint: AWS_ENDPOINT_URL if set,
// else a freshly started emulator. Either way it sets the region and dummy
// credentials the SDK needs when they are unset. stop ends what it started.
func EnsureEnv(ctx context.Context) (endpoint string, stop func(), err error) {
	stop = func() {}
	endpoint = os.Getenv("AWS_ENDPOINT_URL")
	if endpoint == "" {
		em, err := Start(ctx, Options{})
		if err != nil {
			return "", stop, err
		}
		endpoint, stop = em.Endpoint, em.Stop
		os.Setenv("AWS_ENDPOINT_URL", endpoint)
	}
	for k, v := range map[string]string{"AWS_REGION": Region, "AWS_ACCESS_KEY_ID": AccessKeyID, "AWS_SECRET_ACCESS_KEY": SecretAccessKey} {
		if os.Getenv(k) == "" {
			os.Setenv(k, v)
		}
	}
	return endpoint, stop, nil
}
