//go:generate go run ../../internal/apigen -members ../../internal/awsdata/models/iam.json ../../internal/awsdata/models/sts.json ../../internal/awsdata/models/lambda.json ../../internal/awsdata/models/logs.json ../../internal/awsdata/models/cloudwatch.json ../../internal/awsdata/models/accessanalyzer.json

package members
