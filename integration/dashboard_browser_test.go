package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// go test ./integration -run TestDashboardInBrowser -dashboard-screenshots=$PWD/docs/dashboard
// writes the PNGs the README shows.
var dashboardScreenshots = flag.String("dashboard-screenshots", "", "directory to write a PNG of each dashboard page to")

const (
	viewWidth, viewHeight = 1280, 860
	maxShotHeight         = 2200
)

// dashboardPage is one page of the dashboard as the browser test visits it: where, the name
// the page gives body[data-ready] once it is on screen, and what it must show.
type dashboardPage struct {
	name, hash, ready string
	shows             map[string]string // what -> a boolean script expression
}

func dashboardPages(seed dashboardSeed) []dashboardPage {
	entity := func(name string) string {
		return fmt.Sprintf(`document.querySelector('.entity[data-entity=%q]')`, name)
	}
	return []dashboardPage{
		{name: "accounts", hash: "#/accounts", ready: "accounts", shows: map[string]string{
			"the account": `document.querySelector('table.accounts').innerText.includes('123456789012')`,
		}},
		{name: "users", hash: "#/users", ready: "users", shows: map[string]string{
			"alice":                                `!!` + entity("alice"),
			"both statements matched by decisions": entity("alice") + `.querySelectorAll('.stmt.matched').length === 2`,
			"the policy pretty-printed":            entity("alice") + `.querySelector('.stmt pre.doc').textContent.includes('\n  "Sid": "ReadUsers"')`,
			"the denial that matched NoDeletes":    entity("alice") + `.querySelector('.stmt[data-index="1"]').innerText.includes('iam:DeleteUser')`,
			// Opened, the suggestion fetches the policy for alice's recorded calls.
			"a suggested policy for alice": `(d => (d.open = true, !!d.querySelector('pre.doc') && d.querySelector('pre.doc').textContent.includes('"iam:ListUsers"')))(` +
				entity("alice") + `.querySelector('details.suggest'))`,
		}},
		{name: "groups", hash: "#/groups", ready: "groups", shows: map[string]string{
			"devs and its member": entity("devs") + `.innerText.includes('alice')`,
			"the lint's findings": entity("devs") + `.querySelector('.policy[data-policy=deploy] .notes .finding[data-issue=PASS_ROLE_WITH_STAR_IN_RESOURCE]') !== null`,
		}},
		{name: "roles", hash: "#/roles", ready: "roles", shows: map[string]string{
			"the trust policy": entity("greeter-exec") + `.innerText.includes('lambda.amazonaws.com')`,
		}},
		{name: "functions", hash: "#/functions", ready: "functions", shows: map[string]string{
			"the function": `document.querySelector('table.functions a').textContent === ` + strconv.Quote(seed.function),
		}},
		{name: "function", hash: "#/functions/" + seed.function, ready: "functions/" + seed.function, shows: map[string]string{
			"three graphs":             `document.querySelectorAll('figure.graph svg').length === 3`,
			"invocations in the graph": `document.querySelector('figure[data-metric=Invocations] rect.bar') !== null`,
			"errors in the graph":      `document.querySelector('figure[data-metric=Errors] rect.bar') !== null`,
			"durations in the graph":   `document.querySelector('figure[data-metric=Duration] circle.dot') !== null`,
			"every invocation":         fmt.Sprintf(`document.querySelectorAll('details.invocation').length === %d`, seed.invocations),
			"the failed one":           fmt.Sprintf(`document.querySelectorAll('details.invocation.failed').length === %d`, seed.failures),
			"their output":             `document.querySelector('details.invocation pre.log').textContent.includes('greeting ')`,
			"the alias and the URL":    `document.body.innerText.includes('live') && document.body.innerText.includes('AWS_IAM')`,
		}},
		{name: "simulator", hash: "#/simulator", ready: "simulator", shows: map[string]string{
			"alice to choose": fmt.Sprintf(`[...document.querySelectorAll('#sim-principal option')].some(o => o.value === %q)`, seed.aliceARN),
		}},
		{name: "decisions", hash: "#/decisions", ready: "decisions", shows: map[string]string{
			"the stream open":                           `document.querySelector('[data-stream]').dataset.stream === 'open'`,
			"the decisions recorded":                    `document.querySelectorAll('li.decision').length > 0`,
			"alice's DeleteUser deny":                   `[...document.querySelectorAll('li.decision[data-decision=ExplicitDeny]')].some(li => li.innerText.includes('iam:DeleteUser'))`,
			"the stored policy's findings on its write": `[...document.querySelectorAll('li.decision .findings li')].some(li => li.innerText.includes('PASS_ROLE_WITH_STAR_IN_RESOURCE'))`,
		}},
	}
}

// The dashboard in headless Chromium: every page loads from the server's embedded assets and
// shows the seeded state, the simulator answers from IAM's engine, and a denial made through
// aws-sdk-go-v2 while the decisions page is open appears in its live stream, with the policy
// types evaluated and the reason in words. No page raises a script error.
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	needChromium(t)
	needBoto3(t) // the function's runtime is the machine's python3
	srv := emulatortest.New(t)
	seed := seedDashboard(t, srv)
	waitForInvocations(t, srv, seed)
	p := startChromium(t).newPage(t, viewWidth, viewHeight)
	p.navigate(srv.URL + "/_iamlocal/ui/#/accounts")
	for _, pg := range dashboardPages(seed) {
		p.run(fmt.Sprintf(`location.hash = %q`, pg.hash))
		p.waitFor(pg.name+" page", fmt.Sprintf(`document.body.dataset.ready === %q`, pg.ready), 20*time.Second)
		for what, expr := range pg.shows {
			p.waitFor(pg.name+" page showing "+what, expr, 10*time.Second)
		}
		switch pg.name {
		case "simulator":
			simulateInBrowser(t, p, seed)
		case "decisions":
			denialInStream(t, p, seed)
		}
		saveScreenshot(t, p, pg.name)
	}
	if errs := p.scriptErrors(); len(errs) > 0 {
		t.Errorf("script errors in the dashboard: %q", errs)
	}
}

