package integration

import lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

// lambdaTypesFunctionCode is a minimal deployment package (an empty zip archive).
var lambdaTypesFunctionCode = lambdatypes.FunctionCode{ZipFile: []byte("PK\x05\x06" + string(make([]byte, 18)))}
