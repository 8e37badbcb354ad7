package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// officeConfig is what the bench's back office runs with: its own data folder, a fixed loopback
// port (kept across restarts, so the kiosks keep one URL), TLS from its own CA and only kiosk
// certificates accepted (require_mtls: the shared token is refused).
type officeConfig struct {
	Dir        string // data folder; config.toml and the logs go here too
	Engine     string
	DSN        string // PostgreSQL connection string (written to a 0600 file the config names)
	MaxUploads int
}

// office is the back office's process, restarted in place.
type office struct {
	bin     string
	cfgPath string
	logPath string
	addr    string
	URL     string
	CAPrint string
	cmd     *exec.Cmd
	exited  chan struct{}
	starts  int
	// CPU (user + system) of the processes that have ended, summed over restarts, and their
	// peak RSS, sampled before each is stopped or killed.
	CPU    time.Duration
	MaxRSS int64 // bytes
}

// freePort asks the kernel for a loopback port nobody uses.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// newOffice writes the configuration file; Start runs the process.
func newOffice(bin string, c officeConfig) (*office, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	o := &office{bin: bin, cfgPath: filepath.Join(c.Dir, "backoffice.toml"), logPath: filepath.Join(c.Dir, "backoffice.log"),
		addr: "127.0.0.1:" + strconv.Itoa(port)}
	var b strings.Builder
	fmt.Fprintf(&b, "addr = %q\ndata_dir = %q\nengine = %q\ngeoip = \"\"\nallow = [\"127.0.0.0/8\", \"::1/128\"]\ntls = true\nrequire_mtls = true\n",
		o.addr, filepath.Join(c.Dir, "data"), c.Engine)
	if c.DSN != "" {
		dsnFile := filepath.Join(c.Dir, "postgres.dsn")
		if err := os.WriteFile(dsnFile, []byte(c.DSN), 0o600); err != nil {
			return nil, fmt.Errorf("back office config: %w", err)
		}
		fmt.Fprintf(&b, "postgres_dsn_file = %q\n", dsnFile)
	}
	fmt.Fprintf(&b, "\n[limits]\nmax_uploads = %d\n", c.MaxUploads)
	if err := os.WriteFile(o.cfgPath, []byte(b.String()), 0o600); err != nil {
		return nil, fmt.Errorf("back office config: %w", err)
	}
	return o, nil
}

// KeysDir is where the back office keeps its CA and data key.
func (o *office) KeysDir() string { return filepath.Join(filepath.Dir(o.cfgPath), "data", "keys") }

// Start runs bin/ehraz-backoffice --config and waits until it prints its CA fingerprint (it
// prints it once it listens).
func (o *office) Start(ctx context.Context) error {
	logf, err := os.OpenFile(o.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("back office log: %w", err)
	}
	o.starts++
	fmt.Fprintf(logf, "--- start %d\n", o.starts)
	cmd := exec.Command(o.bin, "--config", o.cfgPath)
	cmd.Env = append(os.Environ(), "EHRAZ_BACKOFFICE_PG_DSN=") // the config's file, never an inherited DSN
	cmd.Stderr = logf
	// Pdeathsig: the back office dies with the bench, so a bench stopped early leaves nothing.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		logf.Close()
		return err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", o.bin, err)
	}
	o.cmd, o.exited = cmd, make(chan struct{})
	ready := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var url, print string
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if v, ok := strings.CutPrefix(line, "ehraz-backoffice: intake listening on "); ok {
				url, _, _ = strings.Cut(v, " ")
			}
			if v, ok := strings.CutPrefix(line, "ehraz-backoffice: CA fingerprint for kiosk enrollment: "); ok {
				print = strings.TrimSpace(v)
				ready <- [2]string{url, print}
			}
		}
		io.Copy(io.Discard, out)
		cmd.Wait()
		if st := cmd.ProcessState; st != nil {
			o.CPU += st.UserTime() + st.SystemTime()
		}
		logf.Close()
		close(o.exited)
	}()
	timer := time.NewTimer(60 * time.Second)
	defer timer.Stop()
	select {
	case r := <-ready:
		if r[0] == "" || len(r[1]) != 64 {
			return fmt.Errorf("back office printed url %q fingerprint %q", r[0], r[1])
		}
		if o.CAPrint != "" && r[1] != o.CAPrint {
			return fmt.Errorf("back office CA changed across a restart: %s → %s", o.CAPrint, r[1])
		}
		o.URL, o.CAPrint = r[0], r[1]
		return nil
	case <-o.exited:
		return fmt.Errorf("back office exited at start (%s): %s", cmd.ProcessState, tail(o.logPath))
	case <-timer.C:
		o.Kill()
		return fmt.Errorf("back office not ready within 60s: %s", tail(o.logPath))
	case <-ctx.Done():
		o.Kill()
		return ctx.Err()
	}
}

// sampleRSS records the process's peak RSS so far (VmHWM; read from /proc before it ends, since
// wait's ru_maxrss would also count the bench's own memory the child was spawned from).
func (o *office) sampleRSS() {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", o.cmd.Process.Pid))
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64); err == nil {
				o.MaxRSS = max(o.MaxRSS, kb*1024)
			}
		}
	}
}

// Kill sends SIGKILL and waits for the process to be gone.
func (o *office) Kill() {
	if o.cmd == nil {
		return
	}
	o.sampleRSS()
	o.cmd.Process.Signal(syscall.SIGKILL)
	<-o.exited
}

// Stop asks the back office to stop (SIGTERM, a graceful shutdown) and kills it after 20s.
func (o *office) Stop() error {
	if o.cmd == nil {
		return nil
	}
	o.sampleRSS()
	o.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.exited:
	case <-time.After(20 * time.Second):
		o.Kill()
		return errors.New("back office did not stop within 20s of SIGTERM")
	}
	if !o.cmd.ProcessState.Success() {
		return fmt.Errorf("back office stopped with %s: %s", o.cmd.ProcessState, tail(o.logPath))
	}
	return nil
}

// tail is the end of a log file, for an error message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}
