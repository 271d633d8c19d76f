package lint

import (
	"runtime"
	"testing"
	"time"
)

// BenchmarkBuildCatalog parses the embedded reference, and reports once what the built
// catalog keeps live: bytes and heap objects the collector has to mark.
func BenchmarkBuildCatalog(b *testing.B) {
	bytes, objects := catalogFootprint()
	b.ReportAllocs()
	for b.Loop() {
		if buildCatalog() == nil {
			b.Fatal("no catalog")
		}
	}
	b.ReportMetric(float64(bytes), "live-B")
	b.ReportMetric(float64(objects), "live-objs")
}

// catalogFootprint is the growth of the live heap while one built catalog is reachable.
func catalogFootprint() (bytes, objects uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := buildCatalog()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(c)
	return after.HeapAlloc - before.HeapAlloc, after.HeapObjects - before.HeapObjects
}

// BenchmarkGCWithCatalog is one full collection while a catalog is live: the marking the
// catalog costs every cycle of a server that has linted a policy.
func BenchmarkGCWithCatalog(b *testing.B) {
	c := buildCatalog()
	runtime.GC()
	var marked time.Duration
	for b.Loop() {
		start := time.Now()
		runtime.GC()
		marked += time.Since(start)
	}
	runtime.KeepAlive(c)
	b.ReportMetric(float64(marked.Nanoseconds())/float64(b.N), "gc-ns/op")
}

// BenchmarkCheckTypical lints a policy of known actions, resources and condition keys: the
// lookups every stored policy write makes.
func BenchmarkCheckTypical(b *testing.B) {
	doc := policy(
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bucket","arn:aws:s3:::bucket/*"],"Condition":{"StringEquals":{"s3:prefix":"home/","aws:PrincipalTag/team":"a"}}}`,
		`{"Effect":"Allow","Action":["lambda:Get*","lambda:InvokeFunction","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*"}`,
		`{"Effect":"Allow","Action":["iam:GetUser","iam:ListRoles","iam:PassRole","sts:AssumeRole"],"Resource":"*","Condition":{"StringLike":{"iam:PassedToService":"lambda.amazonaws.com"}}}`,
		`{"Effect":"Deny","Action":["ec2:RunInstances","ec2:TerminateInstances"],"Resource":"*","Condition":{"StringNotEquals":{"ec2:InstanceType":"t3.micro","aws:RequestedRegion":"us-east-1"}}}`,
	)
	Check(doc, Options{}) // the catalog is built once, outside the timing
	b.ReportAllocs()
	for b.Loop() {
		Check(doc, Options{})
	}
}
