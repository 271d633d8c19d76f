// Package initfile reads the file IAMLOCAL_INIT names (YAML or JSON: identities, policies,
// roles, layers and functions, or a state file from GET /_iamlocal/state) and applies it at
// start through the services' typed handlers, as each account's root, so that AWS's
// validation and defaults apply. Applying is idempotent: what exists is left as it is, what
// is missing is created, and the report says which. The format is in docs/state-format.md.
package initfile

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"
)

// File is an init file. Its top-level entities belong to the server's default account;
// Accounts holds those of others, by account id.
type File struct {
	// Region is where functions and layers go that name none; default the server's region.
	Region   string `yaml:"region" json:"region"`
	Account  `yaml:",inline"`
	Accounts map[string]*Account `yaml:"accounts" json:"accounts"`

	// leftOut is what the state file this File was made from holds beyond it (fromstate.go).
	leftOut []string
}

// Account is what one account gets, applied in this order: policies, groups, users, roles,
// instance profiles, OIDC providers, layers, functions.
type Account struct {
	Policies         []Policy          `yaml:"policies" json:"policies"`
	Groups           []Group           `yaml:"groups" json:"groups"`
	Users            []User            `yaml:"users" json:"users"`
	Roles            []Role            `yaml:"roles" json:"roles"`
	InstanceProfiles []InstanceProfile `yaml:"instanceProfiles" json:"instanceProfiles"`
	OIDCProviders    []OIDCProvider    `yaml:"oidcProviders" json:"oidcProviders"`
	Layers           []Layer           `yaml:"layers" json:"layers"`
	Functions        []Function        `yaml:"functions" json:"functions"`
}

// Policy is a customer managed policy.
type Policy struct {
	Name        string            `yaml:"name" json:"name"`
	Path        string            `yaml:"path" json:"path"`
	Description string            `yaml:"description" json:"description"`
	Document    Document          `yaml:"document" json:"document"`
	Tags        map[string]string `yaml:"tags" json:"tags"`
}

// Group is an IAM group with its policies.
type Group struct {
	Name            string              `yaml:"name" json:"name"`
	Path            string              `yaml:"path" json:"path"`
	ManagedPolicies []string            `yaml:"managedPolicies" json:"managedPolicies"`
	InlinePolicies  map[string]Document `yaml:"inlinePolicies" json:"inlinePolicies"`
}

// User is an IAM user with its groups, policies and access keys.
type User struct {
	Name                string              `yaml:"name" json:"name"`
	Path                string              `yaml:"path" json:"path"`
	Tags                map[string]string   `yaml:"tags" json:"tags"`
	PermissionsBoundary string              `yaml:"permissionsBoundary" json:"permissionsBoundary"`
	Groups              []string            `yaml:"groups" json:"groups"`
	ManagedPolicies     []string            `yaml:"managedPolicies" json:"managedPolicies"`
	InlinePolicies      map[string]Document `yaml:"inlinePolicies" json:"inlinePolicies"`
	AccessKeys          []AccessKey         `yaml:"accessKeys" json:"accessKeys"`
}

// AccessKey is a user's access key with the id and secret a test suite knows in advance.
type AccessKey struct {
	ID     string `yaml:"id" json:"id"`
	Secret string `yaml:"secret" json:"secret"`
	Status string `yaml:"status" json:"status"` // Active (default) or Inactive
}

// Role is an IAM role with its trust policy and permissions.
type Role struct {
	Name                string              `yaml:"name" json:"name"`
	Path                string              `yaml:"path" json:"path"`
	Description         string              `yaml:"description" json:"description"`
	TrustPolicy         Document            `yaml:"trustPolicy" json:"trustPolicy"`
	MaxSessionDuration  int32               `yaml:"maxSessionDuration" json:"maxSessionDuration"`
	Tags                map[string]string   `yaml:"tags" json:"tags"`
	PermissionsBoundary string              `yaml:"permissionsBoundary" json:"permissionsBoundary"`
	ManagedPolicies     []string            `yaml:"managedPolicies" json:"managedPolicies"`
	InlinePolicies      map[string]Document `yaml:"inlinePolicies" json:"inlinePolicies"`
}

// InstanceProfile holds roles (AWS allows one).
type InstanceProfile struct {
	Name  string   `yaml:"name" json:"name"`
	Path  string   `yaml:"path" json:"path"`
	Roles []string `yaml:"roles" json:"roles"`
}

// OIDCProvider is an IAM OpenID Connect identity provider.
type OIDCProvider struct {
	URL         string   `yaml:"url" json:"url"`
	ClientIDs   []string `yaml:"clientIDs" json:"clientIDs"`
	Thumbprints []string `yaml:"thumbprints" json:"thumbprints"`
}

// Layer is a Lambda layer; its code is published as its first version.
type Layer struct {
	Name               string   `yaml:"name" json:"name"`
	Region             string   `yaml:"region" json:"region"`
	Description        string   `yaml:"description" json:"description"`
	CompatibleRuntimes []string `yaml:"compatibleRuntimes" json:"compatibleRuntimes"`
	Code               string   `yaml:"code" json:"code"` // a directory (zipped) or a .zip, relative to the file
	zip                []byte
}

