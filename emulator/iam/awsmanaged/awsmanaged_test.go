package awsmanaged

import (
	"strings"
	"testing"
)

func TestDataset(t *testing.T) {
	t.Parallel()
	if got := Len(); got != 1628 {
		t.Fatalf("Len = %d, want 1628 (the size of the embedded data set)", got)
	}
	seenID := map[string]string{}
	for _, p := range List("") {
		if p.ARN("aws") != "arn:aws:iam::aws:policy"+p.Path+p.Name {
			t.Errorf("%s: ARN does not follow path and name", p.ARN("aws"))
		}
		if !strings.HasPrefix(p.ID, "ANPA") || len(p.ID) != 21 {
			t.Errorf("%s: id %q is not a 21-character ANPA id", p.ARN("aws"), p.ID)
		}
		if other, dup := seenID[p.ID]; dup {
			t.Errorf("%s and %s share id %s", p.ARN("aws"), other, p.ID)
		}
		seenID[p.ID] = p.ARN("aws")
		if p.DefaultVersionID == "" || p.Document == "" || p.Created.IsZero() || p.Updated.IsZero() {
			t.Errorf("%s: incomplete record %+v", p.ARN("aws"), p)
		}
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn        string
		want       bool
		deprecated bool
		path       string
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", true, false, "/"},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", true, false, "/service-role/"},
		{"arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess", true, true, "/"},
		{"arn:aws:iam::aws:policy/AWSLambdaFullAccess", true, true, "/"},
		{"arn:aws:iam::aws:policy/job-function/SystemAdministrator", true, false, "/job-function/"},
		{"arn:aws:iam::aws:policy/administratoraccess", false, false, ""}, // ARNs match exactly
		{"arn:aws:iam::aws:policy/NoSuchPolicy", false, false, ""},
	}
	for _, tt := range tests {
		p, ok := Get("aws", tt.arn)
		if ok != tt.want {
			t.Errorf("Get(%s) found = %v, want %v", tt.arn, ok, tt.want)
			continue
		}
		if ok && (p.Deprecated != tt.deprecated || p.Path != tt.path) {
			t.Errorf("Get(%s) = deprecated %v path %q", tt.arn, p.Deprecated, p.Path)
		}
	}
	if p, _ := Get("aws", "arn:aws:iam::aws:policy/AdministratorAccess"); p.Document != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}` {
		t.Errorf("AdministratorAccess document = %s", p.Document)
	}
}

func TestListPathPrefix(t *testing.T) {
	t.Parallel()
	// The path counts of the embedded data (SOURCES.md's counts less the 4 rows it removed).
	for prefix, want := range map[string]int{"/job-function/": 11, "/service-role/": 233,
		"/aws-service-role/": 359, "/root-task/": 5, "/": 1628} {
		if n := len(List(prefix)); n != want {
			t.Errorf("List(%s) = %d policies, want %d", prefix, n, want)
		}
	}
	all := List("/")
	for i := 1; i < len(all); i++ {
		if all[i-1].ARN("aws") >= all[i].ARN("aws") {
			t.Fatalf("List is not sorted at %d: %s >= %s", i, all[i-1].ARN("aws"), all[i].ARN("aws"))
		}
	}
}

func TestServiceNamespaces(t *testing.T) {
	t.Parallel()
	ns := ServiceNamespaces()
	for _, want := range []string{"iam", "s3", "lambda", "sts", "logs", "ec2"} {
		found := false
		for _, n := range ns {
			found = found || n == want
		}
		if !found {
			t.Errorf("ServiceNamespaces lacks %q", want)
		}
	}
}

func TestIsAWSManaged(t *testing.T) {
	t.Parallel()
	if !IsAWSManaged("aws", "arn:aws:iam::aws:policy/Anything") || IsAWSManaged("aws", "arn:aws:iam::123456789012:policy/X") {
		t.Error("IsAWSManaged misclassifies")
	}
}

// From starts at the first ARN at or after its argument, matching a scan of the sorted list.
func TestFrom(t *testing.T) {
	t.Parallel()
	all := List("")
	const prefix = "arn:aws:iam::aws:policy"
	tests := []struct {
		from      string
		wantFirst string // "" for an empty result
		wantLen   int
	}{
		{"", all[0].ARN("aws"), len(all)},
		{prefix + "/AdministratorAccess", prefix + "/AdministratorAccess", -1},
		{prefix + "/AdministratorAccesr~", prefix + "/AdministratorAccess", -1}, // between two ARNs
		{all[len(all)-1].ARN("aws"), all[len(all)-1].ARN("aws"), 1},
		{prefix + "\xff", "", 0},
	}
	for _, tt := range tests {
		got := From("aws", tt.from)
		want := 0
		for _, p := range all {
			if p.ARN("aws") >= tt.from {
				want++
			}
		}
		if len(got) != want || (tt.wantLen >= 0 && len(got) != tt.wantLen) {
			t.Errorf("From(%q) has %d policies, want %d", tt.from, len(got), want)
			continue
		}
		if len(got) > 0 && got[0].ARN("aws") != tt.wantFirst || len(got) == 0 && tt.wantFirst != "" {
			t.Errorf("From(%q) starts at %v, want %s", tt.from, got, tt.wantFirst)
		}
		if cap(got) != len(got) {
			t.Errorf("From(%q) leaves capacity to append into the shared list", tt.from)
		}
	}
}

// AWS managed policies exist in every partition, under that partition's ARN, and only there.
func TestPartitions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		partition, arn string
		want           bool
	}{
		{"aws-cn", "arn:aws-cn:iam::aws:policy/AdministratorAccess", true},
		{"aws-us-gov", "arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", true},
		{"aws", "arn:aws-cn:iam::aws:policy/AdministratorAccess", false},
		{"aws-cn", "arn:aws:iam::aws:policy/AdministratorAccess", false},
		{"aws", "arn:aws:iam:us-east-1:aws:policy/AdministratorAccess", false},
		{"aws", "arn:aws:iam::aws:role/AdministratorAccess", false},
	}
	for _, tt := range tests {
		p, ok := Get(tt.partition, tt.arn)
		if ok != tt.want || IsAWSManaged(tt.partition, tt.arn) != tt.want && tt.want {
			t.Errorf("Get(%s, %s) found = %v, want %v", tt.partition, tt.arn, ok, tt.want)
			continue
		}
		if ok && p.ARN(tt.partition) != tt.arn {
			t.Errorf("Get(%s, %s).ARN = %s", tt.partition, tt.arn, p.ARN(tt.partition))
		}
	}
	a, _ := Get("aws", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	b, _ := Get("aws-iso", "arn:aws-iso:iam::aws:policy/ReadOnlyAccess")
	if a != b || a.Document != b.Document {
		t.Error("a policy differs between partitions")
	}
}
