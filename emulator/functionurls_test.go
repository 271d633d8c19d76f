package emulator

import "testing"

func TestURLHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host, id, region string
		ok               bool
	}{
		{"mq75dt64puwxk3u6gjw2rhak4m0bcmmi.lambda-url.us-east-1.localhost:4566", "mq75dt64puwxk3u6gjw2rhak4m0bcmmi", "us-east-1", true},
		{"MQ75DT64PUWXK3U6GJW2RHAK4M0BCMMI.Lambda-Url.eu-west-1.on.aws", "mq75dt64puwxk3u6gjw2rhak4m0bcmmi", "eu-west-1", true},
		{"abc.lambda-url.us-east-1.example.test", "abc", "us-east-1", true},
		{"127.0.0.1:4566", "", "", false},
		{"lambda-url.us-east-1.localhost", "", "", false},
		{"abc.lambda-url.localhost", "", "", false},
		{"abc.lambda.us-east-1.localhost", "", "", false},
		{".lambda-url.us-east-1.localhost", "", "", false},
	}
	for _, tc := range tests {
		id, region, ok := urlHost(tc.host)
		if id != tc.id || region != tc.region || ok != tc.ok {
			t.Errorf("urlHost(%q) = %q, %q, %v", tc.host, id, region, ok)
		}
	}
}

func TestParseURLAuth(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]URLAuth{"": URLAuthCurrent, "current": URLAuthCurrent, "legacy": URLAuthLegacy, "both": ""} {
		got, err := ParseURLAuth(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("ParseURLAuth(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := New(Options{URLAuth: "sometimes"}); err == nil {
		t.Error("New accepted URLAuth sometimes")
	}
}