// Function is a Lambda function.
type Function struct {
	Name          string            `yaml:"name" json:"name"`
	Region        string            `yaml:"region" json:"region"`
	Runtime       string            `yaml:"runtime" json:"runtime"`
	Handler       string            `yaml:"handler" json:"handler"`
	Role          string            `yaml:"role" json:"role"` // a role name of the account, or an ARN
	Code          string            `yaml:"code" json:"code"` // a directory (zipped) or a .zip, relative to the file
	Description   string            `yaml:"description" json:"description"`
	Timeout       int32             `yaml:"timeout" json:"timeout"`
	MemorySize    int32             `yaml:"memorySize" json:"memorySize"`
	Architectures []string          `yaml:"architectures" json:"architectures"`
	Environment   map[string]string `yaml:"environment" json:"environment"`
	Tags          map[string]string `yaml:"tags" json:"tags"`
	// Layers are layer version ARNs, or names of layers of the account and region, which mean
	// their latest version.
	Layers []string `yaml:"layers" json:"layers"`
	zip    []byte
}

// Document is a policy document, written in the file as a mapping (YAML or JSON) or as a
// string of JSON; it is the JSON text.
type Document string

// UnmarshalYAML keeps scalars as written: YAML would read the policy grammar's
// Version: 2012-10-17 as a timestamp.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		*d = Document(n.Value)
		return nil
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, n); err != nil {
		return err
	}
	*d = Document(buf.String())
	return nil
}

// writeJSON writes a YAML node as JSON, keys in the file's order.
func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(n.Content[i].Value)
			buf.Write(key)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		return writeScalar(buf, n)
	}
	return nil
}

func writeScalar(buf *bytes.Buffer, n *yaml.Node) error {
	var v any = n.Value // strings, and timestamps as written
	switch n.Tag {
	case "!!null":
		v = nil
	case "!!bool", "!!int", "!!float":
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	buf.Write(raw)
	return nil
}

// UnmarshalJSON takes a document as an object or as a string of JSON.
func (d *Document) UnmarshalJSON(raw []byte) error {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		*d = Document(s)
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return err
	}
	*d = Document(buf.String())
	return nil
}

// Read reads the init file at path: YAML, JSON, or a state file (GET /_iamlocal/state), whose
// IAM and Lambda entities it takes over (fromstate.go). Code paths are resolved against the
// file's directory and read now, so a bad path fails before anything is applied.
func Read(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f *File
	if isStateFile(raw) {
		f, err = fromState(raw)
	} else {
		f, err = parse(raw)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := f.loadCode(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// isStateFile sniffs a JSON object whose "format" is the state file's.
func isStateFile(raw []byte) bool {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	var head struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(trimmed, &head) == nil && head.Format == "iamlocal-state"
}

// parse reads YAML (JSON is YAML), refusing fields the format does not have.
func parse(raw []byte) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	f := &File{}
	if err := dec.Decode(f); err != nil && !errors.Is(err, io.EOF) { // an empty file applies nothing
		return nil, err
	}
	return f, nil
}

// accounts lists the file's accounts, the default one ("") first, then by id.
func (f *File) accounts() []string {
	ids := []string{""}
	for id := range f.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids[1:])
	return ids
}

func (f *File) account(id string) *Account {
	if id == "" {
		return &f.Account
	}
	return f.Accounts[id]
}

// loadCode reads every function's and layer's code: a .zip as it is, a directory zipped.
func (f *File) loadCode(dir string) error {
	for _, id := range f.accounts() {
		a := f.account(id)
		if a == nil {
			return fmt.Errorf("account %s has no entities", id)
		}
		for i := range a.Layers {
			l := &a.Layers[i]
			if l.zip != nil {
				continue
			}
			var err error
			if l.zip, err = loadCode(dir, l.Code); err != nil {
				return fmt.Errorf("layer %s: %w", l.Name, err)
			}
		}
		for i := range a.Functions {
			fn := &a.Functions[i]
			if fn.zip != nil {
				continue
			}
			var err error
			if fn.zip, err = loadCode(dir, fn.Code); err != nil {
				return fmt.Errorf("function %s: %w", fn.Name, err)
			}
		}
	}
	return nil
}

func loadCode(dir, path string) ([]byte, error) {
	if path == "" {
		return nil, errors.New(`"code" names no directory or .zip file`)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return os.ReadFile(path)
	}
	return zipDir(path)
}

// zipDir zips a directory's files in name order with a fixed time and mode, so the same
// files give the same package (and CodeSha256) on every start.
func zipDir(root string) ([]byte, error) {
	var names []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: only regular files go into a package", p)
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range names {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		mode := fs.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755 // a provided runtime's bootstrap must stay executable
		}
		hdr := &zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
		hdr.SetMode(mode)
		fw, err := w.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		body, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(body); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// quote is a name as the report shows it.
func quote(s string) string { return strconv.Quote(s) }
