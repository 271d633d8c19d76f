package initfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/storage"
)

// A state file given as an init file: its IAM identities, policies, roles, instance profiles,
// OIDC providers, layers and functions become an init file, applied through the handlers like
// any other (so an export is a fixture), with the access keys' ids and secrets kept. What an
// init file cannot say (published function versions, aliases, function policies, login
// profiles, MFA devices, logs, ...) is listed in the report as left out; PUT /_iamlocal/state
// restores a state file exactly instead.

// appliedTables are the tables whose records fromState carries over (their derived indexes
// with them); the records of any other table are reported as left out.
var appliedTables = map[string]bool{
	"iam.users": true, "iam.groups": true, "iam.roles": true, "iam.policies": true, "iam.policyversions": true,
	"iam.inline": true, "iam.attachments": true, "iam.groupmembers": true, "iam.usergroups": true,
	"iam.instanceprofiles": true, "iam.oidcproviders": true,
	"iam.policyattached": true, "iam.policybounds": true, "iam.policyarns": true, "iam.userkeys": true, "iam.roleprofiles": true,
	"accesskeys": true, "lambda.functions": true, "lambda.code": true, "lambda.layers": true, "lambda.layer": true,
	"lambda.fn/versions": true,
}

// fromState reads a state file into an init file. The records are read with storage's own
// tables from a scratch database the state is restored into (which also upgrades an older
// data format).
func fromState(raw []byte) (*File, error) {
	snap, err := storage.ReadState(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "iamlocal-init-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := storage.Open(filepath.Join(dir, "state.db"), storage.Options{})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Restore(snap); err != nil {
		return nil, err
	}
	snap, err = db.Snapshot() // upgraded: its table list is in this build's layout
	if err != nil {
		return nil, err
	}
	f := &File{Accounts: map[string]*Account{}}
	conv := &converter{left: map[string]int{}}
	for acct, regions := range stateAccounts(snap) {
		a := &Account{}
		if err := db.View(acct, func(tx *storage.Tx) error { return conv.iam(tx, a) }); err != nil {
			return nil, fmt.Errorf("account %s: %w", acct, err)
		}
		for _, region := range regions {
			if err := db.ViewRegion(acct, region, func(tx *storage.Tx) error { return conv.lambda(tx, a, region) }); err != nil {
				return nil, fmt.Errorf("account %s, %s: %w", acct, region, err)
			}
		}
		f.Accounts[acct] = a
	}
	f.leftOut = conv.report(snap)
	return f, nil
}

// stateAccounts lists the accounts of a snapshot and the regions each has state in.
func stateAccounts(snap *storage.Snapshot) map[string][]string {
	out := map[string][]string{}
	for _, t := range snap.Tables() {
		p := t.Path
		if len(p) < 2 || p[0] != "accounts" {
			continue
		}
		if _, ok := out[p[1]]; !ok {
			out[p[1]] = nil
		}
		if len(p) == 4 && p[2] == "regions" {
			out[p[1]] = append(out[p[1]], p[3])
		}
	}
	return out
}

// converter turns records into init entities, counting what it passes over in the tables it
// otherwise applies.
type converter struct {
	left map[string]int // what -> how many
}

