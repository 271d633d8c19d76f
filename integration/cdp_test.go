package integration

// A minimal Chrome DevTools Protocol client: headless Chromium started with a fresh profile,
// one websocket to its browser endpoint, and pages attached in flat mode (each command names
// its page's session). Enough to load a page, run script in it, wait for what it shows and
// take a screenshot (https://chromedevtools.github.io/devtools-protocol/).

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// chromiumFlags run Chromium headless and quiet: no first-run UI, no network of its own
// (updates, sync, QUIC), no GPU; --no-sandbox because CI runs as root.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--remote-debugging-port=0"}

type browser struct {
	conn    *websocket.Conn
	ctx     context.Context // ends when the browser is closed
	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan cdpMessage
	pages   map[string]*page // by session id
	log     *syncBuffer      // Chromium's stderr, for failure messages
}

// cdpMessage is a command's answer (ID set) or an event (Method set).
type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *cdpError       `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type cdpError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func needChromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("this test drives the dashboard in headless Chromium, and `chromium` is not on PATH: install it (apt-get install chromium; .ci/run does) and rerun")
	}
	return path
}

var devToolsURL = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// startChromium starts a headless Chromium with a new empty profile and connects to it; it is
// stopped, its whole process group, when the test ends.
func startChromium(t *testing.T) *browser {
	t.Helper()
	path := needChromium(t)
	profile := t.TempDir() // removed after the cleanup below has stopped Chromium
	cmd := exec.Command(path, append(chromiumFlags, "--user-data-dir="+profile, "about:blank")...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	log := &syncBuffer{}
	found := make(chan string, 1)
	go func() {
		scan := bufio.NewScanner(stderr)
		for scan.Scan() {
			line := scan.Text()
			_, _ = log.Write([]byte(line + "\n"))
			if m := devToolsURL.FindStringSubmatch(line); m != nil {
				select { // once: the pipe must keep being drained
				case found <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr) // past a line too long to scan
	}()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	var wsURL string
	select {
	case wsURL = <-found:
	case <-time.After(2 * time.Minute): // a bound on a hang: a loaded 2-core machine starts chromium slowly
		t.Fatalf("chromium did not open its DevTools endpoint within 2 minutes:\n%s", log.String())
	}
	dialCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	conn, _, err := websocket.Dial(dialCtx, wsURL, nil)
	if err != nil {
		t.Fatalf("connect to chromium at %s: %v", wsURL, err)
	}
	conn.SetReadLimit(64 << 20) // screenshots arrive as one message
	b := &browser{conn: conn, ctx: ctx, pending: map[int64]chan cdpMessage{}, pages: map[string]*page{}, log: log}
	go b.read()
	return b
}

// read hands answers to their callers and events to their pages until the connection ends.
func (b *browser) read() {
	for {
		_, data, err := b.conn.Read(b.ctx)
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var msg cdpMessage
		if json.Unmarshal(data, &msg) != nil {
			continue
		}
		b.mu.Lock()
		if msg.ID != 0 {
			if ch := b.pending[msg.ID]; ch != nil {
				ch <- msg
				delete(b.pending, msg.ID)
			}
		} else if p := b.pages[msg.SessionID]; p != nil {
			p.event(msg)
		}
		b.mu.Unlock()
	}
}

// call sends a command (to a page when session is set) and decodes its result into out.
func (b *browser) call(session, method string, params, out any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	if params == nil {
		params = struct{}{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return err
	}
	data, _ := json.Marshal(cdpMessage{ID: id, Method: method, Params: raw, SessionID: session})
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := b.conn.Write(ctx, websocket.MessageText, data); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case msg, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: the browser went away", method)
		}
		if msg.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, msg.Error.Message, msg.Error.Code)
		}
		if out != nil {
			return json.Unmarshal(msg.Result, out)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: no answer in 30 s", method)
	}
}

// page is one tab, attached in flat mode.
type page struct {
	b       *browser
	session string
	t       *testing.T
	mu      sync.Mutex
	errors  []string // uncaught exceptions and console errors
}

// newPage opens a tab of width x height CSS pixels.
func (b *browser) newPage(t *testing.T, width, height int) *page {
	t.Helper()
	var target struct{ TargetID string }
	if err := b.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct{ SessionID string }
	if err := b.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	p := &page{b: b, session: attached.SessionID, t: t}
	b.mu.Lock()
	b.pages[p.session] = p
	b.mu.Unlock()
	p.do("Runtime.enable", nil, nil)
	p.do("Page.enable", nil, nil)
	p.resize(width, height)
	return p
}

// event records what a page reports going wrong.
func (p *page) event(msg cdpMessage) {
	switch msg.Method {
	case "Runtime.exceptionThrown":
		var ev struct {
			ExceptionDetails struct {
				Text      string
				Exception struct{ Description string }
			}
		}
		_ = json.Unmarshal(msg.Params, &ev)
		p.noteError("exception: " + ev.ExceptionDetails.Text + " " + ev.ExceptionDetails.Exception.Description)
	case "Runtime.consoleAPICalled":
		var ev struct {
			Type string
			Args []struct {
				Value       any
				Description string
			}
		}
		_ = json.Unmarshal(msg.Params, &ev)
		if ev.Type == "error" {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, fmt.Sprint(a.Value, a.Description))
			}
			p.noteError("console.error: " + strings.Join(parts, " "))
		}
	}
}

func (p *page) noteError(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errors = append(p.errors, s)
}

// scriptErrors returns what went wrong in the page's scripts so far.
func (p *page) scriptErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

func (p *page) do(method string, params, out any) {
	p.t.Helper()
	if err := p.b.call(p.session, method, params, out); err != nil {
		p.t.Fatal(err)
	}
}

func (p *page) resize(width, height int) {
	p.t.Helper()
	p.do("Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
}

func (p *page) navigate(url string) {
	p.t.Helper()
	var out struct{ ErrorText string }
	p.do("Page.navigate", map[string]any{"url": url}, &out)
	if out.ErrorText != "" {
		p.t.Fatalf("navigate %s: %s", url, out.ErrorText)
	}
}

// eval runs a script expression (awaiting a promise it returns) and decodes its value.
func (p *page) eval(expr string, out any) error {
	var res struct {
		Result struct {
			Value json.RawMessage
		}
		ExceptionDetails *struct {
			Text      string
			Exception struct{ Description string }
		}
	}
	if err := p.b.call(p.session, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &res); err != nil {
		return err
	}
	if e := res.ExceptionDetails; e != nil {
		return fmt.Errorf("%s: %s %s", expr, e.Text, e.Exception.Description)
	}
	if out == nil || len(res.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(res.Result.Value, out)
}

// run evaluates expr, failing the test on an exception.
func (p *page) run(expr string) {
	p.t.Helper()
	if err := p.eval(expr, nil); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor polls a boolean expression until it holds; what fails the test says what was
// awaited and shows the page's text.
func (p *page) waitFor(what, expr string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := p.eval("Boolean("+expr+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			var text string
			_ = p.eval(`document.body ? document.body.innerText.slice(0, 3000) : ''`, &text)
			p.t.Fatalf("waited %v for %s (%s), last error %v; script errors %q; the page shows:\n%s", timeout, what, expr, err, p.scriptErrors(), text)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot is a PNG of the whole page, the viewport grown to the page's height (at most
// maxHeight) and put back after.
func (p *page) screenshot(width, height, maxHeight int) []byte {
	p.t.Helper()
	var full int
	if err := p.eval(`Math.ceil(document.documentElement.scrollHeight)`, &full); err != nil {
		p.t.Fatal(err)
	}
	full = min(max(full, height), maxHeight)
	p.resize(width, full)
	defer p.resize(width, height)
	var shot struct{ Data string }
	p.do("Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		p.t.Fatal(err)
	}
	return png
}
