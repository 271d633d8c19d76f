package executor

import (
	"strings"
	"testing"
)

// Ruby functions run on the host's ruby through iamlocal's runtime client:
// handlers "file.method" and "file.Module::Class.method" called with event:
// and context:, errors in the Lambda Ruby runtime's document ("Define Lambda
// function handler in Ruby", "Lambda function errors in Ruby").
const rbApp = `
require 'json'

def handler(event:, context:)
  puts "hello from ruby"
  { 'event' => event, 'requestId' => context.aws_request_id, 'name' => context.function_name,
    'remaining' => context.get_remaining_time_in_millis, 'version' => RUBY_VERSION }
end

def fail(event:, context:)
  raise ArgumentError, "bad: #{event['why']}"
end

module Shop
  class Orders
    def self.count(event:, context:)
      event['items'].size
    end
  end
end
`

func TestRubyHandlersAndErrors(t *testing.T) {
	t.Parallel()
	requireTool(t, "ruby")
	e := newTestExecutor(t, Options{})
	code := codeOf(t, "app.rb", rbApp)
	for _, tc := range []struct {
		handler, payload string
		check            func(t *testing.T, res Result)
	}{
		{"app.handler", `{"a":1}`, func(t *testing.T, res Result) {
			doc := decode(t, res.Payload)
			if res.FunctionError != "" || doc["name"] != "rb" || doc["requestId"] == "" || doc["remaining"].(float64) <= 0 ||
				doc["event"].(map[string]any)["a"] != 1.0 {
				t.Errorf("payload %s", res.Payload)
			}
			if !strings.Contains(string(res.Log), "\nhello from ruby\n") {
				t.Errorf("log:\n%s", res.Log)
			}
		}},
		{"app.Shop::Orders.count", `{"items":[1,2,3]}`, func(t *testing.T, res Result) {
			if res.FunctionError != "" || string(res.Payload) != "3" {
				t.Errorf("payload %s", res.Payload)
			}
		}},
		{"app.fail", `{"why":"no"}`, func(t *testing.T, res Result) {
			doc := decode(t, res.Payload)
			if res.FunctionError != FunctionErrorUnhandled || doc["errorType"] != "Function<ArgumentError>" || doc["errorMessage"] != "bad: no" {
				t.Errorf("payload %s", res.Payload)
			}
		}},
		{"app.missing", `{}`, func(t *testing.T, res Result) {
			if doc := decode(t, res.Payload); res.FunctionError != FunctionErrorUnhandled || doc["errorType"] != "Init<NoMethodError>" {
				t.Errorf("payload %s", res.Payload)
			}
		}},
		{"nofile.handler", `{}`, func(t *testing.T, res Result) {
			if doc := decode(t, res.Payload); res.FunctionError != FunctionErrorUnhandled || doc["errorType"] != "Init<LoadError>" {
				t.Errorf("payload %s", res.Payload)
			}
		}},
	} {
		fn := testFunction("rb", "ruby3.3", tc.handler, code)
		tc.check(t, invoke(t, e, fn, tc.payload))
	}
}
