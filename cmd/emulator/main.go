// Command emulator runs a command with the AWS emulator up: it starts moto
// (one request at a time), exports AWS_ENDPOINT_URL, a region and dummy
// credentials to the command, and stops the emulator however the command
// ends. With AWS_ENDPOINT_URL already set it runs the command against that
// endpoint and starts nothing.
//
//	go run ./cmd/emulator -- go test -race ./...
//	go run ./cmd/emulator            # just serve, until Ctrl-C
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/jiaoyi-dev/jiaoyi/internal/dev/emulator"
)

func main() {
	os.Exit(run())
}

func run() int {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	started := os.Getenv("AWS_ENDPOINT_URL") == ""
	endpoint, stopEmulator, err := emulator.EnsureEnv(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopEmulator()
	if started {
		fmt.Fprintf(os.Stderr, "emulator: moto %s on %s\n", emulator.MotoVersion, endpoint)
	}
	if len(args) == 0 {
		<-ctx.Done()
		return 0
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		return 1
	}
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(os.Interrupt)
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if code := exit.ExitCode(); code > 0 {
			return code
		}
		return 1
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "emulator:", err)
		return 1
	}
	return 0
}
