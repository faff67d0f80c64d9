// Command lambdabuild is `make build`: it builds every function under
// functions/ as a linux/arm64 `bootstrap` for the provided.al2023 runtime,
// zips each into build/<area>-<fn>.zip, and prints the sizes.
package main

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	src := flag.String("src", "functions", "folder holding the functions")
	out := flag.String("out", "build", "folder for the zips")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "lambdabuild:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	var fns []string
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "main.go" {
			fns = append(fns, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "function\tbootstrap\tzip\t")
	for _, dir := range fns {
		rel, _ := filepath.Rel(src, dir)
		name := strings.ReplaceAll(filepath.ToSlash(rel), "/", "-")
		bin := filepath.Join(out, name, "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./"+filepath.ToSlash(dir))
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", dir, err)
		}
		zipPath := filepath.Join(out, name+".zip")
		binSize, zipSize, err := zipBootstrap(bin, zipPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%.1f MiB\t%.1f MiB\t\n", name, float64(binSize)/(1<<20), float64(zipSize)/(1<<20))
	}
	return tw.Flush()
}

// zipBootstrap writes a reproducible zip holding bin as an executable
// "bootstrap" and returns both sizes.
func zipBootstrap(bin, zipPath string) (int64, int64, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return 0, 0, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return 0, 0, err
	}
	if _, err := w.Write(data); err != nil {
		return 0, 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, 0, err
	}
	if err := os.WriteFile(zipPath, buf.Bytes(), 0o644); err != nil {
		return 0, 0, err
	}
	return int64(len(data)), int64(buf.Len()), nil
}
