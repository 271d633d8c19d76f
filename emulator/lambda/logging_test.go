package lambda

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

// LoggingConfig through partial updates and format switches: members left out are kept, the
// log levels exist only with JSON (dropped by a switch to Text, INFO and INFO by default).
func TestLoggingConfigUpdates(t *testing.T) {
	t.Parallel()
	type logging struct{ format, group, app, sys string }
	cases := []struct {
		name    string
		create  *lambdaapi.LoggingConfig
		updates []lambdaapi.LoggingConfig
		want    logging
	}{
		{"defaults", nil, nil, logging{"Text", "/aws/lambda/fn", "", ""}},
		{"JSON with no levels", nil, []lambdaapi.LoggingConfig{{LogFormat: ptr("JSON")}},
			logging{"JSON", "/aws/lambda/fn", "INFO", "INFO"}},
		{"one level, the other kept", &lambdaapi.LoggingConfig{LogFormat: ptr("JSON"), SystemLogLevel: ptr("WARN")},
			[]lambdaapi.LoggingConfig{{ApplicationLogLevel: ptr("DEBUG")}}, logging{"JSON", "/aws/lambda/fn", "DEBUG", "WARN"}},
		{"switch to Text drops the levels", &lambdaapi.LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("ERROR")},
			[]lambdaapi.LoggingConfig{{LogFormat: ptr("Text")}}, logging{"Text", "/aws/lambda/fn", "", ""}},
		{"back to JSON starts at INFO", &lambdaapi.LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("ERROR"), SystemLogLevel: ptr("WARN")},
			[]lambdaapi.LoggingConfig{{LogFormat: ptr("Text")}, {LogFormat: ptr("JSON")}}, logging{"JSON", "/aws/lambda/fn", "INFO", "INFO"}},
		{"log group kept across a format switch", &lambdaapi.LoggingConfig{LogGroup: ptr("/custom/group")},
			[]lambdaapi.LoggingConfig{{LogFormat: ptr("JSON")}, {ApplicationLogLevel: ptr("WARN")}}, logging{"JSON", "/custom/group", "WARN", "INFO"}},
		{"format kept when only the group changes", &lambdaapi.LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("TRACE")},
			[]lambdaapi.LoggingConfig{{LogGroup: ptr("/other")}}, logging{"JSON", "/other", "TRACE", "INFO"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.create("fn", func(in *lambdaapi.CreateFunctionRequest) { in.LoggingConfig = c.create })
			for _, u := range c.updates {
				_, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("fn"), LoggingConfig: &u})
				ok(t, err)
			}
			got, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("fn")})
			ok(t, err)
			l := got.LoggingConfig
			have := logging{deref(l.LogFormat), deref(l.LogGroup), deref(l.ApplicationLogLevel), deref(l.SystemLogLevel)}
			if have != c.want {
				t.Errorf("LoggingConfig = %+v, want %+v", have, c.want)
			}
		})
	}
}