// simulateInBrowser fills the simulator's form for alice and reads IAM's answers.
func simulateInBrowser(t *testing.T, p *page, seed dashboardSeed) {
	t.Helper()
	p.run(fmt.Sprintf(`(() => {
		document.getElementById('sim-principal').value = %q;
		document.getElementById('sim-actions').value = 'iam:ListUsers\niam:DeleteUser\niam:CreateUser';
		document.getElementById('sim-run').click();
	})()`, seed.aliceARN))
	p.waitFor("the simulator's answer", `document.getElementById('sim-result').dataset.state === 'done'`, 10*time.Second)
	for action, decision := range map[string]string{"iam:ListUsers": "allowed", "iam:DeleteUser": "explicitDeny", "iam:CreateUser": "implicitDeny"} {
		p.waitFor(action+" "+decision, fmt.Sprintf(`[...document.querySelectorAll('#sim-result tbody tr')].some(tr =>
			tr.cells[0].textContent === %q && tr.cells[2].querySelector('[data-decision]').dataset.decision === %q)`, action, decision), 5*time.Second)
	}
}

// denialInStream makes alice call CreateUser, which no policy of hers allows, while the page
// follows the stream, and waits for the denial's row with its explanation.
func denialInStream(t *testing.T, p *page, seed dashboardSeed) {
	t.Helper()
	name := "intruder-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	_, err := seed.alice.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)})
	assertCode(t, err, "AccessDenied")
	row := fmt.Sprintf(`[...document.querySelectorAll('li.decision[data-decision=ImplicitDeny]')].find(li => li.innerText.includes(%q))`, name)
	p.waitFor("the denial of CreateUser "+name+" in the live stream", row, 10*time.Second)
	for what, expr := range map[string]string{
		"the principal":       row + `.querySelector('.principal').textContent === ` + strconv.Quote(seed.aliceARN),
		"the action":          row + `.querySelector('.action').textContent === 'iam:CreateUser'`,
		"the resource":        row + `.querySelector('.resource').textContent.endsWith(':user/` + name + `')`,
		"the types evaluated": row + `.querySelector('.evaluated').textContent.includes('identity')`,
		"the reason":          row + `.querySelector('.reason').textContent.startsWith('No identity-based policy allows iam:CreateUser')`,
		"AWS's message":       row + `.querySelector('.message').textContent.includes('is not authorized to perform: iam:CreateUser')`,
		"at the top":          `document.querySelector('li.decision') === ` + row,
	} {
		p.waitFor("the denial showing "+what, expr, 5*time.Second)
	}
}

func saveScreenshot(t *testing.T, p *page, name string) {
	t.Helper()
	if *dashboardScreenshots == "" {
		return
	}
	if err := os.MkdirAll(*dashboardScreenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	// The pointer off the page, so no hover state is drawn.
	p.do("Input.dispatchMouseEvent", map[string]any{"type": "mouseMoved", "x": 0, "y": 0}, nil)
	path := filepath.Join(*dashboardScreenshots, name+".png")
	if err := os.WriteFile(path, p.screenshot(viewWidth, viewHeight, maxShotHeight), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Beyond loopback the page asks for the admin token, keeps it in the tab, and sends it with
// every API call and with the decision stream (read with fetch: EventSource sends no headers).
func TestDashboardInBrowserWithToken(t *testing.T) {
	t.Parallel()
	needChromium(t)
	const token = "browser-token"
	srv := emulatortest.New(t, func(o *emulator.Options) { o.AdminAccess, o.AdminToken = emulator.AdminAuthenticated, token })
	p := startChromium(t).newPage(t, viewWidth, viewHeight)
	p.navigate(srv.URL + "/_iamlocal/ui/#/decisions")
	p.waitFor("the request for the token", `document.body.dataset.ready === 'error' && document.querySelector('form.token input') !== null`, 20*time.Second)
	p.run(fmt.Sprintf(`(() => {
		document.querySelector('form.token input').value = %q;
		document.querySelector('form.token button').click();
	})()`, token))
	p.waitFor("the decisions page", `document.body.dataset.ready === 'decisions'`, 10*time.Second)
	p.waitFor("the stream open", `document.querySelector('[data-stream]').dataset.stream === 'open'`, 10*time.Second)
	if _, err := iam.NewFromConfig(srv.AWSConfig(context.Background())).CreateUser(context.Background(),
		&iam.CreateUserInput{UserName: aws.String("seen-live")}); err != nil {
		t.Fatal(err)
	}
	p.waitFor("root's CreateUser in the stream", `[...document.querySelectorAll('li.decision[data-decision=Allow]')].some(li => li.innerText.includes(':user/seen-live'))`, 10*time.Second)
	p.run(`location.hash = '#/users'`)
	p.waitFor("the users page", `document.body.dataset.ready === 'users' && document.querySelector('.entity[data-entity="seen-live"]') !== null`, 10*time.Second)
	if errs := p.scriptErrors(); len(errs) > 0 {
		t.Errorf("script errors in the dashboard: %q", errs)
	}
}
