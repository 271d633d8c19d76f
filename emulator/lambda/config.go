package lambda

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// settings are the configuration members CreateFunction and UpdateFunctionConfiguration share;
// a nil member leaves the stored value as it is (UpdateFunctionConfiguration) or takes the
// default (CreateFunction).
type settings struct {
	Description      *string
	Runtime          *string
	Handler          *string
	Role             *string
	Timeout          *int32
	MemorySize       *int32
	Environment      *lambdaapi.Environment
	Layers           []string
	LayersSet        bool
	EphemeralStorage *lambdaapi.EphemeralStorage
	TracingConfig    *lambdaapi.TracingConfig
	DeadLetterConfig *lambdaapi.DeadLetterConfig
	KMSKeyArn        *string
	FileSystems      []lambdaapi.FileSystemConfig
	FileSystemsSet   bool
	VpcConfig        *lambdaapi.VpcConfig
	LoggingConfig    *lambdaapi.LoggingConfig
	ImageConfig      *lambdaapi.ImageConfig
	SnapStart        *lambdaapi.SnapStart
}

// Runtimes whose function creation and update Lambda blocks ("Lambda runtimes", deprecated
// runtimes table), with the text it answers (conformance/errors: deprecation_error).
var blockedRuntimes = map[string]bool{
	"nodejs": true, "nodejs4.3": true, "nodejs4.3-edge": true, "nodejs6.10": true, "nodejs8.10": true,
	"nodejs10.x": true, "nodejs12.x": true, "nodejs14.x": true, "python2.7": true, "python3.6": true,
	"python3.7": true, "dotnetcore1.0": true, "dotnetcore2.0": true, "dotnetcore2.1": true,
	"dotnetcore3.1": true, "ruby2.5": true, "ruby2.7": true, "java8": true, "go1.x": true, "provided": true,
}

// Environment variable keys Lambda reserves ("Defined runtime environment variables").
var reservedEnv = []string{"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
	"AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME",
	"AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY",
	"AWS_SESSION_TOKEN", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT"}

func validation(format string, args ...any) error {
	return awserr.New("ValidationException", 400, true, format, args...)
}

// check validates the members that need no storage. Timeout's and MemorySize's upper bounds
// are not in the model (which allows Lambda Managed Instances' larger values) and Lambda
// answers them as ValidationException: "1 validation error detected: Value '3000' at 'timeout'
// failed to satisfy constraint: Member must have value less than or equal to 900"
// (covidatlas/li#575) and "'MemorySize' value failed to satisfy constraint: Member must have
// value less than or equal to 3008" (ubc-cirrus-lab/parrotfish#38, a quota-limited account).
func (st settings) check(packageType string) error {
	if st.Runtime != nil {
		if err := runtimeError(*st.Runtime); err != nil {
			return err
		}
	}
	if st.Timeout != nil && *st.Timeout > maxTimeout {
		return validation("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to %d", *st.Timeout, maxTimeout)
	}
	if st.MemorySize != nil && *st.MemorySize > maxMemory {
		return validation("'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to %d", maxMemory)
	}
	if packageType == "Image" && (str(st.Runtime) != "" || str(st.Handler) != "" || len(st.Layers) > 0) {
		return invalid("Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image.")
	}
	if st.Environment != nil {
		if err := checkEnvironment(st.Environment.Variables); err != nil {
			return err
		}
	}
	if len(st.Layers) > maxLayers {
		return invalid("Cannot reference more than %d layers.", maxLayers)
	}
	return nil
}

// checkEnvironment applies Lambda's rules for environment variables: no reserved keys, and at
// most 4 KB measured as the JSON object of the variables.
func checkEnvironment(vars map[string]string) error {
	var used []string
	for _, k := range reservedEnv {
		if _, ok := vars[k]; ok {
			used = append(used, k)
		}
	}
	if len(used) > 0 {
		return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(used, ", "))
	}
	measured, err := measuredEnvironment(vars)
	if err != nil {
		return err
	}
	if len(measured) > maxEnvBytes {
		return invalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", measured)
	}
	return nil
}

