// Package benchproc is what the measurement programs under internal/bench share: starting a
// server binary and finding its address in its start banner, reading a process's CPU time and
// resident memory from /proc, and signing Query requests as an SDK would.
package benchproc

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// listenRE finds the address in a start banner: "listening on http://127.0.0.1:PORT " (iamlocal
// and the minimal server both print it so).
var listenRE = regexp.MustCompile(`listening on (http://\S+)`)

// Proc is a started server.
type Proc struct {
	URL     string
	Started time.Time // just before the process was started
	cmd     *exec.Cmd
}

// Start runs bin with args and returns once it has printed its address. The server's standard
// output after the banner is discarded; its standard error goes to stderr (nil: discarded).
func Start(stderr io.Writer, bin string, args ...string) (*Proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &Proc{Started: time.Now(), cmd: cmd}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
			p.URL = strings.TrimRight(m[1], ",)")
			go io.Copy(io.Discard, stdout)
			return p, nil
		}
	}
	p.Stop()
	return nil, fmt.Errorf("%s exited before printing its address", bin)
}

// Pid is the server's process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Stop ends the server with SIGTERM and waits for it.
func (p *Proc) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat: 100 on every Linux
// architecture Go supports (the kernel's ABI fixes it, whatever CONFIG_HZ is).
const clockTicks = 100

// CPUTime is the user plus system time the process has used, all its threads together, from
// fields 14 and 15 of /proc/<pid>/stat (proc(5)); its resolution is 10 ms.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: count from after it.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	fields := strings.Fields(s[i+1:]) // fields[0] is field 3, the state
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// RSS is the process's resident set in kB (VmRSS of /proc/<pid>/status).
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// SignedQuery is a Query POST of form to url for service, signed with creds at now as the
// SDKs sign it (aws-sdk-go-v2's signer).
func SignedQuery(url, service string, creds aws.Credentials, form string, now time.Time) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(form))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", now); err != nil {
		return nil, err
	}
	return req, nil
}

// Do sends req and returns the body of a 200 answer, or an error naming the status.
func Do(client *http.Client, req *http.Request) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("%s %s: %s: %s", req.Method, req.URL, resp.Status, body)
	}
	return body, nil
}

// Spread is the minimum, median and maximum of xs (not empty).
func Spread[T ~int64 | ~float64](xs []T) (lo, mid, hi T) {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[0], s[len(s)/2], s[len(s)-1]
}