func tagMap(tags []storage.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

func (c *converter) iam(tx *storage.Tx, a *Account) error {
	return errors.Join(c.policies(tx, a), c.groups(tx, a), c.users(tx, a), c.roles(tx, a),
		storage.InstanceProfiles(tx).Scan("", func(_ string, p storage.InstanceProfileRecord) error {
			a.InstanceProfiles = append(a.InstanceProfiles, InstanceProfile{Name: p.Name, Path: p.Path, Roles: p.Roles})
			return nil
		}),
		storage.OIDCProviders(tx).Scan("", func(_ string, p storage.OIDCProviderRecord) error {
			a.OIDCProviders = append(a.OIDCProviders, OIDCProvider{URL: "https://" + p.URL, ClientIDs: p.ClientIDs, Thumbprints: p.Thumbprints})
			return nil
		}))
}

func (c *converter) policies(tx *storage.Tx, a *Account) error {
	return storage.Policies(tx).Scan("", func(_ string, p storage.PolicyRecord) error {
		versions, err := storage.PolicyVersionsOf(tx, p.Name).List()
		if err != nil {
			return err
		}
		pol := Policy{Name: p.Name, Path: p.Path, Description: p.Description, Tags: tagMap(p.Tags)}
		for _, v := range versions {
			if v.VersionID == p.DefaultVersion {
				pol.Document = Document(v.Document)
			} else {
				c.left["policy versions other than the default"]++
			}
		}
		a.Policies = append(a.Policies, pol)
		return nil
	})
}

// entityPolicies reads an entity's attached and inline policies.
func entityPolicies(e storage.Entity) ([]string, map[string]Document, error) {
	var managed []string
	inline := map[string]Document{}
	attached, err := e.Attachments().List()
	if err != nil {
		return nil, nil, err
	}
	for _, at := range attached {
		managed = append(managed, at.PolicyARN)
	}
	docs, err := e.InlinePolicies().List()
	if err != nil {
		return nil, nil, err
	}
	for _, d := range docs {
		inline[d.Name] = Document(d.Document)
	}
	return managed, inline, nil
}

func (c *converter) groups(tx *storage.Tx, a *Account) error {
	return storage.Groups(tx).Scan("", func(_ string, g storage.GroupRecord) error {
		managed, inline, err := entityPolicies(storage.GroupScope(tx, g.Name).Entity)
		a.Groups = append(a.Groups, Group{Name: g.Name, Path: g.Path, ManagedPolicies: managed, InlinePolicies: inline})
		return err
	})
}

func (c *converter) users(tx *storage.Tx, a *Account) error {
	err := storage.Users(tx).Scan("", func(_ string, u storage.UserRecord) error {
		scope := storage.UserScope(tx, u.Name)
		managed, inline, err := entityPolicies(scope.Entity)
		if err != nil {
			return err
		}
		user := User{Name: u.Name, Path: u.Path, Tags: tagMap(u.Tags), PermissionsBoundary: u.Boundary,
			ManagedPolicies: managed, InlinePolicies: inline}
		groups, err := scope.Groups().List()
		if err != nil {
			return err
		}
		for _, m := range groups {
			user.Groups = append(user.Groups, m.Group)
		}
		keys, err := scope.AccessKeys().List()
		if err != nil {
			return err
		}
		for _, k := range keys {
			user.AccessKeys = append(user.AccessKeys, AccessKey{ID: k.AccessKeyID, Secret: k.Secret, Status: k.Status})
		}
		a.Users = append(a.Users, user)
		return nil
	})
	if n := storage.RootUserScope(tx).AccessKeys().Count(); n > 0 {
		c.left["root user access keys (the root credentials are configured, -root-access-key-id)"] += n
	}
	return err
}

func (c *converter) roles(tx *storage.Tx, a *Account) error {
	return storage.Roles(tx).Scan("", func(_ string, r storage.RoleRecord) error {
		if r.ServiceLinked {
			c.left["service-linked roles (CreateServiceLinkedRole makes them)"]++
			return nil
		}
		managed, inline, err := entityPolicies(storage.RoleScope(tx, r.Name).Entity)
		a.Roles = append(a.Roles, Role{Name: r.Name, Path: r.Path, Description: r.Description, TrustPolicy: Document(r.TrustPolicy),
			MaxSessionDuration: r.MaxSessionDuration, Tags: tagMap(r.Tags), PermissionsBoundary: r.Boundary,
			ManagedPolicies: managed, InlinePolicies: inline})
		return err
	})
}

// lambda takes each layer's latest version and each function's $LATEST, with their code.
// Functions name the layers of their own account and region by name, which the init file
// resolves to the version it publishes.
func (c *converter) lambda(tx *storage.Tx, a *Account, region string) error {
	own := map[string]bool{}
	err := storage.LambdaLayers(tx).Scan("", func(_ string, l storage.LambdaLayerRecord) error {
		versions := storage.LambdaLayerVersions(tx, l.Name)
		var latest *storage.LambdaLayerVersionRecord
		err := versions.Scan("", func(_ string, v storage.LambdaLayerVersionRecord) error {
			if latest != nil {
				c.left["layer versions other than the latest"]++
			}
			latest = &v
			return nil
		})
		if err != nil || latest == nil {
			return err
		}
		zip, err := storage.LambdaCode(tx, latest.CodeKey)
		if err != nil {
			return fmt.Errorf("layer %s: code: %w", l.Name, err)
		}
		own[l.Name] = true
		a.Layers = append(a.Layers, Layer{Name: l.Name, Region: region, Description: latest.Description,
			CompatibleRuntimes: latest.CompatibleRuntimes, zip: zip})
		return nil
	})
	if err != nil {
		return err
	}
	return storage.LambdaFunctions(tx).Scan("", func(_ string, fn storage.LambdaFunctionRecord) error {
		return c.function(tx, a, region, fn, own)
	})
}

func (c *converter) function(tx *storage.Tx, a *Account, region string, fn storage.LambdaFunctionRecord, own map[string]bool) error {
	v, err := storage.LambdaVersions(tx, fn.Name).Get("$LATEST")
	if err != nil {
		return fmt.Errorf("function %s: %w", fn.Name, err)
	}
	if n := storage.LambdaVersions(tx, fn.Name).Count("") - 1; n > 0 {
		c.left["published function versions"] += n
	}
	if v.PackageType != "Zip" {
		c.left["functions of container images"]++
		return nil
	}
	zip, err := storage.LambdaCode(tx, v.CodeKey)
	if err != nil {
		return fmt.Errorf("function %s: code: %w", fn.Name, err)
	}
	out := Function{Name: fn.Name, Region: region, Runtime: v.Runtime, Handler: v.Handler, Role: v.Role, Description: v.Description,
		Timeout: v.Timeout, MemorySize: v.MemorySize, Architectures: v.Architectures, Environment: v.Environment, Tags: fn.Tags, zip: zip}
	for _, l := range v.Layers {
		// arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION
		p := strings.Split(l.ARN, ":")
		if len(p) == 8 && p[3] == region && p[4] == tx.Account() && own[p[6]] {
			out.Layers = append(out.Layers, p[6])
			continue
		}
		out.Layers = append(out.Layers, l.ARN)
	}
	a.Functions = append(a.Functions, out)
	return nil
}

// report lists what the state holds beyond what was converted: the counts the converter
// kept, and every table it does not apply that holds records.
func (c *converter) report(snap *storage.Snapshot) []string {
	tables := map[string]int{}
	for _, t := range snap.Tables() {
		if t.Values == 0 {
			continue
		}
		if name := tableName(t.Path); !appliedTables[name] {
			tables[name] += t.Values
		}
	}
	var out []string
	for what, n := range c.left {
		out = append(out, fmt.Sprintf("%s: %d", what, n))
	}
	for name, n := range tables {
		out = append(out, fmt.Sprintf("records of table %s: %d", name, n))
	}
	sort.Strings(out)
	return out
}

// tableName names a bucket path without its account, region and owner: iam.users,
// lambda.fn/aliases, sessions.
func tableName(path []string) string {
	p := path
	if len(p) >= 2 && p[0] == "accounts" {
		p = p[2:]
		if len(p) >= 2 && p[0] == "regions" {
			p = p[2:]
		}
	} else if len(p) >= 1 && p[0] == "global" {
		p = p[1:]
	}
	switch {
	case len(p) == 0:
		return strings.Join(path, "/")
	case len(p) >= 3 && p[0] == "lambda.fn":
		return "lambda.fn/" + p[2] // lambda.fn/<function>/<table>
	}
	return p[0]
}