// measuredEnvironment is the JSON object Lambda measures against the 4 KB limit, its keys in the
// order Lambda's message lists them: a Java HashMap's (failured_create_fn_result_multi_key in
// conformance/errors lists SMALL_VAR before LARGE_VAR, their HashMap order).
func measuredEnvironment(vars map[string]string) (string, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range javaHashMapOrder(vars) {
		if i > 0 {
			b.WriteByte(',')
		}
		for _, s := range []string{k, vars[k]} {
			var one bytes.Buffer
			enc := json.NewEncoder(&one)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(s); err != nil {
				return "", err
			}
			b.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
			if s == k {
				b.WriteByte(':')
			}
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

// javaHashMapOrder is the iteration order of a java.util.HashMap holding the keys: by bucket
// (String.hashCode spread as HashMap.hash, over a table of 16 doubled past a load of 0.75),
// keys of one bucket in name order.
func javaHashMapOrder(vars map[string]string) []string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	size := 16
	for float64(len(keys)) > 0.75*float64(size) {
		size *= 2
	}
	bucket := func(k string) uint32 {
		var h uint32
		for _, u := range utf16.Encode([]rune(k)) {
			h = 31*h + uint32(u)
		}
		return (h ^ h>>16) & uint32(size-1)
	}
	sort.SliceStable(keys, func(i, j int) bool { return bucket(keys[i]) < bucket(keys[j]) })
	return keys
}

// checkRole enforces Lambda's rule for the execution role: an existing role of the function's
// account whose trust policy lets lambda.amazonaws.com call sts:AssumeRole; anything else is
// "The role defined for the function cannot be assumed by Lambda." (numeract/aws-lambda-r#20).
func checkRole(tx *storage.Tx, roleARN string) error {
	bad := invalid("The role defined for the function cannot be assumed by Lambda.")
	a, err := arn.Parse(roleARN)
	kind, path, name, _ := arn.SplitIAMResource(a.Resource)
	if err != nil || a.Account != tx.Account() || kind != "role" {
		return bad
	}
	role, err := storage.Roles(tx).Get(storage.Key(name))
	if isNotFound(err) || err == nil && role.Path != path {
		return bad
	}
	if err != nil {
		return err
	}
	// Validated when it was written: only compiled here.
	pol, err := authz.Parser{AnyPartition: true}.Parse(role.TrustPolicy, authz.KindTrust)
	if err != nil {
		return bad
	}
	req := authz.Request{Principal: authz.Principal{Service: "lambda.amazonaws.com"}, Action: "sts:AssumeRole", Resource: roleARN,
		Context: map[string][]string{"aws:PrincipalServiceName": {"lambda.amazonaws.com"}, "aws:PrincipalIsAWSService": {"true"}}}
	if authz.Evaluate(req, authz.PolicySet{Resource: []authz.Named{{Name: "trust", Policy: pol}}}).Decision != authz.Allow {
		return bad
	}
	return nil
}

// resolveLayers checks the layer versions a function references: in the function's region
// (a layer of another region is refused with Lambda's text, recorded in
// TestLambdaLayer::test_layer_function_exceptions, create_function_with_layer_in_different_region),
// one version per layer, and existing when they belong to the function's account. Layers of
// other accounts are read from that account in the same region (tx.In keeps it) when iamlocal
// has it and otherwise accepted as given (iamlocal cannot see AWS's public layers).
func resolveLayers(tx *storage.Tx, region string, arns []string) ([]storage.LambdaLayerRef, error) {
	out := []storage.LambdaLayerRef{}
	seen := map[string]string{}
	for _, text := range arns {
		v, err := arn.ParseLayerVersion(text)
		if err != nil {
			if strings.Contains(text, ":awslayer:") {
				out = append(out, storage.LambdaLayerRef{ARN: text})
				continue
			}
			return nil, invalid("Layer version %s does not exist.", text)
		}
		if v.Region != region {
			return nil, invalid("Layers are not in the same region as the function. Layers are expected to be in region %s.", region)
		}
		layer := v.Layer.ARN().String()
		if prev, dup := seen[layer]; dup {
			return nil, invalid("Two different versions of the same layer are not allowed to be referenced in the same function. %s and %s are versions of the same layer.", prev, text)
		}
		seen[layer] = text
		rec, err := storage.LambdaLayerVersions(tx.In(v.Account), v.Name).Get(storage.LambdaVersionKey(strconv.FormatInt(v.Version, 10)))
		switch {
		case err == nil:
			out = append(out, storage.LambdaLayerRef{ARN: text, CodeSize: rec.CodeSize, CodeKey: rec.CodeKey})
		case isNotFound(err) && v.Account != tx.Account():
			out = append(out, storage.LambdaLayerRef{ARN: text})
		case isNotFound(err):
			return nil, invalid("Layer version %s does not exist.", text)
		default:
			return nil, err
		}
	}
	return out, nil
}

// apply writes the given settings into v, after check and with role and layers resolved.
func (st settings) apply(v *storage.LambdaVersionRecord, functionName string, layers []storage.LambdaLayerRef) {
	setIf(&v.Description, st.Description)
	setIf(&v.Runtime, st.Runtime)
	setIf(&v.Handler, st.Handler)
	setIf(&v.Role, st.Role)
	setIf(&v.Timeout, st.Timeout)
	setIf(&v.MemorySize, st.MemorySize)
	setIf(&v.KMSKeyArn, st.KMSKeyArn)
	if st.Environment != nil {
		v.Environment = map[string]string{}
		for k, val := range st.Environment.Variables {
			v.Environment[k] = val
		}
		v.HasEnvironment = true
	}
	if st.LayersSet {
		v.Layers = layers
	}
	if st.EphemeralStorage != nil && st.EphemeralStorage.Size != nil {
		v.EphemeralStorage = *st.EphemeralStorage.Size
	}
	if st.TracingConfig != nil && st.TracingConfig.Mode != nil {
		v.TracingMode = *st.TracingConfig.Mode
	}
	if st.DeadLetterConfig != nil {
		v.DeadLetterTarget = str(st.DeadLetterConfig.TargetArn)
	}
	if st.FileSystemsSet {
		v.FileSystems = nil
		for _, f := range st.FileSystems {
			v.FileSystems = append(v.FileSystems, storage.LambdaFileSystem{ARN: str(f.Arn), MountPath: str(f.LocalMountPath)})
		}
	}
	if st.VpcConfig != nil {
		v.VPC = nil
		if len(st.VpcConfig.SubnetIds) > 0 || len(st.VpcConfig.SecurityGroupIds) > 0 {
			v.VPC = &storage.LambdaVPC{SubnetIDs: st.VpcConfig.SubnetIds, SecurityGroupIDs: st.VpcConfig.SecurityGroupIds,
				IPv6DualStack: st.VpcConfig.Ipv6AllowedForDualStack != nil && *st.VpcConfig.Ipv6AllowedForDualStack}
		}
	}
	if l := st.LoggingConfig; l != nil {
		setIf(&v.Logging.LogFormat, l.LogFormat)
		setIf(&v.Logging.LogGroup, l.LogGroup)
		setIf(&v.Logging.ApplicationLogLevel, l.ApplicationLogLevel)
		setIf(&v.Logging.SystemLogLevel, l.SystemLogLevel)
	}
	if v.Logging.LogFormat == "" {
		v.Logging.LogFormat = "Text"
	}
	if v.Logging.LogGroup == "" {
		v.Logging.LogGroup = "/aws/lambda/" + functionName
	}
	if v.Logging.LogFormat == "JSON" {
		if v.Logging.ApplicationLogLevel == "" {
			v.Logging.ApplicationLogLevel = "INFO"
		}
		if v.Logging.SystemLogLevel == "" {
			v.Logging.SystemLogLevel = "INFO"
		}
	}
	if ic := st.ImageConfig; ic != nil {
		v.ImageConfig = &storage.LambdaImageConfig{Command: ic.Command, EntryPoint: ic.EntryPoint, WorkingDirectory: str(ic.WorkingDirectory)}
		if len(ic.Command) == 0 && len(ic.EntryPoint) == 0 && ic.WorkingDirectory == nil {
			v.ImageConfig = nil
		}
	}
	if st.SnapStart != nil && st.SnapStart.ApplyOn != nil {
		v.SnapStart = *st.SnapStart.ApplyOn
	}
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// fingerprint identifies a version's code and configuration, description included (everything
// but its version number, revision and time), so publishing an unchanged $LATEST can return
// the version already published from it; a new description alone makes a new version
// (recorded: test_version_lifecycle second_publish_response).
func fingerprint(v storage.LambdaVersionRecord) string {
	v.Version, v.RevisionID = "", ""
	v.LastModified = time.Time{}
	raw, _ := json.Marshal(v)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// view selects which state members a configuration carries: List* leave out the state and
// the runtime version; CreateFunction answers while the function is still Pending and the
// Update* operations while the update is InProgress, as Lambda does (reads that follow see
// Active and Successful at once, which is what the SDK waiters FunctionActiveV2 and
// FunctionUpdatedV2 wait for).
type view int

const (
	viewRead view = iota
	viewList
	viewCreated
	viewUpdated
)

// configuration renders a stored version as the wire FunctionConfiguration; arnQualifier is
// the qualifier its FunctionArn carries ("" for the unqualified ARN).
func configuration(t target, v storage.LambdaVersionRecord, arnQualifier string, vw view) *lambdaapi.FunctionConfiguration {
	out := &lambdaapi.FunctionConfiguration{
		Architectures: append([]string{}, v.Architectures...),
		CodeSha256:    ptr(v.CodeSha256), CodeSize: ptr(v.CodeSize),
		Description:      ptr(v.Description),
		EphemeralStorage: &lambdaapi.EphemeralStorage{Size: ptr(v.EphemeralStorage)},
		FunctionArn:      ptr(t.versionARN(arnQualifier)),
		FunctionName:     ptr(t.name),
		LastModified:     ptr(lastModified(v.LastModified)),
		LoggingConfig:    &lambdaapi.LoggingConfig{LogFormat: ptr(v.Logging.LogFormat), LogGroup: ptr(v.Logging.LogGroup)},
		MemorySize:       ptr(v.MemorySize),
		PackageType:      ptr(v.PackageType),
		RevisionId:       ptr(v.RevisionID),
		Role:             ptr(v.Role),
		SnapStart:        &lambdaapi.SnapStartResponse{ApplyOn: ptr(nonEmpty(v.SnapStart, "None")), OptimizationStatus: ptr("Off")},
		Timeout:          ptr(v.Timeout),
		TracingConfig:    &lambdaapi.TracingConfigResponse{Mode: ptr(nonEmpty(v.TracingMode, "PassThrough"))},
		Version:          ptr(v.Version),
	}
	if v.Logging.ApplicationLogLevel != "" {
		out.LoggingConfig.ApplicationLogLevel = ptr(v.Logging.ApplicationLogLevel)
	}
	if v.Logging.SystemLogLevel != "" {
		out.LoggingConfig.SystemLogLevel = ptr(v.Logging.SystemLogLevel)
	}
	if v.Runtime != "" {
		out.Runtime = ptr(v.Runtime)
		if vw != viewList {
			sum := sha256.Sum256([]byte(v.Runtime))
			out.RuntimeVersionConfig = &lambdaapi.RuntimeVersionConfig{RuntimeVersionArn: ptr(arn.RuntimeVersion(t.partition, t.region, hex.EncodeToString(sum[:])).String())}
		}
	}
	if v.Handler != "" {
		out.Handler = ptr(v.Handler)
	}
	if v.HasEnvironment {
		vars := map[string]string{}
		for k, val := range v.Environment {
			vars[k] = val
		}
		out.Environment = &lambdaapi.EnvironmentResponse{Variables: vars}
	}
	if v.DeadLetterTarget != "" {
		out.DeadLetterConfig = &lambdaapi.DeadLetterConfig{TargetArn: ptr(v.DeadLetterTarget)}
	}
	if v.KMSKeyArn != "" {
		out.KMSKeyArn = ptr(v.KMSKeyArn)
	}
	for _, l := range v.Layers {
		out.Layers = append(out.Layers, lambdaapi.Layer{Arn: ptr(l.ARN), CodeSize: ptr(l.CodeSize)})
	}
	for _, f := range v.FileSystems {
		out.FileSystemConfigs = append(out.FileSystemConfigs, lambdaapi.FileSystemConfig{Arn: ptr(f.ARN), LocalMountPath: ptr(f.MountPath)})
	}
	if v.VPC != nil {
		out.VpcConfig = &lambdaapi.VpcConfigResponse{SubnetIds: append([]string{}, v.VPC.SubnetIDs...),
			SecurityGroupIds: append([]string{}, v.VPC.SecurityGroupIDs...), VpcId: ptr(vpcID(v.VPC)),
			Ipv6AllowedForDualStack: ptr(v.VPC.IPv6DualStack)}
	}
	if ic := v.ImageConfig; ic != nil {
		out.ImageConfigResponse = &lambdaapi.ImageConfigResponse{ImageConfig: &lambdaapi.ImageConfig{Command: ic.Command, EntryPoint: ic.EntryPoint}}
		if ic.WorkingDirectory != "" {
			out.ImageConfigResponse.ImageConfig.WorkingDirectory = ptr(ic.WorkingDirectory)
		}
	}
	switch vw {
	case viewRead:
		out.State, out.LastUpdateStatus = ptr("Active"), ptr("Successful")
	case viewCreated:
		out.State, out.StateReason, out.StateReasonCode = ptr("Pending"), ptr("The function is being created."), ptr("Creating")
	case viewUpdated:
		out.State, out.LastUpdateStatus = ptr("Active"), ptr("InProgress")
		out.LastUpdateStatusReason, out.LastUpdateStatusReasonCode = ptr("The function is being created."), ptr("Creating")
	}
	return out
}

// vpcID names the VPC of a function's subnets. iamlocal has no EC2: the id is derived from the
// subnets so that it is stable.
func vpcID(v *storage.LambdaVPC) string {
	ids := append([]string{}, v.SubnetIDs...)
	sort.Strings(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, ",")))
	return "vpc-" + hex.EncodeToString(sum[:])[:17]
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
