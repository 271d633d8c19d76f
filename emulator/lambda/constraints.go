package lambda

import (
	"fmt"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// The constraints Lambda enforces and quotes today where its published model is older. Every
// entry is recorded against real AWS in LocalStack's parity snapshots
// (tests/aws/services/lambda_/test_lambda_api.snapshot.json, recorded 2025-11 to 2026-01; the
// messages are in internal/awsdata/conformance/errors/localstack-aws-recorded-errors.json),
// unless marked "by analogy": those patterns take the same European Sovereign Cloud region
// prefix ((eusc-)?) that every recorded function and ARN pattern gained.
var constraintTable = protocol.ConstraintTable{
	Patterns: map[string]string{
		// invalid_function_name_exc (CreateFunction "invalid:function:name").
		"FunctionName": functionNameRegex,
		// invoke_function_name_pattern_exc (Invoke).
		"NamespacedFunctionName": `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`,
		// By analogy with FunctionName.
		"UnqualifiedFunctionName": `(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)`,
		// By analogy with FunctionName.
		"FunctionArn": `arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?`,
		// By analogy with NamespacedFunctionName.
		"NameSpacedFunctionArn": `arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:function:[a-zA-Z0-9-_\.]+(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`,
		// get_layer_version_by_arn_exc_invalidarn: AWS's public layers (awslayer) too.
		"LayerVersionArn": `(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)`,
		// tag_lambda_invalidarn: layers are taggable resources too.
		"TaggableResource": `arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:(function:[a-zA-Z0-9-_]+(:(\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)`,
		// put_destination_invalid_arn_pattern.
		"DestinationArn": `$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)`,
	},
	Enums: map[string][]string{
		// put_recursion_invalid_value_error.
		"RecursiveLoop": {"Terminate", "Allow"},
		// invoke_function_invalid_invoke_type.
		"InvokeMode": {"RESPONSE_STREAM", "BUFFERED"},
		// publish_layer_version_exc_invalid_runtime_arch: the runtimes Lambda accepts, worded as
		// the list's own enum.
		"PublishLayerVersionRequest$CompatibleRuntimes": acceptedRuntimes,
		// list_layers_exc_compatibleruntime_invalid: every identifier Lambda's service knows,
		// in the order it lists them; ListLayerVersions by analogy.
		"ListLayersRequest$CompatibleRuntime":        knownRuntimes,
		"ListLayerVersionsRequest$CompatibleRuntime": knownRuntimes,
	},
	// A function's runtime is answered by the handler in Lambda's own words (runtimeError).
	Unchecked: []string{"CreateFunctionRequest$Runtime", "UpdateFunctionConfigurationRequest$Runtime"},
}

// acceptedRuntimes are the runtimes Lambda accepts for new functions and layers, in the order
// its messages list them (uppercase_runtime_exc, invalid_runtime_exc, recorded 2026-01-12).
var acceptedRuntimes = []string{"nodejs20.x", "python3.14", "provided.al2023", "python3.12", "python3.13",
	"nodejs24.x", "nodejs22.x", "java25", "python3.10", "python3.11", "java21", "ruby3.3", "ruby3.4", "ruby3.2",
	"python3.8", "python3.9", "java17", "nodejs16.x", "dotnet10", "dotnet8", "java11", "dotnet6", "nodejs18.x",
	"provided.al2", "java8.al2"}

// knownRuntimes is the list ListLayers quotes for an unknown CompatibleRuntime
// (list_layers_exc_compatibleruntime_invalid, recorded 2026-01-12), unreleased identifiers
// included.
var knownRuntimes = []string{"ruby3.5", "ruby2.6", "dotnetcore1.0", "python3.7", "nodejs8.10", "nasa", "ruby2.7",
	"python2.7-greengrass", "dotnetcore2.0", "python3.8", "java21", "dotnet6", "dotnetcore2.1", "python3.9", "java11",
	"nodejs6.10", "provided", "dotnetcore3.1", "dotnet8", "java25", "java17", "nodejs", "nodejs4.3", "java8.al2",
	"go1.x", "dotnet10", "nodejs20.x", "go1.9", "byol", "nodejs10.x", "provided.al2023", "nodejs22.x", "python3.10",
	"java8", "nodejs12.x", "python3.11", "nodejs24.x", "nodejs8.x", "python3.12", "nodejs14.x", "nodejs8.9",
	"nodejs26.x", "python3.13", "python3.14", "nodejs16.x", "python3.15", "provided.al2", "nodejs4.3-edge",
	"nodejs18.x", "ruby3.2", "python3.4", "ruby3.3", "ruby3.4", "ruby2.5", "python3.6", "python2.7"}

// Constraints are Lambda's corrections to its model for protocol validation. The table is
// static and checked by a test, so a failure to resolve it is a programming error.
func Constraints(svc *model.Service) *protocol.Constraints {
	c, err := protocol.NewConstraints(svc, constraintTable)
	if err != nil {
		panic(fmt.Sprintf("lambda: %v", err))
	}
	return c
}

// runtimeError answers a function's Runtime as Lambda does, before the model's enum: an
// identifier it blocks has its deprecation text (deprecation_error), one it does not know at all
// "Value X at 'runtime' failed to satisfy constraint: ... or be a valid ARN"
// (invalid_runtime_exc, uppercase_runtime_exc: InvalidParameterValueException, no count).
func runtimeError(r string) error {
	if blockedRuntimes[r] {
		return invalid("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", r)
	}
	if !modelRuntime(r) {
		return invalid("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN",
			r, strings.Join(acceptedRuntimes, ", "))
	}
	return nil
}

// modelRuntime reports an identifier of the model's Runtime enum (deprecated ones included,
// which Lambda still lets existing functions keep).
func modelRuntime(r string) bool {
	for _, known := range lambdaapi.Model().Shapes["Runtime"].Enum {
		if known == r {
			return true
		}
	}
	return false
}
